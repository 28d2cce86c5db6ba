#include "svg_chart.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "text.h"

namespace reports::svg {
namespace {

// Chart geometry in viewBox units; the page scales the whole drawing.
constexpr double kWidth = 560;
constexpr double kHeight = 260;
constexpr double kLeft = 56;  // Room for y tick labels.
constexpr double kRight = 16;
constexpr double kTop = 22;     // Room for value labels above the bars.
constexpr double kBottom = 44;  // Room for x labels and the axis title.
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;

// Distinct, colour-blind-safe hues (Okabe-Ito), one per bar in order.
constexpr const char* kPalette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                    "#D55E00", "#56B4E9", "#F0E442", "#000000"};

std::string num(double value) { return text::format_fixed(value, 1); }

// A tick step of 1, 2, 2.5 or 5 times a power of ten giving about `ticks`
// intervals up to `max_value` (> 0).
double nice_step(double max_value, int ticks) {
  assert(max_value > 0 && ticks > 0);
  const double raw = max_value / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / magnitude;
  double nice = 10;
  if (fraction <= 1) {
    nice = 1;
  } else if (fraction <= 2) {
    nice = 2;
  } else if (fraction <= 2.5) {
    nice = 2.5;
  } else if (fraction <= 5) {
    nice = 5;
  }
  return nice * magnitude;
}

struct Axis {
  double max = 1;
  double step = 1;
};

// Ticks from 0 to the first tick at or past `max_value`; a zero or tiny maximum
// still gets a unit axis so nothing divides by zero.
Axis make_axis(double max_value, int ticks) {
  if (!(max_value > 0) || !std::isfinite(max_value)) return Axis{1, 0.25};
  const double step = nice_step(max_value, ticks);
  const double max = std::ceil(max_value / step - 1e-9) * step;
  assert(max >= max_value * (1 - 1e-9) && step > 0);
  return Axis{max, step};
}

std::string svg_open(std::string_view title, std::string_view css_class) {
  return "<svg class=\"chart " + std::string(css_class) + "\" viewBox=\"0 0 " + num(kWidth) + " " +
         num(kHeight) + "\" role=\"img\" aria-label=\"" + text::escape_markup(title) +
         "\" xmlns=\"http://www.w3.org/2000/svg\"><title>" + text::escape_markup(title) +
         "</title>";
}

std::string label(double x, double y, std::string_view anchor, std::string_view css_class,
                  std::string_view content) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + std::string(anchor) +
         "\" class=\"" + std::string(css_class) + "\">" + text::escape_markup(content) + "</text>";
}

// Horizontal grid lines and y tick labels for `axis`.
std::string y_grid(const Axis& axis) {
  std::string out;
  const int ticks = static_cast<int>(std::llround(axis.max / axis.step));
  assert(ticks >= 1 && ticks <= 20);
  for (int i = 0; i <= ticks; i++) {
    const double value = axis.step * i;
    const double y = kTop + kPlotHeight - value / axis.max * kPlotHeight;
    out += "<line class=\"grid\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + kPlotWidth) +
           "\" y1=\"" + num(y) + "\" y2=\"" + num(y) + "\"/>";
    out += label(kLeft - 8, y + 4, "end", "tick", compact_number(value));
  }
  return out;
}

}  // namespace

std::string compact_number(double value) {
  const double magnitude = std::fabs(value);
  auto trimmed = [](double v, const char* suffix) {
    std::string digits = text::format_fixed(v, v < 10 ? 1 : 0);
    if (digits.size() > 2 && digits.ends_with(".0")) digits.resize(digits.size() - 2);
    return digits + suffix;
  };
  if (magnitude >= 1e9) return trimmed(value / 1e9, "G");
  if (magnitude >= 1e6) return trimmed(value / 1e6, "M");
  if (magnitude >= 1e3) return trimmed(value / 1e3, "k");
  if (magnitude == std::floor(magnitude)) return text::format_fixed(value, 0);
  return text::format_fixed(value, magnitude < 1 ? 2 : 1);
}

