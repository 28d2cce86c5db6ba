// The WOS open/load on arbitrary bytes. Input: a u16 length, that many bytes
// of wos/conf, then wos/db. A store that opens must answer reads of every
// table it lists without failing a DBX_ASSERT or a sanitizer.
#include <cstddef>
#include <cstdint>

#include "fuzz_input.h"
#include "wos/wos_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto [conf, db] = dbx::fuzz::split_with_u16_length(dbx::fuzz::as_view(data, size));
  faultfs::SimFs fs;
  DBX_ASSERT(fs.mkdir("wos").is_ok());
  dbx::fuzz::put_file(fs, "wos/conf", conf);
  dbx::fuzz::put_file(fs, "wos/db", db);
  auto store = dbx::wos::WosStore::open(fs, "wos");
  if (!store.is_ok()) return 0;
  for (const std::string& table : (*store)->table_names()) {
    DBX_ASSERT((*store)->count(table) >= 1);
    auto rows = (*store)->range(table, "", std::nullopt);
    if (!rows.is_ok()) continue;  // A value that fails its checksum on read.
    DBX_ASSERT(rows->size() == (*store)->count(table));
  }
  return 0;
}
