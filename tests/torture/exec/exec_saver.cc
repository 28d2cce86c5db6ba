// A program that saves a small file several times by the write-then-rename
// idiom, for `dbx-torture exec` tests. Usage: exec_saver MODE COUNT, where
//   unsafe: write data.tmp, rename it over data (no fsync at all);
//   safe:   write data.tmp, fsync it, rename it over data, fsync the folder;
//   stdio:  write data with fopen/fputs (which the recorder refuses);
//   rmdir:  mkdir then rmdir a folder (recorded, and rebuilt through FileSystem::rmdir).
// After each save it writes the saved number as one line to $DBX_ACK_FD.
// The file holds just that number, so a check can demand data >= last ack.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

[[noreturn]] void fail(const char* what) {
  std::perror(what);
  std::exit(1);
}

void write_all(int fd, const std::string& s) {
  if (::write(fd, s.data(), s.size()) != static_cast<ssize_t>(s.size())) fail("write");
}

void save(const std::string& content, bool durable) {
  const int fd = ::open("data.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail("open data.tmp");
  write_all(fd, content);
  if (durable && ::fsync(fd) != 0) fail("fsync data.tmp");
  if (::close(fd) != 0) fail("close");
  if (::rename("data.tmp", "data") != 0) fail("rename");
  if (durable) {
    const int dir = ::open(".", O_RDONLY | O_DIRECTORY);
    if (dir < 0 || ::fsync(dir) != 0 || ::close(dir) != 0) fail("fsync .");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: exec_saver unsafe|safe|stdio|rmdir COUNT\n");
    return 2;
  }
  const std::string mode = argv[1];
  const int count = std::atoi(argv[2]);
  const char* ack_env = std::getenv("DBX_ACK_FD");
  const int ack_fd = ack_env != nullptr ? std::atoi(ack_env) : -1;
  if (mode == "rmdir") {
    if (::mkdir("scratch", 0755) != 0 || ::rmdir("scratch") != 0) fail("mkdir/rmdir");
    return 0;
  }
  for (int i = 1; i <= count; ++i) {
    const std::string number = std::to_string(i);
    if (mode == "stdio") {
      FILE* f = std::fopen("data", "w");
      if (f == nullptr || std::fputs(number.c_str(), f) < 0 || std::fclose(f) != 0) fail("stdio");
    } else {
      save(number + "\n", mode == "safe");
    }
    if (ack_fd >= 0) write_all(ack_fd, number + "\n");
  }
  return 0;
}