std::string bar_chart(const std::vector<Bar>& bars, std::string_view title) {
  const size_t count = std::min(bars.size(), kBarsMax);
  std::string out = svg_open(title, "bars");
  if (count == 0) {
    out += label(kWidth / 2, kHeight / 2, "middle", "empty", "no crash states recorded");
    return out + "</svg>";
  }
  uint64_t max_value = 0;
  for (size_t i = 0; i < count; i++) max_value = std::max(max_value, bars[i].value);
  const Axis axis = make_axis(static_cast<double>(max_value), 4);
  out += y_grid(axis);
  const double slot = kPlotWidth / static_cast<double>(count);
  const double bar_width = std::min(64.0, slot * 0.62);
  for (size_t i = 0; i < count; i++) {
    const double height = static_cast<double>(bars[i].value) / axis.max * kPlotHeight;
    const double x = kLeft + slot * (static_cast<double>(i) + 0.5);
    const double y = kTop + kPlotHeight - height;
    out += "<rect x=\"" + num(x - bar_width / 2) + "\" y=\"" + num(y) + "\" width=\"" +
           num(bar_width) + "\" height=\"" + num(height) + "\" rx=\"3\" fill=\"" +
           kPalette[i % std::size(kPalette)] + "\"><title>" +
           text::escape_markup(bars[i].label + ": " + text::format_count(bars[i].value)) +
           "</title></rect>";
    out += label(x, y - 6, "middle", "value", text::format_count(bars[i].value));
    out += label(x, kTop + kPlotHeight + 18, "middle", "category", bars[i].label);
  }
  out += "<line class=\"axis\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + kPlotWidth) +
         "\" y1=\"" + num(kTop + kPlotHeight) + "\" y2=\"" + num(kTop + kPlotHeight) + "\"/>";
  return out + "</svg>";
}

std::string line_chart(const std::vector<Point>& points, std::string_view title,
                       std::string_view x_label, std::string_view y_label) {
  std::string out = svg_open(title, "line");
  if (points.empty()) {
    out += label(kWidth / 2, kHeight / 2, "middle", "empty", "no rate samples recorded");
    return out + "</svg>";
  }
  const size_t count = std::min(points.size(), kLinePointsMax);
  double x_max = 0;
  double y_max = 0;
  for (size_t i = 0; i < count; i++) {
    assert(points[i].x >= 0 && points[i].y >= 0);
    x_max = std::max(x_max, points[i].x);
    y_max = std::max(y_max, points[i].y);
  }
  // Time ends where the campaign did, not at the next round tick.
  Axis x_axis = make_axis(x_max, 6);
  if (x_max > 0) x_axis.max = x_max;
  const Axis y_axis = make_axis(y_max, 4);
  out += y_grid(y_axis);
  const int x_ticks = static_cast<int>(std::floor(x_axis.max / x_axis.step + 1e-9));
  assert(x_ticks >= 0 && x_ticks <= 20);
  for (int i = 0; i <= x_ticks; i++) {
    const double value = x_axis.step * i;
    const double x = kLeft + value / x_axis.max * kPlotWidth;
    out += label(x, kTop + kPlotHeight + 16, "middle", "tick", compact_number(value));
  }
  auto px = [&](const Point& p) { return kLeft + p.x / x_axis.max * kPlotWidth; };
  auto py = [&](const Point& p) { return kTop + kPlotHeight - p.y / y_axis.max * kPlotHeight; };
  std::string line;
  for (size_t i = 0; i < count; i++) {
    if (i > 0) line += ' ';
    line += num(px(points[i]));
    line += ',';
    line += num(py(points[i]));
  }
  const std::string baseline = num(kTop + kPlotHeight);
  out += "<polygon class=\"area\" points=\"" + num(px(points[0])) + "," + baseline + " " + line +
         " " + num(px(points[count - 1])) + "," + baseline + "\"/>";
  out += "<polyline class=\"rate\" points=\"" + line + "\"/>";
  if (count <= 40) {
    for (size_t i = 0; i < count; i++) {
      out += "<circle class=\"dot\" cx=\"" + num(px(points[i])) + "\" cy=\"" + num(py(points[i])) +
             "\" r=\"3\"/>";
    }
  }
  out += "<line class=\"axis\" x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + kPlotWidth) +
         "\" y1=\"" + baseline + "\" y2=\"" + baseline + "\"/>";
  out += label(kLeft + kPlotWidth / 2, kHeight - 6, "middle", "axis-title", x_label);
  out += label(kLeft, 12, "start", "axis-title", y_label);
  return out + "</svg>";
}

std::vector<Point> rate_points(const std::vector<RatePoint>& series, size_t points_max) {
  assert(points_max >= 1);
  std::vector<RatePoint> samples;
  if (!series.empty() && series.front().t_s > 0) samples.push_back({0, 0});
  samples.insert(samples.end(), series.begin(), series.end());
  std::vector<Point> points;
  if (samples.size() < 2) return points;
  const size_t intervals = std::min(points_max, samples.size() - 1);
  size_t previous = 0;
  for (size_t i = 1; i <= intervals; i++) {
    const size_t current = i * (samples.size() - 1) / intervals;
    const double dt = samples[current].t_s - samples[previous].t_s;
    if (dt > 0) {
      const auto states =
          static_cast<double>(samples[current].crash_states - samples[previous].crash_states);
      points.push_back({samples[current].t_s, states / dt});
      previous = current;
    }
  }
  assert(points.size() <= points_max);
  return points;
}

}  // namespace reports::svg
