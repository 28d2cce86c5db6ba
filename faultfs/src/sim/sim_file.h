// The File and FileLock a SimFs hands out.
#pragma once

#include <memory>
#include <string>

#include "faultfs/file_system.h"
#include "faultfs/writeback_fault.h"
#include "sim_core.h"

namespace faultfs::sim {

class SimFile final : public File, public WritebackFaultTarget {
 public:
  SimFile(std::shared_ptr<Core> core, std::shared_ptr<FileInode> inode, std::string path,
          bool writable);
  // Dropping a handle without close() is no close for auto_da_alloc: the
  // implicit close of a killed process races the power loss it models, and
  // a trace records only explicit closes.
  ~SimFile() override = default;

  [[nodiscard]] Result<size_t> read_at(uint64_t offset, std::span<char> buf) override;
  [[nodiscard]] Status append(std::string_view data) override;
  [[nodiscard]] Status write_at(uint64_t offset, std::string_view data) override;
  [[nodiscard]] Status sync() override;
  [[nodiscard]] Status truncate(uint64_t size) override;
  [[nodiscard]] Result<uint64_t> size() override;
  [[nodiscard]] Status close() override;
  const std::string& path() const override { return path_; }

  // Drops the file's un-synced changes (live bytes revert to durable).
  [[nodiscard]] Status fail_sync(Status error) override;

 private:
  // Common checks of a data-changing call, with the core locked.
  [[nodiscard]] Status admit_write(std::string_view op, uint64_t end) const;
  [[nodiscard]] Status write_locked(std::string_view op, uint64_t offset, std::string_view data);

  const std::shared_ptr<Core> core_;
  const std::shared_ptr<FileInode> inode_;
  const std::string path_;
  const bool writable_;
  bool closed_ = false;  // Guarded by core_->mu.
};

class SimLock final : public FileLock {
 public:
  SimLock(std::shared_ptr<Core> core, std::string key, std::string path);
  ~SimLock() override;
  const std::string& path() const override { return path_; }

 private:
  const std::shared_ptr<Core> core_;
  const std::string key_;
  const std::string path_;
};

// Drops every un-synced change of `inode`: live reverts to durable.
void drop_pending(Core& core, FileInode& inode);

}  // namespace faultfs::sim
