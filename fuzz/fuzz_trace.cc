// The recorder's trace reader on arbitrary bytes: a trace that parses must
// re-encode to a trace that parses to the same records.
#include <cstddef>
#include <cstdint>

#include "faultfs/trace.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto trace = faultfs::parse_trace(dbx::fuzz::as_view(data, size));
  if (!trace.is_ok()) return 0;
  std::string bytes = faultfs::encode_trace_header();
  for (const faultfs::TraceRecord& record : trace->records)
    bytes += faultfs::encode_trace_record(record);
  auto again = faultfs::parse_trace(bytes);
  DBX_ASSERT(again.is_ok() && !again->torn_tail && again->records == trace->records);
  return 0;
}
