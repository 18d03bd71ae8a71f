// StoreBatch: writes that a Store applies atomically (Store::Write), laid out flat.
//
// Every key and value is appended to one buffer, so a batch of thousands of writes costs no
// allocation per write, and clear() keeps the buffers for the next batch: a pipeline's group
// commit reuses one batch for every round.
//
// Thread-safety: none; a batch belongs to the thread that fills it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/export.h"

namespace classiflow {

enum class KeySpace : int;

class CLASSIFLOW_EXPORT StoreBatch {
 public:
  // Sets `key` to `value` (both copied).
  void Put(KeySpace space, std::string_view key, std::string_view value) {
    Add(space, key, {}, value, /*put=*/true);
  }
  // The same for the key `key_prefix` + `key_suffix` (keys are "<name>\0<id>"), without the
  // caller building it.
  void Put(KeySpace space, std::string_view key_prefix, std::string_view key_suffix,
           std::string_view value) {
    Add(space, key_prefix, key_suffix, value, /*put=*/true);
  }
  void Delete(KeySpace space, std::string_view key) { Add(space, key, {}, {}, /*put=*/false); }
  void Delete(KeySpace space, std::string_view key_prefix, std::string_view key_suffix) {
    Add(space, key_prefix, key_suffix, {}, /*put=*/false);
  }

  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  // Bytes of keys and values held.
  size_t bytes() const { return bytes_.size(); }
  void clear() {
    ops_.clear();
    bytes_.clear();
  }

  // Calls fn(space, key, value, is_put) for every write, in the order they were added; for a
  // delete, value is empty.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (const Op& op : ops_) {
      const std::string_view key(bytes_.data() + op.offset, op.key_size);
      const std::string_view value(bytes_.data() + op.offset + op.key_size, op.value_size);
      fn(op.space, key, value, op.put);
    }
  }

 private:
  struct Op {
    KeySpace space;
    bool put;
    uint32_t key_size;
    size_t value_size;
    size_t offset;  // of the key in bytes_; the value follows it
  };
  void Add(KeySpace space, std::string_view key_a, std::string_view key_b, std::string_view value,
           bool put) {
    ops_.push_back(Op{space, put, static_cast<uint32_t>(key_a.size() + key_b.size()), value.size(),
                      bytes_.size()});
    bytes_.append(key_a).append(key_b).append(value);
  }

  std::vector<Op> ops_;
  std::string bytes_;
};

}  // namespace classiflow
