// JUnit XML for CI (`--junit FILE`): one testcase per durability x policy x
// mode, named like "lazy.torn.sim", classname "dbx-torture.<target>".
//
// Valid against the common JUnit schema (Jenkins junit-10.xsd): a
// <testsuites> root holding one <testsuite> with tests/failures/errors/
// skipped/time attributes and the campaign's config as <properties>.
#pragma once

#include <string>

#include "reports/summary.h"

namespace reports {

// At most this many violations are spelled out in one testcase's <failure>.
inline constexpr size_t kJunitViolationsPerCaseMax = 20;

// Renders `summary` (which must pass validate()). Testcases: every
// combination of the configured lists, plus any other combination a counter
// or a violation names, in configuration order then sorted. A testcase with
// violations carries one <failure> whose type is the first violation's kind
// and whose text lists each violation's kind, id, replay line and artifact;
// one with no crash state judged is <skipped>. Each testcase's time is
// elapsed_s apportioned by its share of crash states. All text is
// XML-escaped; characters XML 1.0 forbids become U+FFFD.
std::string render_junit_xml(const Summary& summary);

}  // namespace reports
