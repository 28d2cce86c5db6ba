// Opens a database through the installed headers and libraries, writes,
// reopens and checks; exit 0 only if the value survived.
#include <dbx/dbx.h>
#include <faultfs/file_system.h>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  {
    auto db = dbx::Database::open_safe(argv[1]);
    db->insert("apps", "consumer", "linked");
  }
  auto db = dbx::Database::open(argv[1]);
  const auto value = db->get("apps", "consumer");
  auto exists = faultfs::posix_file_system().exists(std::string(argv[1]) + "/wal.log");
  if (value != "linked" || !exists.is_ok() || !exists.value()) {
    std::cerr << "consumer: round trip failed\n";
    return 1;
  }
  std::cout << "consumer: ok\n";
  return 0;
}
