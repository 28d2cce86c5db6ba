// libsodium set-up shared by the crypto code.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dbx::crypto {

// sodium_init() exactly once per process (thread-safe); aborts if libsodium
// cannot initialize, since no key could then be handled safely.
void ensure_sodium();

// A 32-byte key in sodium_malloc'ed memory: guarded, mlock'ed where the OS
// allows, and zeroed when freed. Each sodium_malloc costs an mmap, mprotects
// and an mlock, so a move hands the memory over instead of allocating anew;
// a moved-from key holds none (data() is null) and may only be assigned to
// or destroyed.
class SecretKey {
 public:
  static constexpr size_t kBytes = 32;
  SecretKey();  // Zero key.
  explicit SecretKey(const uint8_t* bytes);
  ~SecretKey();
  SecretKey(const SecretKey& other);
  SecretKey& operator=(const SecretKey& other);
  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;

  const uint8_t* data() const { return bytes_; }
  uint8_t* mutable_data() { return bytes_; }
  static SecretKey random();

 private:
  uint8_t* bytes_;
};

}  // namespace dbx::crypto
