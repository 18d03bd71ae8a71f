#include "pipeline/item_pool.h"

#include <algorithm>

namespace classiflow {
namespace {

// An item that carried a text this large frees it: a pool of them would hold megabytes.
constexpr size_t kMaxKeptText = size_t{4} << 10;

size_t HeldBytes(const ItemState& item) {
  return item.text.capacity() + item.meta.capacity() + item.error.capacity();
}

}  // namespace

void ItemPool::Take(size_t n, std::vector<std::unique_ptr<ItemState>>* out) {
  out->reserve(out->size() + n);
  {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t reused = std::min(n, idle_.size());
    for (size_t i = 0; i < reused; ++i) {
      idle_bytes_ -= HeldBytes(*idle_.back());
      out->push_back(std::move(idle_.back()));
      idle_.pop_back();
    }
    n -= reused;
  }
  for (; n > 0; --n) out->push_back(std::make_unique<ItemState>());
}

void ItemPool::Give(std::vector<std::unique_ptr<ItemState>>* items) {
  for (auto& item : *items) {
    if (item) item->Reset(kMaxKeptText);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& item : *items) {
      if (!item || idle_.size() >= max_items_) continue;
      const size_t bytes = HeldBytes(*item);
      if (idle_bytes_ + bytes > max_bytes_) continue;
      idle_bytes_ += bytes;
      idle_.push_back(std::move(item));
    }
  }
  items->clear();  // frees what the pool did not keep, outside the lock
}

}  // namespace classiflow
