#include "counting_fs.h"

namespace dbx::testing {
namespace {

class CountingFile final : public faultfs::FileWrapper {
 public:
  CountingFile(std::unique_ptr<faultfs::File> inner, CountingFs& fs)
      : FileWrapper(std::move(inner)), fs_(fs), is_wal_(path().ends_with("wal.log")) {}

  faultfs::Result<size_t> read_at(uint64_t offset, std::span<char> buf) override {
    fs_.counters().reads.fetch_add(1);
    return target().read_at(offset, buf);
  }
  faultfs::Status append(std::string_view data) override {
    fs_.counters().writes.fetch_add(1);
    faultfs::Status injected = fs_.maybe_fail("write", path());
    if (!injected.is_ok()) return injected;
    return target().append(data);
  }
  faultfs::Status write_at(uint64_t offset, std::string_view data) override {
    fs_.counters().writes.fetch_add(1);
    faultfs::Status injected = fs_.maybe_fail("write", path());
    if (!injected.is_ok()) return injected;
    return target().write_at(offset, data);
  }
  faultfs::Status sync() override {
    fs_.counters().syncs.fetch_add(1);
    if (is_wal_) fs_.counters().wal_syncs.fetch_add(1);
    faultfs::Status injected = fs_.maybe_fail("sync", path());
    if (!injected.is_ok()) return injected;
    return target().sync();
  }

 private:
  CountingFs& fs_;
  const bool is_wal_;
};

}  // namespace

faultfs::Result<std::unique_ptr<faultfs::File>> CountingFs::open(const std::string& path,
                                                                 faultfs::OpenMode mode) {
  auto file = target().open(path, mode);
  if (!file.is_ok()) return file.status();
  return std::unique_ptr<faultfs::File>(new CountingFile(std::move(file).value(), *this));
}

faultfs::Status CountingFs::rename(const std::string& from, const std::string& to) {
  counters_.renames.fetch_add(1);
  faultfs::Status injected = maybe_fail("rename", to);
  if (!injected.is_ok()) return injected;
  return target().rename(from, to);
}

faultfs::Status CountingFs::sync_dir(const std::string& path) {
  counters_.sync_dirs.fetch_add(1);
  faultfs::Status injected = maybe_fail("sync_dir", path);
  if (!injected.is_ok()) return injected;
  return target().sync_dir(path);
}

}  // namespace dbx::testing
