// The WAL Recovery example: writes survive a real crash (SIGKILL) through the
// write-ahead log, then a flush checkpoints them into the WOS.
//
// Run in an empty directory: it creates ./wal_demo. The first phase writes in
// a child process that is killed with SIGKILL before any flush or close.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "dbx/dbx.h"

namespace {

constexpr const char* kPath = "wal_demo";
constexpr const char* kTable = "users";

std::string user_key(int id) { return "user_" + std::to_string(id); }
std::string user_name(int id) { return "User " + std::to_string(id); }

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "wal_recovery: " << what << "\n";
  std::exit(1);
}

// Child: 50 inserts in Lazy mode (each reaches the OS before it returns), then
// it reports and waits to be killed: no flush, no close, no destructor.
[[noreturn]] void write_then_wait_for_kill(int report_fd) {
  auto db = dbx::Database::open(kPath);
  for (int id = 1; id <= 50; ++id) db->insert(kTable, user_key(id), user_name(id));
  const char done = 'k';
  if (::write(report_fd, &done, 1) != 1) std::_Exit(3);
  for (;;) ::pause();
}

void crash_after_first_write() {
  int fds[2];
  if (::pipe(fds) != 0) fail("pipe failed");
  std::cout.flush();
  const pid_t child = ::fork();
  if (child < 0) fail("fork failed");
  if (child == 0) {
    ::close(fds[0]);
    try {
      write_then_wait_for_kill(fds[1]);
    } catch (const dbx::Error& e) {
      std::cerr << "child: " << e.what() << "\n";
      std::_Exit(2);
    }
  }
  ::close(fds[1]);
  char done = 0;
  if (::read(fds[0], &done, 1) != 1 || done != 'k') fail("the writer died before reporting");
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) fail("the writer was not killed");
  ::close(fds[0]);
}

}  // namespace

int main() {
  ::setenv("DBX_LOG_LEVEL", "warn", /*overwrite=*/0);  // Keep the demo's output as documented.
  try {
    std::filesystem::remove_all(kPath);
    std::cout << "=== DBX WAL Recovery Example ===\n\n";

    std::cout << "--- Initial Write ---\n";
    crash_after_first_write();
    std::cout << "✓ Inserted 50 users\n";
    const auto wal_bytes = std::filesystem::file_size(std::string(kPath) + "/wal.log");
    if (wal_bytes <= 512) fail("the WAL holds no records");
    std::cout << "✓ Data in WAL (not yet flushed)\n\n";

    std::cout << "--- Recovery After Crash ---\n";
    auto db = dbx::Database::open(kPath);
    const uint64_t recovered = db->count(kTable);
    if (recovered != 50) fail("recovered " + std::to_string(recovered) + " users, expected 50");
    std::cout << "✓ Recovered " << recovered << " users from WAL\n";
    const auto user = db->get(kTable, user_key(25));
    if (user != user_name(25)) fail("user_25 is missing or wrong");
    std::cout << "✓ Data verified: " << *user << "\n\n";

    std::cout << "--- Additional Write + Flush ---\n";
    for (int id = 51; id <= 100; ++id) db->insert(kTable, user_key(id), user_name(id));
    std::cout << "✓ Inserted 50 more users\n";
    db->flush();
    std::cout << "✓ Flushed to WOS\n\n";
    db->close();

    std::cout << "--- Final Verification ---\n";
    db = dbx::Database::open(kPath);
    std::cout << "✓ Total users: " << db->count(kTable) << "\n\n";
    db->close();

    std::cout << "=== Example Complete ===\n";
  } catch (const dbx::Error& e) {
    fail(e.what());
  }
  return 0;
}
