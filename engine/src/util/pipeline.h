// run_pipeline: a producer hands batches to a consumer on the calling
// thread, in order: from a second thread through a bounded queue when asked
// (and a thread can be had), else by calling the consumer from emit().
//
// Why: open reads large files (the WAL, the WOS db) and builds in-memory
// tables from them. Reading and checksumming is one core's work, inserting
// into tables far larger than the cache another's; overlapped, an open
// costs about the larger of the two instead of their sum. Small files are
// not worth a thread, and both ways must give the same result, so both run
// the same producer and consumer.
//
// Contract:
//  - produce(emit) runs once; emit(batch) hands a batch to the consumer (on
//    a second thread it blocks while `in_flight_max` batches wait) and
//    returns false once the consumer has stopped, after which the producer
//    should return (its status is then ignored);
//  - consume(batch) runs on the calling thread for every batch emitted, in
//    emission order, until one returns an error;
//  - the status is the consumer's first error, else the producer's;
//  - an exception thrown by either side propagates from run_pipeline, and
//    in every case the producer thread has been joined before it returns;
//  - when no thread can be started, the one-thread way runs instead (and
//    on_second_thread says so).
#pragma once

#include <cassert>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "faultfs/status.h"
#include "logger.h"

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

struct PipelineRun {
  faultfs::Status status;
  bool on_second_thread = false;
};

template <typename Batch, typename Produce, typename Consume>
[[nodiscard]] PipelineRun run_pipeline(size_t in_flight_max, bool second_thread, Produce&& produce,
                                       Consume&& consume) {
  BoundedQueue<Batch> queue(in_flight_max);
  faultfs::Status produced;
  std::exception_ptr producer_failure;
  std::thread producer;
  if (second_thread) {
    try {
      producer = std::thread([&] {
        try {
          produced = produce([&queue](Batch&& batch) { return queue.push(std::move(batch)); });
        } catch (...) {
          producer_failure = std::current_exception();
        }
        queue.close();
      });
    } catch (const std::system_error& e) {
      logger().warn("no thread to read ahead, reading on one thread: {}", e.what());
    }
  }
  faultfs::Status consumed;
  if (!producer.joinable()) {
    produced = produce([&](Batch&& batch) {
      consumed = consume(std::move(batch));
      return consumed.is_ok();
    });
    return PipelineRun{consumed.is_ok() ? produced : consumed, false};
  }
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
  return PipelineRun{consumed.is_ok() ? produced : consumed, true};
}

}  // namespace dbx
