// From raw measurements (one JSON object a line, three runs of each) to the
// medians, the results file bench/results/latest.json and the markdown table.
#pragma once

#include <iosfwd>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "faultfs/status.h"
#include "workloads.h"

namespace bench {

// Medians: workload -> engine -> value, and limit -> value.
struct Summary {
  std::map<std::string, std::map<std::string, double>> workloads;
  std::map<std::string, double> limits;
  // "<workload>_capped_writes|reads" -> engine -> operations done: a time cap
  // cut that loop short, so its rate covers fewer operations than planned.
  std::map<std::string, std::map<std::string, double>> capped;
};

// One line of the raw file: {"engine": "...", "workload": "...", "value": x}.
std::string to_json_line(const Measurement& m);
// Every non-empty line must parse; the error names the line number.
[[nodiscard]] faultfs::Result<Measurements> parse_lines(std::istream& in);

// The median of `values` (mean of the middle two for an even count); non-empty.
double median(std::vector<double> values);
Summary summarize(const Measurements& all);

// `value` rounded to an integer, with thousands separators: "1,234,567".
std::string with_thousands(double value);

// One target of the comparison, judged on the medians.
struct TargetCheck {
  std::string name;  // e.g. "fillseq_sync ≥ 1.2 × best peer".
  std::optional<double> dbx;
  std::optional<double> reference;  // The best peer or the disk's limit.
  std::string reference_name;
  std::optional<double> ratio;  // dbx / reference.
  double required = 0;          // ratio ≥ required, or ≤ when lower_is_better.
  bool lower_is_better = false;
  bool met() const;
};
std::vector<TargetCheck> check_targets(const Summary& summary);

// The results file: {"workloads": {w: {engine: x|null}}, "limits": {...},
// "dbx_durability": {...}, "targets": [...], "capped": {...}, "machine", "date",
// "command"}.
nlohmann::json to_results_json(const Summary& summary, const std::string& machine,
                               const std::string& date, const std::string& command);
// The transactional suite's section (txn_report.cc): figure -> engine -> x|null
// over kTxnEngineNames, and its markdown table.
nlohmann::json txn_results_json(const Summary& summary);
std::string txn_markdown(const Summary& summary);
// DBX encrypted vs plain (encryption_report.cc): the targets check_targets
// appends ("encrypted <figure> ≥ r × plain", dbx-encrypted over dbx), the
// results section {figure: {"dbx", "dbx-encrypted", "ratio"}} and its table.
std::vector<TargetCheck> encryption_targets(const Summary& summary);
nlohmann::json encryption_results_json(const Summary& summary);
std::string encryption_markdown(const Summary& summary);
std::string to_markdown(const Summary& summary, const std::string& machine, const std::string& date,
                        const std::string& command);

}  // namespace bench
