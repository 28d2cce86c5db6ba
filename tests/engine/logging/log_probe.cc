// Writes one line at each level through the engine's logger, then, given a
// directory, opens and closes a database there so the engine logs its own
// lines. log_level_test runs it under different environments.
#include <cstdio>

#include "dbx/dbx.h"
#include "logger.h"

int main(int argc, char** argv) {
  dbx::logger().trace("probe trace line");
  dbx::logger().debug("probe debug line");
  dbx::logger().info("probe info line");
  dbx::logger().warn("probe warn line");
  dbx::logger().error("probe error line");
  dbx::logger().critical("probe critical line");
  if (argc > 1) dbx::Database::open(argv[1])->close();
  return 0;
}
