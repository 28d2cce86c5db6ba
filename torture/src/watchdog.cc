#include "watchdog.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "json_util.h"

namespace torture::watchdog {

namespace {

constexpr size_t kLineBytesMax = 4096;

int g_fd = -1;
unsigned g_seconds = kRecoverySecondsMax;
// The line the handler writes; filled before the alarm is set, never while
// it may fire (the alarm is cancelled first).
char g_line[kLineBytesMax];
std::atomic<size_t> g_line_bytes{0};

void on_alarm(int) {
  const size_t n = g_line_bytes.load();
  if (g_fd >= 0 && n > 0) {
    const ssize_t written = ::write(g_fd, g_line, n);
    (void)written;  // Nothing else can be done from a signal handler.
  }
  ::_exit(2);
}

}  // namespace

void arm(int fd) {
  g_fd = fd;
  // $DBX_TORTURE_RECOVERY_TIMEOUT_S overrides the limit (tests, slow hosts).
  if (const char* env = std::getenv("DBX_TORTURE_RECOVERY_TIMEOUT_S"); env != nullptr) {
    const long seconds = std::strtol(env, nullptr, 10);
    if (seconds > 0 && seconds <= 86'400) g_seconds = static_cast<unsigned>(seconds);
  }
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_alarm;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGALRM, &action, nullptr);
}

Scope::Scope(const std::string& what) {
  if (g_fd < 0) return;
  ::alarm(0);
  const json_util::Json line{
      {"error", "a recovery ran longer than " + std::to_string(g_seconds) + " s: " + what}};
  std::string text = line.dump(-1, ' ', false, json_util::Json::error_handler_t::replace) + "\n";
  if (text.size() > kLineBytesMax) text = "{\"error\":\"a recovery ran too long\"}\n";
  std::memcpy(g_line, text.data(), text.size());
  g_line_bytes.store(text.size());
  ::alarm(g_seconds);
}

Scope::~Scope() {
  if (g_fd >= 0) ::alarm(0);
}

}  // namespace torture::watchdog
