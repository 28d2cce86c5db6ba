// Shared helpers for the WOS tests: a model of the state, a SimFs with the
// database directory in place, crash points and crash images of it, and
// open/dump shorthands.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "delta.h"
#include "faultfs/sim_fs.h"
#include "support/sim_file.h"
#include "wos/wos_store.h"

namespace dbx::wos::testing {

using dbx::testing::set_sim_bytes;
using dbx::testing::sim_bytes;

// The WOS's directory in every test. SimFs paths are relative to its root.
inline const std::string kWosDir = "db/wos";
inline const std::string kDbPath = "db/wos/db";
inline const std::string kConfPath = "db/wos/conf";

// table -> key -> value: what a store holds, compared as a whole.
using State = std::map<std::string, std::map<std::string, std::string>>;

// A SimFs where "db" exists durably (the engine's directory).
inline std::unique_ptr<faultfs::SimFs> make_fs() {
  auto fs = std::make_unique<faultfs::SimFs>();
  EXPECT_TRUE(fs->create_dirs_durable("db").is_ok());
  return fs;
}

// Mutating operations, syncs and directory syncs so far: what a read-only
// call must leave unchanged.
inline uint64_t mutating_ops(const faultfs::SimFs& fs) {
  const faultfs::SimFsStats stats = fs.stats();
  return stats.mutations + stats.syncs + stats.dir_syncs;
}

// Replaces the bytes of `path`, durably: bit rot or a crafted file on disk.
inline void set_contents(faultfs::SimFs& fs, const std::string& path, const std::string& data) {
  const faultfs::Status status = set_sim_bytes(fs, path, data);
  EXPECT_TRUE(status.is_ok()) << status.message();
}

// Where the simulated power loss comes: once `count` more mutating ops (or
// persistence points: syncs and directory syncs) have completed, or never.
// Cutting after every mutating op and after every persistence point cuts a
// workload after every prefix of its operations.
struct CrashPoint {
  enum class After { kMutations, kPersistencePoints, kNever };
  After after = After::kNever;
  uint64_t count = 0;

  std::string describe() const {
    if (after == After::kNever) return "no crash";
    return (after == After::kMutations ? "after mutating op " : "after persistence point ") +
           std::to_string(count);
  }
};

// The crash points of a workload that took a SimFs from stats `before` to
// `after`: before its first operation, after each of its operations, and the
// uninterrupted run last.
inline std::vector<CrashPoint> crash_points(const faultfs::SimFsStats& before,
                                            const faultfs::SimFsStats& after) {
  std::vector<CrashPoint> points;
  for (uint64_t n = 0; n <= after.mutations - before.mutations; ++n) {
    points.push_back({CrashPoint::After::kMutations, n});
  }
  const uint64_t persistence = after.syncs + after.dir_syncs - (before.syncs + before.dir_syncs);
  for (uint64_t n = 1; n <= persistence; ++n) {
    points.push_back({CrashPoint::After::kPersistencePoints, n});
  }
  points.push_back({CrashPoint::After::kNever, 0});
  return points;
}

// Arms `point` on `fs`, counting from what `fs` has done so far.
inline void halt_at(faultfs::SimFs& fs, const CrashPoint& point) {
  const faultfs::SimFsStats stats = fs.stats();
  if (point.after == CrashPoint::After::kMutations) {
    fs.halt_after_mutations(stats.mutations + point.count);
  } else if (point.after == CrashPoint::After::kPersistencePoints) {
    fs.halt_after_persistence_points(stats.syncs + stats.dir_syncs + point.count);
  }
}

// Strict POSIX directories and any subset of each file's pending writes, in
// any order: every image of the per-file "durable or current bytes" model
// and more. Not kTorn: tearing a write of more than 8 sectors makes SimFs
// sample instead of enumerate, and WOS db appends are larger.
inline const faultfs::CrashOptions kCrashOptions{faultfs::CrashPolicy::kReorder,
                                                 faultfs::FsModel::kPosix, 512};
// Far above the images of any state the WOS tests crash in; reaching it
// would mean SimFs stopped enumerating, so crash_images() fails then.
inline constexpr size_t kCrashImagesMax = 4096;

struct CrashImage {
  std::unique_ptr<faultfs::SimFs> fs;
  std::string choice;  // Serialized, for failure messages.
  bool keeps_all = false;
  bool keeps_none = false;
};

// Every distinct image a crash of `fs` may leave now, under kCrashOptions.
inline std::vector<CrashImage> crash_images(const faultfs::SimFs& fs) {
  std::mt19937_64 rng(20261206);
  const auto choices = fs.enumerate_crashes(kCrashOptions, kCrashImagesMax, rng);
  EXPECT_LT(choices.size(), kCrashImagesMax) << "enumeration was capped";
  std::vector<CrashImage> images;
  for (const faultfs::CrashChoice& choice : choices) {
    auto image = fs.crash_with(kCrashOptions, choice);
    EXPECT_TRUE(image.is_ok()) << image.status().message();
    if (!image.is_ok()) continue;
    images.push_back({std::move(image).value(), choice.serialize(),
                      choice.applied.size() == fs.pending_changes(), choice.applied.empty()});
  }
  return images;
}

inline std::unique_ptr<WosStore> open_ok(faultfs::FileSystem& fs) {
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

// Key k as "key" and six digits: keys sort as their numbers do.
inline std::string key_of(uint64_t k) {
  char key[16];
  std::snprintf(key, sizeof(key), "key%06llu", static_cast<unsigned long long>(k));
  return key;
}

inline void expect_ok(const faultfs::Status& status) {
  EXPECT_TRUE(status.is_ok()) << status.message();
}

}  // namespace dbx::wos::testing
