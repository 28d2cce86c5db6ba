#include "dbx/write_batch.h"

namespace dbx {

void WriteBatch::put(std::string_view table, std::string_view key, std::string_view value) {
  ops_.push_back(Op{OpKind::kPut, std::string(table), std::string(key), std::string(value)});
}

void WriteBatch::remove(std::string_view table, std::string_view key) {
  ops_.push_back(Op{OpKind::kDelete, std::string(table), std::string(key), std::string()});
}

}  // namespace dbx
