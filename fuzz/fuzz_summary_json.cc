// summary.json reading on arbitrary text: whatever the reader accepts must
// pass validate() (the invariant every report writer relies on) and must read
// back from its own rendering.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "reports/summary_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto summary = reports::summary_from_json(dbx::fuzz::as_view(data, size));
  if (!summary.is_ok()) return 0;
  DBX_ASSERT(reports::validate(summary.value()).is_ok());
  DBX_ASSERT(reports::summary_from_json(reports::summary_to_json(summary.value())).is_ok());
  return 0;
}
