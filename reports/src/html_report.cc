#include "reports/html_report.h"

#include <cassert>

#include "html_sections.h"
#include "text.h"

namespace reports {
namespace {

// System fonts only: the page must render the same offline and behind proxies.
constexpr const char* kStyle = R"css(
:root { --ink:#1f2328; --muted:#59636e; --line:#d1d9e0; --soft:#f6f8fa; --accent:#0072B2;
  --pass:#1a7f37; --pass-bg:#dafbe1; --fail:#cf222e; --fail-bg:#ffebe9; --warn-bg:#fff8c5; }
* { box-sizing:border-box; }
body { margin:0; background:#eef1f4; color:var(--ink);
  font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; }
main { max-width:1100px; margin:0 auto; padding:28px 24px 48px; }
h1 { font-size:24px; margin:0 0 4px; }
h2 { font-size:18px; margin:0 0 12px; }
h3 { font-size:15px; margin:0 0 8px; }
code, pre, .mono { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;
  font-size:13px; }
.meta { color:var(--muted); margin:0; }
.meta b { color:var(--ink); font-weight:600; }
section.card { background:#fff; border:1px solid var(--line); border-radius:10px; padding:18px 20px;
  margin-top:18px; }
.verdict { display:flex; align-items:center; gap:20px; border-radius:10px; padding:18px 22px;
  margin-top:18px; border:2px solid; }
.verdict.pass { background:var(--pass-bg); border-color:var(--pass); }
.verdict.fail { background:var(--fail-bg); border-color:var(--fail); }
.verdict .word { font-size:34px; font-weight:800; letter-spacing:.04em; color:#fff;
  border-radius:8px; padding:4px 18px; }
.verdict.pass .word { background:var(--pass); }
.verdict.fail .word { background:var(--fail); }
.verdict .what { font-size:18px; font-weight:600; }
.verdict .note { color:var(--muted); font-size:14px; font-weight:400; }
.warn { background:var(--warn-bg); border:1px solid #d4a72c; border-radius:6px; padding:6px 10px;
  margin-top:8px; font-size:14px; }
.figures { display:grid; grid-template-columns:repeat(auto-fit,minmax(150px,1fr)); gap:12px;
  margin-top:18px; }
.figure { background:#fff; border:1px solid var(--line); border-radius:10px; padding:12px 14px; }
.figure .value { font-size:22px; font-weight:700; }
.figure .label { color:var(--muted); font-size:13px; }
.figure.bad .value { color:var(--fail); }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:var(--soft); font-weight:600; }
table.kv th { width:220px; background:none; color:var(--muted); font-weight:500; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
td.hit { background:var(--fail-bg); color:var(--fail); font-weight:700; }
td.none { color:#8c959f; }
table.coverage { width:auto; min-width:60%; }
table.coverage td.num, table.coverage th.num { min-width:150px; }
h3.spaced { margin-top:20px; }
table.diff { table-layout:fixed; }
table.diff th:nth-child(1) { width:34%; }
table.diff th:nth-child(2) { width:12%; }
@media (max-width:640px) {
  main { padding:16px 10px 32px; }
  section.card { padding:14px 12px; }
  .verdict { flex-direction:column; align-items:flex-start; gap:10px; }
  th, td { padding:5px 6px; }
  table.diff th:nth-child(2) { width:18%; }
  table.coverage td.num, table.coverage th.num { min-width:0; }
}
.charts { display:grid; grid-template-columns:repeat(auto-fit,minmax(min(420px,100%),1fr)); gap:18px; }
figure { margin:0; }
figcaption { font-weight:600; margin-bottom:6px; }
svg.chart { width:100%; height:auto; display:block; }
svg.chart .grid { stroke:#e4e8ec; stroke-width:1; }
svg.chart .axis { stroke:#8c959f; stroke-width:1; }
svg.chart text { font-size:12px; fill:var(--muted); }
svg.chart text.value { fill:var(--ink); font-weight:600; }
svg.chart text.category { fill:var(--ink); font-size:13px; }
svg.chart text.axis-title { font-size:12px; }
svg.chart text.empty { font-size:14px; }
svg.chart .rate { fill:none; stroke:var(--accent); stroke-width:2; stroke-linejoin:round; }
svg.chart .area { fill:var(--accent); fill-opacity:.12; stroke:none; }
svg.chart .dot { fill:var(--accent); }
.beyond { background:var(--warn-bg); border-left:4px solid #d4a72c; padding:8px 12px; margin:12px 0 0;
  border-radius:4px; }
.beyond ul { margin:4px 0 0; padding-left:20px; }
tr.unreached td, p.unreached { background:var(--warn-bg); }
article.violation { border:1px solid var(--line); border-left:4px solid var(--fail); border-radius:8px;
  padding:14px 16px; margin-top:14px; }
article.violation header { display:flex; flex-wrap:wrap; align-items:baseline; gap:10px; margin-bottom:8px; }
.kind { background:var(--fail); color:#fff; border-radius:12px; padding:1px 10px; font-weight:600;
  font-size:13px; }
.case { color:var(--muted); }
.detail { margin:6px 0; }
.keys code { background:var(--soft); border:1px solid var(--line); border-radius:4px; padding:0 5px;
  margin:0 4px 4px 0; display:inline-block; word-break:break-all; }
.replay { display:flex; gap:8px; align-items:stretch; margin-top:10px; }
.replay pre { flex:1; margin:0; background:#1f2328; color:#f0f3f6; border-radius:6px; padding:9px 12px;
  white-space:pre-wrap; word-break:break-all; user-select:all; }
.replay button { border:1px solid var(--line); background:#fff; border-radius:6px; padding:0 14px;
  font:inherit; cursor:pointer; }
.replay button:hover { background:var(--soft); }
.muted { color:var(--muted); }
footer { color:var(--muted); font-size:13px; margin-top:22px; text-align:center; }
)css";

// Copies the replay line next to the button; the text comes from the DOM, so
// no report data is ever spliced into script.
constexpr const char* kScript = R"js(
document.querySelectorAll("button.copy").forEach(function (button) {
  button.addEventListener("click", function () {
    var text = button.parentNode.querySelector("pre").textContent;
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(done, function () {});
    }
  });
});
)js";

}  // namespace

std::string render_html_report(const Summary& summary) {
  assert(validate(summary).is_ok());
  const std::string verdict = passed(summary) ? "PASS" : "FAIL";
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += "<title>dbx-torture " + verdict + " \xC2\xB7 " +
          text::escape_markup(summary.config.target) + "</title>\n";
  page += "<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n";
  page += "<header>\n<h1>dbx-torture report</h1>\n<p class=\"meta\">target <b>" +
          text::escape_markup(summary.config.target) + "</b> \xC2\xB7 seed <b>" +
          std::to_string(summary.config.seed) + "</b> \xC2\xB7 started <b>" +
          format_utc_timestamp(summary.started_unix_ms) + "</b> \xC2\xB7 finished <b>" +
          format_utc_timestamp(summary.finished_unix_ms) + "</b>";
  if (!summary.hostname.empty()) {
    page += " \xC2\xB7 host <b>" + text::escape_markup(summary.hostname) + "</b>";
  }
  page += "</p>\n</header>\n";
  page += html::verdict_section(summary);
  page += html::figures_section(summary);
  page += html::causes_section(summary);
  page += html::violations_section(summary);
  page += html::exploration_section(summary);
  page += html::reach_section(summary);
  page += html::charts_section(summary);
  page += html::fault_model_section(summary);
  page += html::config_section(summary);
  page += "<footer>dbx-torture toolkit " + text::escape_markup(summary.toolkit_version) +
          " \xC2\xB7 engine " + text::escape_markup(summary.engine_version) +
          " \xC2\xB7 machine-readable data: summary.json</footer>\n";
  page += "</main>\n<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace reports
