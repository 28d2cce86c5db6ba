// conf decoding on arbitrary bytes: a conf that decodes must survive an
// encode/decode round trip with every field intact.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "wos/wos_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto conf = dbx::wos::decode_conf(dbx::fuzz::as_view(data, size), "wos/conf");
  if (!conf.is_ok()) return 0;
  auto again = dbx::wos::decode_conf(dbx::wos::encode_conf(*conf), "wos/conf");
  DBX_ASSERT(again.is_ok());
  DBX_ASSERT(again->generation == conf->generation && again->db_length == conf->db_length);
  DBX_ASSERT(again->checkpoint_sequence == conf->checkpoint_sequence);
  DBX_ASSERT(again->live_entries == conf->live_entries && again->live_bytes == conf->live_bytes);
  return 0;
}
