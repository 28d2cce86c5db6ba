// Wall-clock seconds on the monotonic clock: what a user waits for.
#pragma once

#include <cassert>
#include <chrono>
#include <cstdint>

namespace bench {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Operations per second; `elapsed_s` must be positive.
inline double per_second(uint64_t count, double elapsed_s) {
  assert(elapsed_s > 0);
  return static_cast<double>(count) / elapsed_s;
}

// A time cap on a measured loop: on a loaded disk 20,000 synced writes can
// take minutes, and bench/run must still finish. Loops poll it every
// kPollEvery operations so the clock read stays out of the measured cost.
class Deadline {
 public:
  static constexpr uint64_t kPollEvery = 16;

  explicit Deadline(double time_max_s) : time_max_s_(time_max_s) {}
  // Whether the loop must stop after `done` operations (at least kPollEvery).
  bool expired(uint64_t done) const {
    return done % kPollEvery == 0 && watch_.elapsed_s() >= time_max_s_;
  }

 private:
  Stopwatch watch_;
  double time_max_s_;
};

}  // namespace bench
