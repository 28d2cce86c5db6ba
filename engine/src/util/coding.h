// The formats' byte coding (fixed-width little-endian, varints, length
// prefixes) lives in the seam, faultfs/coding.h, so that the lab's doubles
// share it without reaching into the engine. The engine spells it
// dbx::coding.
#pragma once

#include "faultfs/coding.h"

namespace dbx {
namespace coding = ::faultfs::coding;
}  // namespace dbx
