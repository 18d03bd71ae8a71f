// A per-thread scratch array: grows on demand, never zero-fills, and gives back memory after a
// huge input so that one 10 MB text does not pin tens of MB in every worker thread forever.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>

namespace classiflow {

template <class T>
class ScratchArray {
 public:
  // Returns room for at least n elements (contents unspecified).
  T* Reserve(size_t n) {
    if (n > capacity_) {
      capacity_ = std::max(n, 2 * capacity_);
      data_ = std::make_unique_for_overwrite<T[]>(capacity_);
    }
    return data_.get();
  }
  // Frees the array when it has grown past `max_bytes`.
  void Trim(size_t max_bytes = size_t{4} << 20) {
    if (capacity_ * sizeof(T) > max_bytes) {
      data_.reset();
      capacity_ = 0;
    }
  }

 private:
  std::unique_ptr<T[]> data_;
  size_t capacity_ = 0;
};

}  // namespace classiflow
