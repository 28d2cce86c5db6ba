// Errors as values for the report writers and readers.
//
// A report that silently failed to land is how a CI job turns a red campaign
// green, so every fallible call returns a [[nodiscard]] Status or Result<T>.
// Reports have one failure shape (a message a person reads), so unlike
// faultfs::Status there is no error code: callers print the message and exit.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace reports {

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK.

  // An error; the message is one line naming the file or field at fault.
  static Status error(std::string message) {
    assert(!message.empty());
    Status status;
    status.message_ = std::move(message);
    status.failed_ = true;
    return status;
  }

  bool is_ok() const { return !failed_; }
  // Empty exactly when is_ok().
  const std::string& message() const { return message_; }

 private:
  std::string message_;
  bool failed_ = false;
};

// A value or the error that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design.
  Result(Status error) : state_(std::move(error)) {  // NOLINT
    assert(!std::get<Status>(state_).is_ok());
  }

  bool is_ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & {
    assert(is_ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(is_ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(is_ok());
    return std::get<T>(std::move(state_));
  }

 private:
  std::variant<T, Status> state_;
};

}  // namespace reports
