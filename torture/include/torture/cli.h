// The dbx-torture command line (CLI11):
//   run [--target NAME] [--durability none|lazy|full|all] [--mode sim|fork|all]
//       [--policy drop,prefix,reorder,torn,corrupt,lost-file|default|all]
//       [--fs-model posix|ext4-ordered]
//       [--io-errors off|on] [--ops N] [--threads T] [--seed S]
//       [--time SECONDS | --workloads N] [--jobs J] [--shard K/N]
//       [--report DIR] [--junit FILE] [--known FILE] [--quiet]
//   replay ARTIFACT_DIR
//   dump-image ARTIFACT_DIR OUT_DIR
//   shrink ARTIFACT_DIR [--out DIR] [--time SECONDS]
//   merge REPORT_DIR... --report OUT [--junit FILE]
//   list-targets
//   exec --check CMD [--policies P] [--fs-model posix,ext4-ordered|all] [--seed S]
//        [--time SECONDS] [--images-max N] [--jobs J] [--check-timeout S]
//        [--report DIR] [--junit FILE] -- PROGRAM ARGS...   (torture/exec.h)
//   exec --replay ARTIFACT_DIR [--check CMD]
// Exit codes: 0 no violation; 1 violations (replay: still failing); 2 usage
// or set-up error, with one line on stderr naming it.
#pragma once

namespace torture {

int run_cli(int argc, char** argv);

}  // namespace torture
