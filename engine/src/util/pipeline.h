// run_pipeline: a producer on a second thread hands batches to a consumer on
// the calling thread, in order, through a bounded queue.
//
// Why: open reads large files (the WAL, the WOS db) and builds in-memory
// tables from them. Reading and checksumming is one core's work, inserting
// into tables far larger than the cache another's; overlapped, an open
// costs about the larger of the two instead of their sum.
//
// Contract:
//  - produce(emit) runs on a new thread; emit(batch) blocks while
//    `in_flight_max` batches wait, and returns false once the consumer has
//    stopped, after which the producer should return (its status is then
//    ignored);
//  - consume(batch) runs on the calling thread for every batch emitted, in
//    emission order, until one returns an error;
//  - the result is the consumer's first error, else the producer's status;
//  - an exception thrown by either side propagates from run_pipeline, and
//    in every case the producer thread has been joined before it returns;
//  - std::system_error when no thread can be started: nothing has run then.
#pragma once

#include <cassert>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "faultfs/status.h"

namespace dbx {

// The hand-over: bounded so that a fast producer cannot hold a whole file
// in memory ahead of the consumer.
template <typename Batch>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) { assert(capacity_ > 0); }

  // Producer: blocks while full. False once the consumer has cancelled: the
  // batch is dropped and the producer should stop.
  bool push(Batch&& batch) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return cancelled_ || batches_.size() < capacity_; });
    if (cancelled_) return false;
    batches_.push_back(std::move(batch));
    assert(batches_.size() <= capacity_);
    changed_.notify_all();
    return true;
  }

  // Producer: nothing more will come.
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }

  // Consumer: the next batch in order; nullopt once closed and drained.
  std::optional<Batch> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || !batches_.empty(); });
    if (batches_.empty()) return std::nullopt;
    Batch batch = std::move(batches_.front());
    batches_.pop_front();
    changed_.notify_all();
    return batch;
  }

  // Consumer: stops taking batches; pushes fail from now on.
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    batches_.clear();
    changed_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> batches_;
  bool closed_ = false;
  bool cancelled_ = false;
};

template <typename Batch, typename Produce, typename Consume>
[[nodiscard]] faultfs::Status run_pipeline(size_t in_flight_max, Produce&& produce,
                                           Consume&& consume) {
  BoundedQueue<Batch> queue(in_flight_max);
  faultfs::Status produced;
  std::exception_ptr producer_failure;
  std::thread producer([&] {
    try {
      produced = produce([&queue](Batch&& batch) { return queue.push(std::move(batch)); });
    } catch (...) {
      producer_failure = std::current_exception();
    }
    queue.close();
  });
  // Runs when consuming throws: the producer must not outlive what it uses.
  struct StopProducer {
    BoundedQueue<Batch>& queue;
    std::thread& producer;
    ~StopProducer() {
      if (!producer.joinable()) return;
      queue.cancel();
      producer.join();
    }
  } stop_producer{queue, producer};
  faultfs::Status consumed;
  while (std::optional<Batch> batch = queue.pop()) {
    consumed = consume(std::move(*batch));
    if (!consumed.is_ok()) {
      queue.cancel();
      break;
    }
  }
  // The producer has closed the queue or been cancelled: join it before
  // reading what it wrote.
  producer.join();
  if (producer_failure) std::rethrow_exception(producer_failure);
  if (!consumed.is_ok()) return consumed;
  return produced;
}

}  // namespace dbx
