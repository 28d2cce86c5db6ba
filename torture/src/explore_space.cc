// The exploration space: the alphabet of torture/explore.h, and the
// numbering of its words and runs.
#include <algorithm>
#include <cassert>
#include <limits>

#include "torture/explore.h"
#include "torture/options.h"

namespace torture {

using faultfs::ErrorCode;
using faultfs::Result;
using faultfs::Status;

namespace {

constexpr const char* kTable = "t";

ExploreLetter write_letter(std::string name, targets::Write write) {
  ExploreLetter letter;
  letter.name = std::move(name);
  letter.step.kind = StepKind::kWrite;
  letter.step.write = std::move(write);
  return letter;
}

ExploreLetter plain_letter(const char* name, StepKind kind) {
  ExploreLetter letter;
  letter.name = name;
  letter.step.kind = kind;
  return letter;
}

// The letters of one operation kind; false for an unknown kind.
bool letters_of(std::string_view kind, std::vector<ExploreLetter>* out) {
  using targets::Op;
  if (kind == "put") {
    for (const char* key : {"k1", "k2"}) {
      for (const char* value : {"v1", "v2"}) {
        out->push_back(
            write_letter(std::string("put ") + key + "=" + value, {Op::put(kTable, key, value)}));
      }
    }
  } else if (kind == "delete") {
    for (const char* key : {"k1", "k2"}) {
      out->push_back(write_letter(std::string("del ") + key, {Op::del(kTable, key)}));
    }
  } else if (kind == "batch") {
    out->push_back(write_letter("batch{put k1=v2, put k2=v2}",
                                {Op::put(kTable, "k1", "v2"), Op::put(kTable, "k2", "v2")}));
    out->push_back(write_letter("batch{put k2=v1, del k1}",
                                {Op::put(kTable, "k2", "v1"), Op::del(kTable, "k1")}));
  } else if (kind == "flush") {
    out->push_back(plain_letter("flush", StepKind::kFlush));
  } else if (kind == "close") {
    out->push_back(plain_letter("close", StepKind::kReopen));
  } else if (kind == "crash") {
    out->push_back(plain_letter("crash", StepKind::kCrash));
  } else {
    return false;
  }
  return true;
}

}  // namespace

Result<std::vector<ExploreLetter>> explore_alphabet(std::string_view ops_from) {
  std::vector<ExploreLetter> letters;
  std::vector<std::string> kinds;
  for (const std::string_view item : split_list(ops_from)) {
    const std::string kind(item);
    if (std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) {
      return Status(ErrorCode::kInvalidArgument, "--ops-from: '" + kind + "' given twice");
    }
    if (!letters_of(kind, &letters)) {
      return Status(ErrorCode::kInvalidArgument, "--ops-from: unknown operation '" + kind +
                                                     "' (want " + kExploreOpsDefault + ")");
    }
    kinds.push_back(kind);
  }
  assert(!letters.empty());
  return letters;
}

uint64_t explore_workload_count(uint64_t letters, uint32_t max_ops) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t total = 0;
  uint64_t words = 1;  // letters^k
  for (uint32_t k = 0; k <= max_ops; ++k) {
    if (total > kMax - words) return kMax;
    total += words;
    if (k < max_ops && letters != 0 && words > kMax / letters) return kMax;
    words *= letters;
  }
  return total;
}

Workload explore_workload(const std::vector<ExploreLetter>& alphabet, uint32_t max_ops,
                          uint64_t number) {
  const uint64_t n = alphabet.size();
  assert(n > 0 && number < explore_workload_count(n, max_ops));
  // Skip the shorter words: the rest is a base-n number of `length` digits.
  uint64_t length = 0;
  uint64_t words = 1;
  while (number >= words) {
    number -= words;
    words *= n;
    ++length;
  }
  assert(length <= max_ops);
  Workload w;
  w.seed = 0;
  std::vector<size_t> digits(length);
  for (uint64_t i = length; i-- > 0;) {
    digits[i] = number % n;
    number /= n;
  }
  for (size_t i = 0; i < digits.size(); ++i) {
    Step step = alphabet[digits[i]].step;
    if (step.kind == StepKind::kCrash) step.crash_seed = i + 1;
    w.steps.push_back(std::move(step));
  }
  return w;
}

uint64_t explore_run_count(const ExploreOptions& explore, size_t durabilities) {
  const uint64_t workloads = explore_workload_count(explore.alphabet.size(), explore.max_ops);
  return workloads * durabilities * explore.fs_models.size();
}

ExploreRunId explore_run_id(const ExploreOptions& explore, size_t durabilities, uint64_t index) {
  assert(durabilities > 0 && !explore.fs_models.empty());
  // Durability first, as workload_durability() numbers a campaign's.
  ExploreRunId id;
  id.durability = index % durabilities;
  index /= durabilities;
  id.fs_model = index % explore.fs_models.size();
  id.workload = index / explore.fs_models.size();
  return id;
}

}  // namespace torture
