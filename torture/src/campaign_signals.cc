#include "campaign_signals.h"

#include <signal.h>

#include <atomic>
#include <cstring>

namespace torture::campaign_signals {

namespace {

volatile sig_atomic_t g_first = 0;
volatile sig_atomic_t g_count = 0;

void on_signal(int signo) {
  if (g_first == 0) g_first = signo;
  g_count = g_count + 1;
}

void set(int signo, void (*handler)(int)) {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: the parent's poll() returns EINTR and sees the signal at once.
  ::sigaction(signo, &action, nullptr);
}

}  // namespace

void install() {
  g_first = 0;
  g_count = 0;
  set(SIGINT, on_signal);
  set(SIGTERM, on_signal);
}

void restore_defaults() {
  set(SIGINT, SIG_DFL);
  set(SIGTERM, SIG_DFL);
}

int received() { return g_first; }
int count() { return g_count; }

std::string name(int signo) {
  if (signo == SIGINT) return "SIGINT";
  if (signo == SIGTERM) return "SIGTERM";
  return "SIG" + std::to_string(signo);
}

int exit_code(int signo) { return 128 + signo; }

int exit_code(const std::string& signal_name) {
  for (const int signo : {SIGINT, SIGTERM}) {
    if (name(signo) == signal_name) return exit_code(signo);
  }
  return 2;
}

}  // namespace torture::campaign_signals
