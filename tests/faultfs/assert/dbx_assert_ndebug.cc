// A translation unit built with NDEBUG, as a production build would be: the
// DBX_ASSERT in it must still fire.
#define NDEBUG 1
#include "faultfs/assert.h"

namespace faultfs::testing {

void dbx_assert_under_ndebug(bool holds) { DBX_ASSERT(holds); }

}  // namespace faultfs::testing
