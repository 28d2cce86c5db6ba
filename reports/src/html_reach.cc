// index.html's reach table: which paths the campaign's crash states reached.
// A path at zero is one a recovery bug could sit on unseen, so it is flagged
// in the section's heading and on its row, never hidden.
#include <map>
#include <string>
#include <string_view>

#include "html_sections.h"
#include "text.h"

namespace reports::html {
namespace {

std::string rows(std::string_view section, std::string_view unit,
                 const std::map<std::string, uint64_t>& counts) {
  std::string out;
  for (const auto& [name, count] : counts) {
    const bool zero = count == 0;
    out += std::string("<tr") + (zero ? " class=\"unreached\"" : "") + "><td>" +
           text::escape_markup(section) + "</td><td><code>" + text::escape_markup(name) +
           "</code></td><td>" + text::format_count(count) + " " + text::escape_markup(unit) +
           (zero ? " <b>(never reached)</b>" : "") + "</td></tr>\n";
  }
  return out;
}

}  // namespace

std::string reach_section(const Summary& summary) {
  const Reach& reach = summary.counters.reach;
  const size_t zero_rows = unreached(reach).size();
  std::string out = "<section class=\"card\" id=\"reach\">\n<h2>Reach</h2>\n";
  if (reach.kill_points.empty() && reach.recovery_outcomes.empty() &&
      reach.workload_features.empty()) {
    return out + "<p class=\"muted\">No reach figures in this report.</p>\n</section>\n";
  }
  out += zero_rows == 0
             ? std::string("<p>Every path listed below was reached.</p>\n")
             : "<p class=\"unreached\"><b>" + text::format_count(zero_rows) +
                   " path(s) never reached</b>: no crash state exercised them, so a bug there "
                   "would go unseen.</p>\n";
  out += "<table><tr><th>what</th><th>path</th><th>reached by</th></tr>\n";
  out += rows("kill point", "crash states", reach.kill_points);
  out += rows("recovery outcome", "recoveries", reach.recovery_outcomes);
  out += rows("workload feature", "workloads", reach.workload_features);
  return out + "</table>\n</section>\n";
}

}  // namespace reports::html
