// Inline SVG charts for index.html (internal to dbx_reports).
//
// Charts scale with their container (viewBox, no fixed size), take their font
// from the page, and escape every label, so they can be pasted into the page
// as they are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reports/summary.h"

namespace reports::svg {

struct Bar {
  std::string label;
  uint64_t value = 0;
};

// Vertical bars from zero, one per entry in the given order, each labeled
// below and with its value above. `title` is the accessible name. Bars beyond
// kBarsMax are dropped (the caller passes at most a policy list).
inline constexpr size_t kBarsMax = 32;
std::string bar_chart(const std::vector<Bar>& bars, std::string_view title);

struct Point {
  double x = 0;
  double y = 0;
};

// A line over `points` (x ascending, both >= 0) with a shaded area below,
// axes from zero and labeled ticks. Empty input yields a chart saying so.
inline constexpr size_t kLinePointsMax = 2000;
std::string line_chart(const std::vector<Point>& points, std::string_view title,
                       std::string_view x_label, std::string_view y_label);

// The campaign's rate over time (crash states per second, x in seconds) from
// its cumulative series, measured between at most `points_max` + 1 evenly
// spaced samples, starting from an implicit (0 s, 0) when the series starts later.
std::vector<Point> rate_points(const std::vector<RatePoint>& series, size_t points_max);

// A short label for an axis tick: 950, 1.5k, 12k, 3.2M.
std::string compact_number(double value);

}  // namespace reports::svg
