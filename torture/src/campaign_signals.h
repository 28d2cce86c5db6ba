// SIGINT and SIGTERM during a campaign: the handler only records the signal;
// the campaign's loop sees it, stops its workers and writes the report of
// what ran (a cancelled CI job keeps its findings).
#pragma once

#include <string>

namespace torture::campaign_signals {

// Installs the handlers (in the campaign's parent only: workers restore the
// defaults). A second signal while stopping makes the stop immediate.
void install();
// Back to the default dispositions (a worker, or the end of the campaign).
void restore_defaults();

// The first signal received, 0 while none.
int received();
// How many have been received.
int count();

// "SIGINT", "SIGTERM".
std::string name(int signo);
// 128 + signo, as shells report a death by that signal: 130, 143.
int exit_code(int signo);
// exit_code() of a name() ("SIGINT": 130); 2 for a name it never returns.
int exit_code(const std::string& signal_name);

}  // namespace torture::campaign_signals
