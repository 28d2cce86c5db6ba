// WriteBatch: writes to any tables, applied atomically by Database::write().
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dbx {

class WriteBatch {
 public:
  enum class OpKind { kPut, kDelete };
  struct Op {
    OpKind kind;
    std::string table;
    std::string key;
    std::string value;  // Empty for kDelete.
  };

  void put(std::string_view table, std::string_view key, std::string_view value);
  void remove(std::string_view table, std::string_view key);
  void clear() { ops_.clear(); }

  const std::vector<Op>& ops() const { return ops_; }
  size_t size() const { return ops_.size(); }
  bool empty() const { return ops_.empty(); }

 private:
  std::vector<Op> ops_;
};

}  // namespace dbx
