// The arithmetic bench/run reports: medians, best peers, target verdicts and
// the results file's shape. A wrong median or an inverted comparison here
// would publish a false claim, so each is pinned down.
#include "report.h"

#include <gtest/gtest.h>

#include <sstream>

namespace bench {
namespace {

TEST(Median, OddCountTakesTheMiddleValueNotTheMean) {
  EXPECT_DOUBLE_EQ(median({9.0, 1.0, 2.0}), 2.0);
}

TEST(Median, EvenCountAveragesTheTwoMiddleValues) {
  EXPECT_DOUBLE_EQ(median({4.0, 1.0, 3.0, 2.0}), 2.5);
}

// bench/run's three runs append to one raw file; a run that failed (it
// crashed or timed out) wrote no line for the workloads it never finished.
// Through the whole pipeline, those take the median of the two runs left,
// and the workloads every run finished keep their median of three.
TEST(Summarize, ARunThatFailedMidwayLeavesItsUnfinishedWorkloadsTheMedianOfTwo) {
  std::stringstream raw;
  raw << to_json_line({"dbx", "fillrandom", 10}) << "\n"   // run 1
      << to_json_line({"dbx", "readrandom", 100}) << "\n"  //
      << to_json_line({"dbx", "fillrandom", 40}) << "\n"   // run 2 fails after it
      << to_json_line({"dbx", "fillrandom", 20}) << "\n"   // run 3
      << to_json_line({"dbx", "readrandom", 300}) << "\n";
  auto parsed = parse_lines(raw);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  const Summary s = summarize(parsed.value());
  EXPECT_DOUBLE_EQ(s.workloads.at("fillrandom").at("dbx"), 20);   // Three runs: the middle.
  EXPECT_DOUBLE_EQ(s.workloads.at("readrandom").at("dbx"), 200);  // Two runs: their mean.
}

TEST(ParseLines, RoundTripsWhatToJsonLineWrites) {
  std::stringstream raw;
  raw << to_json_line({"dbx", "readrandom", 123.5}) << "\n\n"
      << to_json_line({"limits", "crc32c_gb_s", 7.25}) << "\n";
  auto parsed = parse_lines(raw);
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ(parsed.value()[0].engine, "dbx");
  EXPECT_EQ(parsed.value()[0].workload, "readrandom");
  EXPECT_DOUBLE_EQ(parsed.value()[0].value, 123.5);
  EXPECT_EQ(parsed.value()[1].engine, "limits");
}

TEST(ParseLines, RejectsALineWithoutAValueAndNamesIt) {
  std::stringstream raw;
  raw << to_json_line({"dbx", "scan", 1}) << "\n{\"engine\":\"dbx\",\"workload\":\"scan\"}\n";
  auto parsed = parse_lines(raw);
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_NE(parsed.status().message().find("line 2"), std::string::npos);
}

TEST(ParseLines, RejectsTruncatedJson) {
  std::stringstream raw("{\"engine\":\"dbx\",\"workl");
  EXPECT_FALSE(parse_lines(raw).is_ok());
}

TEST(Summarize, LimitsGoToTheirOwnSectionNotTheWorkloads) {
  const Summary s = summarize({{"limits", "fdatasync_per_s", 5000},
                               {"limits", "fdatasync_per_s", 7000},
                               {"limits", "fdatasync_per_s", 6000},
                               {"dbx", "scan", 1}});
  EXPECT_DOUBLE_EQ(s.limits.at("fdatasync_per_s"), 6000);
  EXPECT_EQ(s.workloads.count("fdatasync_per_s"), 0u);
  EXPECT_DOUBLE_EQ(s.workloads.at("scan").at("dbx"), 1);
}

Summary two_peer_summary() {
  return summarize({{"dbx", "fillseq_sync", 9000},
                    {"sqlite", "fillseq_sync", 6000},
                    {"leveldb", "fillseq_sync", 8000},
                    {"limits", "fdatasync_overwrite_per_s", 10000},
                    {"dbx", "recovery_s", 1.0},
                    {"rocksdb", "recovery_s", 3.0},
                    {"leveldb", "recovery_s", 2.0}});
}

const TargetCheck& find(const std::vector<TargetCheck>& checks, const std::string& prefix) {
  for (const TargetCheck& c : checks) {
    if (c.name.starts_with(prefix)) return c;
  }
  ADD_FAILURE() << "no target " << prefix;
  return checks.front();
}

TEST(Targets, BestPeerIsTheFastestPeerNeverDbxItself) {
  const TargetCheck& t = find(check_targets(two_peer_summary()), "fillseq_sync ≥ 1.20");
  EXPECT_EQ(t.reference_name, "leveldb");
  ASSERT_TRUE(t.ratio.has_value());
  EXPECT_DOUBLE_EQ(*t.ratio, 9000.0 / 8000.0);
  EXPECT_FALSE(t.met());  // 1.125 < 1.2.
}

TEST(Targets, DiskTargetComparesWithOverwriteSyncRate) {
  const TargetCheck& t = find(check_targets(two_peer_summary()), "fillseq_sync ≥ 0.80");
  ASSERT_TRUE(t.ratio.has_value());
  EXPECT_DOUBLE_EQ(*t.ratio, 0.9);
  EXPECT_TRUE(t.met());
}

TEST(Targets, RecoveryBestPeerIsTheFastestToRecoverAndLowerWins) {
  const TargetCheck& t = find(check_targets(two_peer_summary()), "recovery_s");
  EXPECT_EQ(t.reference_name, "leveldb");
  ASSERT_TRUE(t.ratio.has_value());
  EXPECT_DOUBLE_EQ(*t.ratio, 0.5);
  EXPECT_FALSE(t.met());  // 0.5 > 0.25.
}

TEST(Targets, SqliteBatchedRecoverySetsNoRecoveryTarget) {
  const Summary s = summarize(
      {{"dbx", "recovery_s", 0.4}, {"sqlite", "recovery_s", 0.1}, {"leveldb", "recovery_s", 2.0}});
  const TargetCheck& t = find(check_targets(s), "recovery_s");
  EXPECT_EQ(t.reference_name, "leveldb");
  ASSERT_TRUE(t.ratio.has_value());
  EXPECT_DOUBLE_EQ(*t.ratio, 0.2);
  EXPECT_TRUE(t.met());  // Against SQLite's 0.1 s it would be 4.0: missed.
}

TEST(Targets, AMissingDbxFigureIsNeverMet) {
  const TargetCheck& t = find(check_targets(two_peer_summary()), "readrandom");
  EXPECT_FALSE(t.ratio.has_value());
  EXPECT_FALSE(t.met());
}

TEST(Targets, TransactionalTargetsCompareWithTheBestTransactionalPeerAndPlainGets) {
  const Summary s = summarize({{"dbx", "txn_rmw_2key_4t_full", 3000.0},
                               {"rocksdb-txn", "txn_rmw_2key_4t_full", 1000.0},
                               {"rocksdb-occ", "txn_rmw_2key_4t_full", 2500.0},
                               {"sqlite", "txn_rmw_2key_4t_full", 900.0},
                               {"leveldb", "txn_rmw_2key_4t_full", 99999.0},
                               {"dbx", "txn_snapshot_10get", 70.0},
                               {"dbx", "txn_plain_10get", 100.0}});
  const TargetCheck& rmw = find(check_targets(s), "txn_rmw_2key_4t_full ≥ 1.50");
  EXPECT_EQ(rmw.reference_name, "rocksdb-occ");  // LevelDB has no transactions.
  ASSERT_TRUE(rmw.ratio.has_value());
  EXPECT_DOUBLE_EQ(*rmw.ratio, 1.2);
  EXPECT_FALSE(rmw.met());
  const TargetCheck& snap = find(check_targets(s), "txn_snapshot_10get");
  ASSERT_TRUE(snap.ratio.has_value());
  EXPECT_DOUBLE_EQ(*snap.ratio, 0.7);
  EXPECT_FALSE(snap.met());
  EXPECT_FALSE(find(check_targets(s), "txn_rmw_2key_4t_lazy").met());  // No figures.
}

// The encrypted targets divide dbx-encrypted by plain dbx of the same run,
// never by a peer, and the recovery one is a rate (higher is better).
TEST(Targets, EncryptedTargetsCompareDbxEncryptedWithPlainDbxNotAPeer) {
  const Summary s = summarize({{"dbx", "fillrandom_lazy", 500000},
                               {"dbx-encrypted", "fillrandom_lazy", 450000},
                               {"leveldb", "fillrandom_lazy", 900000},
                               {"dbx", "recovery_wal_mb_s", 1000},
                               {"dbx-encrypted", "recovery_wal_mb_s", 300}});
  const TargetCheck& fill = find(check_targets(s), "encrypted fillrandom_lazy ≥ 0.85 × plain");
  ASSERT_TRUE(fill.ratio.has_value());
  EXPECT_DOUBLE_EQ(*fill.ratio, 0.9);
  EXPECT_EQ(fill.reference_name, "dbx plain");
  EXPECT_TRUE(fill.met());
  const TargetCheck& rec = find(check_targets(s), "encrypted recovery_wal_mb_s ≥ 0.70 × plain");
  ASSERT_TRUE(rec.ratio.has_value());
  EXPECT_DOUBLE_EQ(*rec.ratio, 0.3);
  EXPECT_FALSE(rec.met());
  // dbx-encrypted is no peer: the plain fill target still sees LevelDB as the best.
  EXPECT_EQ(find(check_targets(s), "fillrandom_lazy ≥ 1.00").reference_name, "leveldb");
}

TEST(Targets, EncryptedTargetIsNotMetWithoutAnEncryptedFigure) {
  const Summary s = summarize({{"dbx", "fillrandom_lazy", 500000}});
  const TargetCheck& fill = find(check_targets(s), "encrypted fillrandom_lazy");
  EXPECT_FALSE(fill.ratio.has_value());
  EXPECT_FALSE(fill.met());
}

TEST(EncryptionReport, TableShowsBothColumnsAndTheRatioAndJsonKeepsThem) {
  const Summary s = summarize({{"dbx", "recovery_s", 0.2},
                               {"dbx-encrypted", "recovery_s", 0.5},
                               {"dbx", "readrandom", 800000},
                               {"dbx-encrypted", "readrandom", 600000}});
  const std::string md = to_markdown(s, "m", "d", "c");
  EXPECT_NE(md.find("| recovery | recovery_s | s | 0.200 | 0.500 | 2.50 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| readrandom | readrandom | ops/s | 800,000 | 600,000 | 0.75 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| fill lazy | fillrandom_lazy | ops/s | — | — | — |"), std::string::npos)
      << md;
  const nlohmann::json j = to_results_json(s, "m", "d", "c");
  EXPECT_DOUBLE_EQ(j["encryption"]["readrandom"]["ratio"].get<double>(), 0.75);
  EXPECT_TRUE(j["encryption"]["fillseq_sync"]["dbx-encrypted"].is_null());
  // Not a column of the engines table.
  EXPECT_FALSE(j["workloads"]["readrandom"].contains("dbx-encrypted"));
}

// The per-record floor line: plain 400,000 ops/s is 2.50 us a write; 2,000,000
// record seals/s is 0.50 us a seal; so 2.50 / 3.00 = 0.83. Absent without
// either figure.
TEST(EncryptionReport, FillLazyCeilingIsComputedFromThePlainRateAndTheRecordSealRate) {
  const Summary with_both = summarize({{"dbx", "fillrandom_lazy", 400000},
                                       {"limits", "xchacha20poly1305_record_seals_per_s", 2e6}});
  const std::string md = to_markdown(with_both, "m", "d", "c");
  EXPECT_NE(md.find("one WAL record seal costs 0.50 µs"), std::string::npos) << md;
  EXPECT_NE(md.find("a plain Lazy write 2.50 µs"), std::string::npos) << md;
  EXPECT_NE(md.find("cannot pass 0.83 × plain"), std::string::npos) << md;
  const Summary without_seals = summarize({{"dbx", "fillrandom_lazy", 400000}});
  EXPECT_EQ(to_markdown(without_seals, "m", "d", "c").find("Per-record floor"), std::string::npos);
}

TEST(ResultsJson, HasTheIssueSchemaWithNullForAMissingEngine) {
  const nlohmann::json j = to_results_json(two_peer_summary(), "m", "d", "c");
  ASSERT_TRUE(j.contains("workloads"));
  ASSERT_TRUE(j.contains("limits"));
  EXPECT_EQ(j["machine"], "m");
  EXPECT_EQ(j["date"], "d");
  const nlohmann::json& row = j["workloads"]["fillseq_sync"];
  EXPECT_DOUBLE_EQ(row["dbx"].get<double>(), 9000);
  EXPECT_TRUE(row["rocksdb"].is_null());
  EXPECT_DOUBLE_EQ(j["limits"]["fdatasync_overwrite_per_s"].get<double>(), 10000);
  EXPECT_TRUE(j["workloads"].contains("recovery_s"));
}

TEST(Summarize, CappedCountsAreNotesNotWorkloadRows) {
  const Summary s = summarize(
      {{"sqlite", "fillrandom_lazy", 9000}, {"sqlite", "fillrandom_lazy_capped_writes", 180000}});
  EXPECT_EQ(s.workloads.count("fillrandom_lazy_capped_writes"), 0u);
  EXPECT_DOUBLE_EQ(s.capped.at("fillrandom_lazy_capped_writes").at("sqlite"), 180000);
  const std::string md = to_markdown(s, "m", "d", "c");
  EXPECT_NE(md.find("Time cap hit: sqlite fillrandom_lazy_capped_writes = 180,000"),
            std::string::npos)
      << md;
  EXPECT_DOUBLE_EQ(
      to_results_json(s, "m", "d", "c")["capped"]["fillrandom_lazy_capped_writes"]["sqlite"]
          .get<double>(),
      180000);
}

TEST(Markdown, FlagsAMissedTargetWithTheFactorStillNeeded) {
  const std::string md = to_markdown(two_peer_summary(), "m", "d", "c");
  EXPECT_NE(md.find("| fillseq_sync | ops/s | 9,000 | 6,000 | — | 8,000 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("needs 2.00× less time"), std::string::npos) << md;
}

}  // namespace
}  // namespace bench

namespace bench {
namespace {

// The transactional table: LevelDB's transaction cells say n/a (it has no
// transactions, which is not a failed run), its snapshot cell shows its
// figure, a conflict rate is a percentage, and the JSON keeps the fraction.
TEST(TxnReport, LeveldbHasNoTransactionCellsButASnapshotFigure) {
  Summary s;
  s.workloads["txn_rmw_2key_4t_full"]["rocksdb-occ"] = 12345;
  s.workloads["txn_rmw_2key_4t_full_conflict_rate"]["rocksdb-occ"] = 0.0125;
  s.workloads["txn_snapshot_10get"]["leveldb"] = 4321;
  const std::string md = txn_markdown(s);
  EXPECT_NE(md.find("| txn_rmw_2key_4t_full | txns/s | — | — | — | 12,345 | n/a |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 1.250 | n/a |"), std::string::npos) << md;
  EXPECT_NE(md.find("| txn_snapshot_10get | snapshots/s | — | — | — | — | 4,321 |"),
            std::string::npos)
      << md;
  const nlohmann::json j = txn_results_json(s);
  EXPECT_DOUBLE_EQ(j["txn_rmw_2key_4t_full_conflict_rate"]["rocksdb-occ"].get<double>(), 0.0125);
  EXPECT_TRUE(j["txn_rmw_2key_4t_full"]["leveldb"].is_null());
}

}  // namespace
}  // namespace bench

namespace bench {
namespace {

TEST(Targets, SeekrandomRowIsReportedAndJudgedAgainstTheBestPeer) {
  const Summary s = summarize({{"dbx", "seekrandom_next100", 30000},
                               {"sqlite", "seekrandom_next100", 20000},
                               {"rocksdb", "seekrandom_next100", 40000},
                               {"leveldb", "seekrandom_next100", 60000}});
  const TargetCheck& t = find(check_targets(s), "seekrandom_next100 ≥ 1.00 × best peer");
  EXPECT_EQ(t.reference_name, "leveldb");
  ASSERT_TRUE(t.ratio.has_value());
  EXPECT_DOUBLE_EQ(*t.ratio, 0.5);
  EXPECT_FALSE(t.met());
  const std::string md = to_markdown(s, "m", "d", "c");
  EXPECT_NE(md.find("| seekrandom_next100 | ops/s | 30,000 | 20,000 | 40,000 | 60,000 |"),
            std::string::npos)
      << md;
  EXPECT_DOUBLE_EQ(
      to_results_json(s, "m", "d", "c")["workloads"]["seekrandom_next100"]["dbx"].get<double>(),
      30000);
}

}  // namespace
}  // namespace bench
