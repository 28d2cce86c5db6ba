// SimFs crash entry points: build crash images (crash_image.cc) from choices
// drawn at random (crash_sampler.cc), recorded (crash_with), or enumerated
// (crash_enumerator.cc), each against a CrashSpace of the current state.
#include <cassert>

#include "crash_choose.h"
#include "crash_image.h"
#include "crash_space.h"
#include "faultfs/sim_fs.h"
#include "faultfs/status_macros.h"
#include "sim_core.h"

namespace faultfs {

std::unique_ptr<SimFs> SimFs::crash(const CrashOptions& options, std::mt19937_64& rng,
                                    CrashChoice* choice_out) const {
  assert(validate_crash_options(options).is_ok());
  auto core = std::make_shared<sim::Core>();
  {
    std::lock_guard lock(core_->mu);
    const sim::CrashSpace space(core_->st, options);
    CrashChoice choice = sim::sample_crash_choice(space, rng);
    auto image = sim::build_crash_image(space, choice);
    assert(image.is_ok());
    core->st = std::move(*image);
    if (choice_out != nullptr) *choice_out = std::move(choice);
  }
  core->st.check();
  return std::unique_ptr<SimFs>(new SimFs(std::move(core)));
}

CrashChoice SimFs::draw_crash_choice(const CrashOptions& options, std::mt19937_64& rng) const {
  assert(validate_crash_options(options).is_ok());
  std::lock_guard lock(core_->mu);
  const sim::CrashSpace space(core_->st, options);
  return sim::sample_crash_choice(space, rng);
}

Result<std::unique_ptr<SimFs>> SimFs::crash_with(const CrashOptions& options,
                                                 const CrashChoice& choice) const {
  RETURN_IF_ERROR(validate_crash_options(options));
  auto core = std::make_shared<sim::Core>();
  {
    std::lock_guard lock(core_->mu);
    const sim::CrashSpace space(core_->st, options);
    ASSIGN_OR_RETURN(auto image, sim::build_crash_image(space, choice));
    core->st = std::move(image);
  }
  core->st.check();
  return std::unique_ptr<SimFs>(new SimFs(std::move(core)));
}

std::vector<CrashChoice> SimFs::enumerate_crashes(const CrashOptions& options, size_t max_images,
                                                  std::mt19937_64& rng) const {
  assert(validate_crash_options(options).is_ok());
  assert(max_images >= 1 && max_images <= (size_t{1} << 20));
  std::lock_guard lock(core_->mu);
  const sim::CrashSpace space(core_->st, options);
  return sim::enumerate_crash_choices(space, max_images, rng);
}

CrashVisit SimFs::visit_crashes(const CrashOptions& options, size_t candidates_max,
                                std::mt19937_64& rng, const CrashVisitor& visit) const {
  assert(validate_crash_options(options).is_ok());
  assert(candidates_max >= 1);
  std::lock_guard lock(core_->mu);
  const sim::CrashSpace space(core_->st, options);
  return sim::visit_crash_choices(space, candidates_max, rng, visit);
}

ImageFingerprint SimFs::fingerprint() const {
  std::lock_guard lock(core_->mu);
  return sim::whole_image_digest(core_->st);
}

}  // namespace faultfs
