// summary.json's "exploration" object (Summary::exploration): written by
// summary_json_writer.cc, read by summary_json_reader.cc.
#pragma once

#include <nlohmann/json.hpp>

#include "reports/status.h"
#include "reports/summary.h"

namespace reports {

nlohmann::ordered_json exploration_json(const Exploration& exploration);
// format_error naming the field for anything missing or mistyped.
[[nodiscard]] Status read_exploration(const nlohmann::json& value, Exploration* out);

}  // namespace reports
