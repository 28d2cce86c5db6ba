// dbx-torture: the crash-torture CLI (torture/cli.h).
#include "torture/cli.h"

int main(int argc, char** argv) { return torture::run_cli(argc, argv); }
