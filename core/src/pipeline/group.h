// Group: items that flow through the graph together and are committed in one write batch;
// Submission: one Submit / SubmitMany call waiting for its items to be accepted.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "classiflow/status.h"
#include "pipeline/item.h"

namespace classiflow {

struct Submission {
  std::mutex mu;
  std::condition_variable cv;
  size_t pending = 0;  // items not yet acknowledged
  Status status;       // the first failure

  void Ack(size_t n, const Status& s) {
    std::lock_guard<std::mutex> lock(mu);
    if (!s.ok() && status.ok()) status = s;
    pending -= n;
    if (pending == 0) cv.notify_all();
  }
  Status Wait() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [this] { return pending == 0; });
    return status;
  }
};

struct Group {
  std::vector<std::unique_ptr<ItemState>> items;
  std::atomic<size_t> remaining{0};  // items not yet at a terminal outcome in the graph
};

// A message between stage nodes: some items of one group, all waiting at the same stage.
struct Batch {
  Group* group = nullptr;
  std::vector<ItemState*> items;
};

}  // namespace classiflow
