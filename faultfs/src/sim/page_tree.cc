#include "page_tree.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace faultfs::sim {

PageTree::Node* PageTree::make_mutable(std::shared_ptr<Node>& slot, bool leaf) {
  if (!slot) {
    slot = leaf ? std::make_shared<Node>(Node{Leaf{}}) : std::make_shared<Node>(Node{Inner{}});
  } else if (slot.use_count() > 1) {
    // Shared with another tree: this tree gets its own copy (children stay shared).
    slot = std::make_shared<Node>(*slot);
  }
  assert(std::holds_alternative<Leaf>(slot->v) == leaf);
  return slot.get();
}

const PageTree::Leaf* PageTree::find_leaf(uint64_t page) const {
  if (page >= span_pages(height_)) return nullptr;
  const Node* node = root_.get();
  for (uint32_t level = height_; level > 0 && node != nullptr; --level) {
    const uint64_t index = (page >> (kFanoutBits * (level - 1))) & (kFanout - 1);
    node = std::get<Inner>(node->v)[index].get();
  }
  return node == nullptr ? nullptr : &std::get<Leaf>(node->v);
}

PageTree::Leaf& PageTree::mutable_leaf(uint64_t page) {
  assert(page < span_pages(height_));
  std::shared_ptr<Node>* slot = &root_;
  for (uint32_t level = height_; level > 0; --level) {
    Node* node = make_mutable(*slot, /*leaf=*/false);
    const uint64_t index = (page >> (kFanoutBits * (level - 1))) & (kFanout - 1);
    slot = &std::get<Inner>(node->v)[index];
  }
  return std::get<Leaf>(make_mutable(*slot, /*leaf=*/true)->v);
}

void PageTree::grow_to(uint64_t end_bytes) {
  while (capacity_bytes() < end_bytes) {
    assert(height_ < kHeightMax);
    if (root_) {
      auto parent = std::make_shared<Node>(Node{Inner{}});
      std::get<Inner>(parent->v)[0] = std::move(root_);
      root_ = std::move(parent);
    }
    ++height_;
  }
}

size_t PageTree::read(uint64_t offset, std::span<char> out) const {
  if (offset >= size_) return 0;
  const uint64_t n = std::min<uint64_t>(out.size(), size_ - offset);
  uint64_t done = 0;
  while (done < n) {
    const uint64_t at = offset + done;
    const uint64_t in_page = at % kPageBytes;
    const uint64_t chunk = std::min(n - done, kPageBytes - in_page);
    const Leaf* leaf = find_leaf(at / kPageBytes);
    if (leaf == nullptr) {
      std::memset(out.data() + done, 0, chunk);
    } else {
      std::memcpy(out.data() + done, leaf->data() + in_page, chunk);
    }
    done += chunk;
  }
  return static_cast<size_t>(n);
}

std::string PageTree::read_range(uint64_t offset, uint64_t length) const {
  if (offset >= size_) return {};
  std::string out(static_cast<size_t>(std::min(length, size_ - offset)), '\0');
  const size_t n = read(offset, std::span<char>(out.data(), out.size()));
  assert(n == out.size());
  (void)n;
  return out;
}

void PageTree::write(uint64_t offset, std::string_view data) {
  if (data.empty()) return;
  const uint64_t end = offset + data.size();
  assert(end > offset);  // No wrap-around: SimFs bounds offsets far below 2^64.
  grow_to(end);
  uint64_t done = 0;
  while (done < data.size()) {
    const uint64_t at = offset + done;
    const uint64_t in_page = at % kPageBytes;
    const uint64_t chunk = std::min<uint64_t>(data.size() - done, kPageBytes - in_page);
    Leaf& leaf = mutable_leaf(at / kPageBytes);
    std::memcpy(leaf.data() + in_page, data.data() + done, chunk);
    done += chunk;
  }
  size_ = std::max(size_, end);
}

void PageTree::prune(std::shared_ptr<Node>& slot, uint32_t level, uint64_t base_page,
                     uint64_t first_dead_page) {
  if (!slot) return;
  const uint64_t span = span_pages(level);
  if (base_page >= first_dead_page) {
    slot.reset();
    return;
  }
  if (base_page + span <= first_dead_page) return;  // Entirely alive.
  // A leaf spans one page, so a partly dead subtree is an inner node.
  assert(level > 0);
  Inner& kids = std::get<Inner>(make_mutable(slot, /*leaf=*/false)->v);
  const uint64_t child_span = span_pages(level - 1);
  for (uint64_t i = 0; i < kFanout; ++i) {
    prune(kids[i], level - 1, base_page + i * child_span, first_dead_page);
  }
}

void PageTree::resize(uint64_t size) {
  if (size >= size_) {
    size_ = size;  // The invariant already makes the new bytes read as zeros.
    return;
  }
  const uint64_t tail = size % kPageBytes;
  if (tail != 0 && find_leaf(size / kPageBytes) != nullptr) {
    Leaf& leaf = mutable_leaf(size / kPageBytes);
    std::memset(leaf.data() + tail, 0, kPageBytes - tail);
  }
  const uint64_t first_dead_page = (size + kPageBytes - 1) / kPageBytes;
  prune(root_, height_, 0, first_dead_page);
  size_ = size;
}

}  // namespace faultfs::sim
