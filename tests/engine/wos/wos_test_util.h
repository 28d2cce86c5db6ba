// Shared helpers for the WOS tests: a model of the state, a fake FS with the
// database directory in place, and open/dump shorthands.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "delta.h"
#include "fake_fs.h"
#include "wos/wos_store.h"

namespace dbx::wos::testing {

// The WOS's directory in every test.
inline const std::string kWosDir = "/db/wos";
inline const std::string kDbPath = "/db/wos/db";
inline const std::string kConfPath = "/db/wos/conf";

// table -> key -> value: what a store holds, compared as a whole.
using State = std::map<std::string, std::map<std::string, std::string>>;

// A fake FS where "/db" exists durably (the engine's directory).
inline std::unique_ptr<FakeFs> make_fs() {
  auto fs = std::make_unique<FakeFs>();
  EXPECT_TRUE(fs->mkdir("/db").is_ok());
  EXPECT_TRUE(fs->sync_dir("/").is_ok());
  fs->reset_counters();
  return fs;
}

inline std::unique_ptr<WosStore> open_ok(FakeFs& fs) {
  auto store = WosStore::open(fs, kWosDir);
  EXPECT_TRUE(store.is_ok()) << store.status().message();
  if (!store.is_ok()) return nullptr;
  return std::move(store).value();
}

// Everything the store holds, read through range() (which also checks that
// count() and table_names() agree with it).
inline State dump(const WosStore& store) {
  State state;
  for (const std::string& table : store.table_names()) {
    auto rows = store.range(table, "", std::nullopt);
    EXPECT_TRUE(rows.is_ok()) << rows.status().message();
    if (!rows.is_ok()) continue;
    EXPECT_FALSE(rows->empty()) << "table_names() lists an empty table " << table;
    EXPECT_EQ(store.count(table), rows->size());
    for (auto& [key, value] : *rows) state[table][key] = value;
  }
  return state;
}

inline void apply_model(State* state, const Delta& delta) {
  delta.for_each([&](std::string_view table, std::string_view key, Delta::Entry value) {
    if (value.has_value()) {
      (*state)[std::string(table)][std::string(key)] = std::string(*value);
      return;
    }
    auto t = state->find(std::string(table));
    if (t == state->end()) return;
    t->second.erase(std::string(key));
    if (t->second.empty()) state->erase(t);
  });
}

inline void expect_ok(const faultfs::Status& status) {
  EXPECT_TRUE(status.is_ok()) << status.message();
}

}  // namespace dbx::wos::testing
