// 8 threads of mixed operations through one handle, checked against a model.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>
#include <vector>

#include "dbx/dbx.h"
#include "support/temp_dir.h"

namespace dbx {
namespace {

TEST(Concurrency, EightThreadsOfMixedOperationsMatchAModel) {
  testing::TempDir dir;
  constexpr int kThreads = 8;
  constexpr int kOpsPerThread = 1500;
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  // Each thread owns its keys, so its own model is exact; reads of other
  // threads' keys must still see either nothing or a value they wrote.
  std::vector<std::map<std::string, std::string>> models(kThreads);
  auto db = Database::open(dir.db());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(seed + t);
      auto& model = models[t];
      const std::string table = t % 2 == 0 ? "even" : "odd";
      for (int i = 0; i < kOpsPerThread; ++i) {
        const std::string key = std::to_string(t) + "/" + std::to_string(rng() % 100);
        switch (rng() % 8) {
          case 0:
          case 1:
          case 2: {
            const std::string value = key + "=" + std::to_string(i);
            db->insert(table, key, value);
            model[key] = value;
            break;
          }
          case 3:
            if (db->remove(table, key) != (model.erase(key) == 1)) ++failures;
            break;
          case 4: {
            WriteBatch batch;
            const std::string other = std::to_string(t) + "/" + std::to_string(rng() % 100);
            batch.put(table, key, "batch");
            batch.remove(table, other);
            db->write(batch);
            // Operations apply in batch order: a put then a delete of one key deletes it.
            model[key] = "batch";
            model.erase(other);
            break;
          }
          case 5: {
            const auto got = db->get(table, key);
            const auto it = model.find(key);
            if (got != (it == model.end() ? std::nullopt : std::optional(it->second))) ++failures;
            break;
          }
          case 6:
            if (t == 0 && i % 300 == 0) db->flush();
            break;
          default:
            (void)db->scan(table);
            break;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto check = [&](Database& handle) {
    for (int t = 0; t < kThreads; ++t) {
      const std::string table = t % 2 == 0 ? "even" : "odd";
      for (const auto& [key, value] : models[t]) EXPECT_EQ(handle.get(table, key), value) << key;
    }
    uint64_t expected_even = 0, expected_odd = 0;
    for (int t = 0; t < kThreads; ++t) (t % 2 == 0 ? expected_even : expected_odd) += models[t].size();
    EXPECT_EQ(handle.count("even"), expected_even);
    EXPECT_EQ(handle.count("odd"), expected_odd);
  };
  check(*db);
  db->close();
  check(*Database::open(dir.db()));
}

}  // namespace
}  // namespace dbx
