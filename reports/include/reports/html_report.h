// index.html: the report a person reads.
//
// Self-contained: inline CSS and SVG, one inline script for the copy buttons,
// nothing fetched from the network, system fonts only. Sections: verdict
// banner, key figures, declared fault model, configuration, charts (crash
// states per policy, rate over time), and every violation with its diff and
// a copyable replay command.
#pragma once

#include <string>

#include "reports/summary.h"

namespace reports {

// At most this many violations are shown in full; the page says how many
// more summary.json lists.
inline constexpr size_t kHtmlViolationsMax = 200;

// Renders `summary` (which must pass validate()) as one well-formed HTML5
// document (every non-void element closed). All report text is HTML-escaped.
std::string render_html_report(const Summary& summary);

}  // namespace reports
