// index.html's exploration section: an exhaustive campaign's space and how
// much of it was covered; a shortfall is stated, never hidden.
#include <string>

#include "html_sections.h"
#include "text.h"

namespace reports::html {
namespace {

std::string row(const char* what, uint64_t count) {
  return std::string("<tr><td>") + what + "</td><td>" + text::format_count(count) + "</td></tr>\n";
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::string exploration_section(const Summary& summary) {
  if (!summary.exploration) return "";
  const Exploration& e = *summary.exploration;
  std::string out = "<section class=\"card\" id=\"exploration\">\n<h2>Exploration</h2>\n";
  out += std::string("<p") + (e.covered ? "" : " class=\"unreached\"") + "><b>" +
         text::escape_markup(e.coverage) + "</b></p>\n";
  out += "<p>Every workload of at most " + std::to_string(e.max_ops) + " operations over <code>" +
         text::escape_markup(joined(e.alphabet)) + "</code>, under fs models <code>" +
         text::escape_markup(joined(e.fs_models)) + "</code>.</p>\n";
  out += "<table><tr><th>what</th><th>count</th></tr>\n";
  out += row("workloads", e.workloads);
  out += row("runs (workloads x durability levels x fs models)", e.runs);
  out += row("runs walked whole", e.runs_done);
  out += row("crash points", e.points);
  out += row("(point, policy) image walks", e.enumerations);
  out += row("walks over budget, sampled", e.enumerations_partial);
  out += row("distinct images", e.images);
  out += row("duplicate choices within walks", e.duplicates);
  out += row("images skipped as already judged", e.skipped);
  out += row("sampled images", e.sampled);
  return out + "</table>\n</section>\n";
}

}  // namespace reports::html
