// dbx_compare: the driver bench/run calls. One invocation runs one suite on
// one engine (a fresh process per run), or measures the disk, or turns the raw
// measurements of a whole bench/run into latest.json and the markdown table.
//
//   dbx_compare run --engine dbx --suite lazy --dir D --out raw.jsonl [--scale 0.1]
// The "txn" suite also takes --engine rocksdb-txn / rocksdb-occ (txn_engine.h);
// the others also take --engine dbx-encrypted (kv_engine.h).
//   dbx_compare limits --dir D --out raw.jsonl [--scale 0.1]
// Measurements are appended to --out, never printed: stdout is shared with
// whatever the engines log.
//   dbx_compare report --raw raw.jsonl --out latest.json --machine M --date T --command C
//   dbx_compare scale --phase fill|read --engine dbx --keys 20M --dir D --out raw.jsonl
//   dbx_compare scale-report --raw raw.jsonl --keys 20M --machine M --date T --command C
// (bench/run --scale-keys; scale.h), the last printing the scale table.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "physical_limits.h"
#include "report.h"
#include "scale.h"
#include "workloads.h"

namespace {

int fail(const faultfs::Status& status) {
  std::fprintf(stderr, "dbx_compare: %s\n", status.to_string().c_str());
  return 1;
}

int append(const faultfs::Result<bench::Measurements>& measured, const std::string& out_path) {
  if (!measured.is_ok()) return fail(measured.status());
  std::ofstream out(out_path, std::ios::app);
  for (const bench::Measurement& m : measured.value()) out << bench::to_json_line(m) << '\n';
  out.close();
  if (!out)
    return fail(faultfs::Status(faultfs::ErrorCode::kIoError, "cannot append to " + out_path));
  return 0;
}

int report(const std::string& raw_path, const std::string& out_path, const std::string& machine,
           const std::string& date, const std::string& command) {
  std::ifstream raw(raw_path);
  if (!raw) return fail(faultfs::Status(faultfs::ErrorCode::kNotFound, "cannot read " + raw_path));
  auto measured = bench::parse_lines(raw);
  if (!measured.is_ok()) return fail(measured.status());
  const bench::Summary summary = bench::summarize(measured.value());
  std::ofstream out(out_path, std::ios::trunc);
  out << bench::to_results_json(summary, machine, date, command).dump(2) << '\n';
  out.close();
  if (!out) return fail(faultfs::Status(faultfs::ErrorCode::kIoError, "cannot write " + out_path));
  std::cout << bench::to_markdown(summary, machine, date, command);
  return 0;
}

int scale_report(const std::string& raw_path, const std::string& keys_text,
                 const std::string& machine, const std::string& date, const std::string& command) {
  auto keys = bench::parse_key_count(keys_text);
  if (!keys.is_ok()) return fail(keys.status());
  std::ifstream raw(raw_path);
  if (!raw) return fail(faultfs::Status(faultfs::ErrorCode::kNotFound, "cannot read " + raw_path));
  auto measured = bench::parse_lines(raw);
  if (!measured.is_ok()) return fail(measured.status());
  std::cout << bench::scale_markdown(bench::summarize(measured.value()), *keys, machine, date,
                                     command);
  return 0;
}

// The scale subcommands: their own options, so the suite runs' stay as they were.
struct ScaleCommands {
  CLI::App* run = nullptr;
  CLI::App* report = nullptr;
  std::string phase, engine, keys, dir, out, raw, machine, date, command;

  void add_to(CLI::App& app) {
    run = app.add_subcommand("scale", "one phase of bench/run --scale-keys on one engine");
    run->add_option("--phase", phase)->required()->check(CLI::IsMember({"fill", "read"}));
    run->add_option("--engine", engine)
        ->required()
        ->check(CLI::IsMember({"dbx", "rocksdb", "leveldb"}));
    run->add_option("--keys", keys, "key count, K/M suffixes (20M)")->required();
    run->add_option("--dir", dir, "fresh (fill) or filled (read) directory")->required();
    run->add_option("--out", out, "JSON lines file the figures are appended to")->required();
    report = app.add_subcommand("scale-report", "raw scale figures → markdown table");
    report->add_option("--raw", raw)->required();
    report->add_option("--keys", keys)->required();
    report->add_option("--machine", machine)->required();
    report->add_option("--date", date)->required();
    report->add_option("--command", command)->required();
  }

  int execute() const {
    if (report->parsed()) return scale_report(raw, keys, machine, date, command);
    auto count = bench::parse_key_count(keys);
    if (!count.is_ok()) return fail(count.status());
    bench::ScaleSizes sizes;
    sizes.keys = *count;
    return append(bench::run_scale_phase(phase, engine, dir, sizes), out);
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"DBX side by side with SQLite, RocksDB and LevelDB"};
  app.require_subcommand(1);
  std::string engine, suite, dir, raw, out, machine, date, command;
  double scale = 1.0;

  CLI::App* run = app.add_subcommand("run", "run one suite on one engine");
  run->add_option("--engine", engine)
      ->required()
      ->check(CLI::IsMember(
          {"dbx", "dbx-encrypted", "sqlite", "rocksdb", "leveldb", "rocksdb-txn", "rocksdb-occ"}));
  run->add_option("--suite", suite)
      ->required()
      ->check(CLI::IsMember(
          {"fillseq_sync", "fillrandom_sync_4t", "lazy", "fillrandom_none", "recovery", "txn"}));
  run->add_option("--dir", dir, "fresh directory for the database")->required();
  run->add_option("--out", out, "JSON lines file the figures are appended to")->required();
  run->add_option("--scale", scale, "shrink every count (smoke runs)")
      ->check(CLI::Range(1e-6, 1.0));

  CLI::App* limits =
      app.add_subcommand("limits", "measure fdatasync, write, CRC32C and AEAD limits");
  limits->add_option("--dir", dir, "fresh directory for the probe files")->required();
  limits->add_option("--out", out, "JSON lines file the figures are appended to")->required();
  limits->add_option("--scale", scale)->check(CLI::Range(1e-6, 1.0));

  CLI::App* rep = app.add_subcommand("report", "medians → latest.json + markdown");
  rep->add_option("--raw", raw)->required();
  rep->add_option("--out", out)->required();
  rep->add_option("--machine", machine)->required();
  rep->add_option("--date", date)->required();
  rep->add_option("--command", command)->required();

  ScaleCommands scale_commands;
  scale_commands.add_to(app);

  CLI11_PARSE(app, argc, argv);
  if (scale_commands.run->parsed() || scale_commands.report->parsed()) {
    return scale_commands.execute();
  }
  if (run->parsed()) {
    return append(bench::run_suite(suite, engine, dir, bench::WorkloadSizes::scaled(scale)), out);
  }
  if (limits->parsed()) {
    return append(bench::run_limits(dir, bench::LimitSizes::scaled(scale)), out);
  }
  return report(raw, out, machine, date, command);
}
