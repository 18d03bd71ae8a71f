// ItemPool: ItemStates kept for reuse by one pipeline.
//
// An item's strings and vectors keep their capacity from one use to the next, so in steady
// state accepting, classifying and committing an item allocates nothing. Before the pool,
// malloc and free of the ~6 blocks every item owned (its state, text, route, predictions) were
// a fifth of the pipeline's CPU time, most of it in free() on the committing thread of blocks
// other threads had allocated.
//
// Thread-safety: Take and Give may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "pipeline/item.h"

namespace classiflow {

class ItemPool {
 public:
  // Keeps at most `max_items` idle items holding at most `max_bytes` of text between them.
  ItemPool(size_t max_items, size_t max_bytes) : max_items_(max_items), max_bytes_(max_bytes) {}

  // Appends `n` reset items to `out`, reused ones first.
  void Take(size_t n, std::vector<std::unique_ptr<ItemState>>* out);
  // Takes every non-null item of `items` back (freeing what the pool has no room for) and
  // leaves `items` empty.
  void Give(std::vector<std::unique_ptr<ItemState>>* items);

 private:
  const size_t max_items_;
  const size_t max_bytes_;
  std::mutex mu_;
  std::vector<std::unique_ptr<ItemState>> idle_;  // guarded by mu_
  size_t idle_bytes_ = 0;                         // guarded by mu_
};

}  // namespace classiflow
