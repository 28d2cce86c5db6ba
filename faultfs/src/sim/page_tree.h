// PageTree: the bytes of one simulated file as a persistent radix tree of
// fixed-size pages, shared copy-on-write.
//
// Copying a PageTree copies one pointer; the copies then diverge page by page
// (a write copies the pages and the root-to-leaf path it touches, unless no
// other tree holds them). This is what makes a SimFs clone or crash image
// cost O(changes) instead of O(bytes).
//
// Invariants: every byte at or past size() reads as zero, whether its page
// is absent (a hole) or present; absent pages read as zeros.
//
// Thread-safety: a PageTree is not synchronized; SimFs guards each one with
// its lock. Distinct trees sharing pages may be used from different threads,
// because a shared page is never modified in place.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace faultfs::sim {

class PageTree {
 public:
  static constexpr uint64_t kPageBytes = 4096;
  static constexpr uint32_t kFanoutBits = 6;
  static constexpr uint64_t kFanout = uint64_t{1} << kFanoutBits;
  // 64^6 pages of 4 KiB: 2^48 bytes, above any file size SimFs allows.
  static constexpr uint32_t kHeightMax = 6;

  uint64_t size() const { return size_; }

  // Copies the bytes at [offset, offset + out.size()) that lie before size();
  // returns how many were copied (0 at or past the end).
  size_t read(uint64_t offset, std::span<char> out) const;
  std::string read_range(uint64_t offset, uint64_t length) const;
  std::string read_all() const { return read_range(0, size_); }

  // Stores `data` at `offset`; the size grows to cover it.
  void write(uint64_t offset, std::string_view data);
  // Drops bytes past `size` or extends with zeros.
  void resize(uint64_t size);

  // Whether both trees hold the very same root (a shared, unmodified copy).
  bool shares_root_with(const PageTree& other) const { return root_ == other.root_; }
  uint32_t height() const { return height_; }

 private:
  struct Node;
  using Leaf = std::array<char, kPageBytes>;
  using Inner = std::array<std::shared_ptr<Node>, kFanout>;
  struct Node {
    std::variant<Leaf, Inner> v;
  };

  static uint64_t span_pages(uint32_t level) { return uint64_t{1} << (kFanoutBits * level); }
  uint64_t capacity_bytes() const { return span_pages(height_) * kPageBytes; }
  static Node* make_mutable(std::shared_ptr<Node>& slot, bool leaf);
  const Leaf* find_leaf(uint64_t page) const;
  Leaf& mutable_leaf(uint64_t page);
  void grow_to(uint64_t end_bytes);
  static void prune(std::shared_ptr<Node>& slot, uint32_t level, uint64_t base_page,
                    uint64_t first_dead_page);

  std::shared_ptr<Node> root_;
  uint32_t height_ = 0;  // Inner levels above the leaves; the root is a leaf at 0.
  uint64_t size_ = 0;
};

}  // namespace faultfs::sim
