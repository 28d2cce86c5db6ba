#include "counting_fs.h"

namespace dbx::testing {
namespace {

class CountingFile final : public faultfs::File {
 public:
  CountingFile(std::unique_ptr<faultfs::File> inner, CountingFs& fs)
      : inner_(std::move(inner)), fs_(fs), is_wal_(inner_->path().ends_with("wal.log")) {}

  faultfs::Result<size_t> read_at(uint64_t offset, std::span<char> buf) override {
    fs_.counters().reads.fetch_add(1);
    return inner_->read_at(offset, buf);
  }
  faultfs::Status append(std::string_view data) override {
    fs_.counters().writes.fetch_add(1);
    faultfs::Status injected = fs_.maybe_fail("write", path());
    if (!injected.is_ok()) return injected;
    return inner_->append(data);
  }
  faultfs::Status write_at(uint64_t offset, std::string_view data) override {
    fs_.counters().writes.fetch_add(1);
    faultfs::Status injected = fs_.maybe_fail("write", path());
    if (!injected.is_ok()) return injected;
    return inner_->write_at(offset, data);
  }
  faultfs::Status sync() override {
    fs_.counters().syncs.fetch_add(1);
    if (is_wal_) fs_.counters().wal_syncs.fetch_add(1);
    faultfs::Status injected = fs_.maybe_fail("sync", path());
    if (!injected.is_ok()) return injected;
    return inner_->sync();
  }
  faultfs::Status truncate(uint64_t size) override { return inner_->truncate(size); }
  faultfs::Result<uint64_t> size() override { return inner_->size(); }
  faultfs::Status close() override { return inner_->close(); }
  const std::string& path() const override { return inner_->path(); }

 private:
  std::unique_ptr<faultfs::File> inner_;
  CountingFs& fs_;
  const bool is_wal_;
};

}  // namespace

faultfs::Result<std::unique_ptr<faultfs::File>> CountingFs::open(const std::string& path,
                                                                 faultfs::OpenMode mode) {
  auto file = inner_.open(path, mode);
  if (!file.is_ok()) return file.status();
  return std::unique_ptr<faultfs::File>(new CountingFile(std::move(file).value(), *this));
}

faultfs::Status CountingFs::rename(const std::string& from, const std::string& to) {
  counters_.renames.fetch_add(1);
  faultfs::Status injected = maybe_fail("rename", to);
  if (!injected.is_ok()) return injected;
  return inner_.rename(from, to);
}

faultfs::Status CountingFs::sync_dir(const std::string& path) {
  counters_.sync_dirs.fetch_add(1);
  faultfs::Status injected = maybe_fail("sync_dir", path);
  if (!injected.is_ok()) return injected;
  return inner_.sync_dir(path);
}

}  // namespace dbx::testing
