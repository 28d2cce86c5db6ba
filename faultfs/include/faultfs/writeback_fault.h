// How an injected sync failure reaches the layer that can model it.
//
// A sync that fails on Linux (writeback error) has consequences below the
// caller: the file's dirty pages are dropped and the error is reported once.
// A wrapper that injects the failure (FaultInjectionFs) cannot drop data in
// the file system under it, so a File that can model the consequence
// implements this interface; wrappers forward it (the Recorder logs it so a
// replay drops the same data) and the SimFs file applies it.
#pragma once

#include "faultfs/status.h"

namespace faultfs {

class WritebackFaultTarget {
 public:
  virtual ~WritebackFaultTarget() = default;

  // Fails one sync() with `error` (not OK): the file's un-synced changes are
  // dropped as a writeback failure drops them, and `error` is returned.
  [[nodiscard]] virtual Status fail_sync(Status error) = 0;
};

}  // namespace faultfs
