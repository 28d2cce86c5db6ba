// ByteArena: append-only storage for keys and values whose addresses must not
// move while an index points at them.
//
// Why: the engine's in-memory indexes hold millions of short keys. One heap
// allocation per key (a 16-byte key does not fit std::string's inline buffer)
// costs a malloc on every insert and scatters keys across the heap; copying
// them into large chunks instead makes an insert a memcpy and keeps
// neighbours close. The price is that nothing is freed one by one: owners
// count what they abandon and rebuild (copy the live bytes into a fresh
// arena) when the garbage outweighs the live bytes.
//
// Invariants: every view returned by store() stays valid and unchanged until
// clear() or destruction; bytes_stored() is the sum of the sizes stored;
// bytes_reserved() >= bytes_stored(). Not thread-safe.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace dbx {

class ByteArena {
 public:
  // Chunk size for small items; an item larger than a quarter of it gets a
  // chunk of its own so that a big value wastes no more than its own size.
  static constexpr size_t kChunkBytes = size_t{1} << 20;

  ByteArena() = default;
  ByteArena(const ByteArena&) = delete;
  ByteArena& operator=(const ByteArena&) = delete;
  // A moved-from arena is empty and usable: its chunks (and so every view
  // into them) now belong to the destination.
  ByteArena(ByteArena&& other) noexcept { *this = std::move(other); }
  ByteArena& operator=(ByteArena&& other) noexcept {
    if (this == &other) return *this;
    chunks_ = std::move(other.chunks_);
    current_ = std::exchange(other.current_, nullptr);
    current_free_bytes_ = std::exchange(other.current_free_bytes_, 0);
    bytes_stored_ = std::exchange(other.bytes_stored_, 0);
    bytes_reserved_ = std::exchange(other.bytes_reserved_, 0);
    other.chunks_.clear();
    return *this;
  }

  // Copies `bytes` into the arena and returns a view of the copy.
  std::string_view store(std::string_view bytes) {
    if (bytes.empty()) return std::string_view();
    char* destination = allocate(bytes.size());
    std::memcpy(destination, bytes.data(), bytes.size());
    bytes_stored_ += bytes.size();
    return std::string_view(destination, bytes.size());
  }

  // Frees every chunk: every view handed out is invalid afterwards.
  void clear() {
    chunks_.clear();
    current_ = nullptr;
    current_free_bytes_ = 0;
    bytes_stored_ = 0;
    bytes_reserved_ = 0;
  }

  // Takes over every chunk of `other`, which is left empty. Views handed out
  // by `other` stay valid: they now live as long as this arena. New stores
  // keep filling this arena's current chunk, so the unused tail of `other`'s
  // last chunk is never used (callers that hand arenas over fill their
  // chunks first; see needs_new_chunk()).
  void absorb(ByteArena&& other) {
    assert(&other != this);
    chunks_.reserve(chunks_.size() + other.chunks_.size());
    for (auto& chunk : other.chunks_) chunks_.push_back(std::move(chunk));
    bytes_stored_ += other.bytes_stored_;
    bytes_reserved_ += other.bytes_reserved_;
    other.clear();
    assert(bytes_reserved_ >= bytes_stored_);
  }

  // Whether storing `size` bytes would take a new chunk (always, for a size
  // that gets a chunk of its own; never, for nothing).
  bool needs_new_chunk(size_t size) const {
    if (size == 0) return false;
    return size > kChunkBytes / 4 || size > current_free_bytes_;
  }

  uint64_t bytes_stored() const { return bytes_stored_; }

 private:
  char* allocate(size_t size) {
    assert(size > 0);
    if (size > kChunkBytes / 4) return new_chunk(size);
    if (size > current_free_bytes_) {
      current_ = new_chunk(kChunkBytes);
      current_free_bytes_ = kChunkBytes;
    }
    char* result = current_;
    current_ += size;
    current_free_bytes_ -= size;
    assert(current_free_bytes_ <= kChunkBytes);
    return result;
  }

  char* new_chunk(size_t size) {
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    bytes_reserved_ += size;
    return chunks_.back().get();
  }

  std::vector<std::unique_ptr<char[]>> chunks_;
  char* current_ = nullptr;
  size_t current_free_bytes_ = 0;
  uint64_t bytes_stored_ = 0;
  uint64_t bytes_reserved_ = 0;
};

}  // namespace dbx
