// Earlier durable images, kept for kLostFile restores: a SimFs with
// keep_earlier_images() on remembers its durable state at persistence points
// in a bounded list whose spacing grows with age, so that restores reach both
// the recent past and the start of the history.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sim_state.h"

namespace faultfs::sim {

// The durable namespace and bytes of `st`, cut to what the root reaches.
State durable_image(const State& st);

// Appends the durable image of `st` at `point` to st.earlier unless it equals
// the last one kept; then, beyond `images_max` (>= 3) images, drops the inner
// image whose neighbours are closest relative to its age (the oldest and the
// newest always stay). Deterministic: a replay keeps the very same images.
void remember_durable_image(State& st, uint64_t point, size_t images_max);

}  // namespace faultfs::sim
