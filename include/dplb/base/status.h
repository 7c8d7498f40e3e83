// Status and Result<T>: error handling outside the packet path (g++ 12 has no std::expected).
// Codes are errno values so the tools can print the familiar strerror() text.
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace dplb {

class Status {
 public:
  Status() = default;
  Status(int code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status error(int code, std::string message) { return {code, std::move(message)}; }
  static Status invalid(std::string message) { return {EINVAL, std::move(message)}; }

  bool is_ok() const { return code_ == 0; }
  explicit operator bool() const { return is_ok(); }
  int code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  int code_ = 0;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}    // NOLINT: implicit by design

  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  Status status() const { return is_ok() ? Status::ok() : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace dplb
