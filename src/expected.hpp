#pragma once

/// A value or the failure that prevented it (std::expected is C++23).

#include <utility>
#include <variant>

#include "src/errors.hpp"

namespace logbase {

template <class T>
class expected {
public:
  expected(T value) : state_(std::move(value)) {
    // nop
  }

  expected(failure f) : state_(std::move(f)) {
    // nop
  }

  explicit operator bool() const {
    return state_.index() == 0;
  }

  T& operator*() {
    return std::get<0>(state_);
  }

  const T& operator*() const {
    return std::get<0>(state_);
  }

  T* operator->() {
    return &std::get<0>(state_);
  }

  const failure& error() const {
    return std::get<1>(state_);
  }

private:
  std::variant<T, failure> state_;
};

} // namespace logbase
