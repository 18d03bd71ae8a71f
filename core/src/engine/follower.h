// Engine::Follower: the thread of a kRead engine that calls Engine::Refresh() every interval,
// so the engine's models follow the versions their writer commits.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "classiflow/engine.h"

namespace classiflow {

class Engine::Follower {
 public:
  Follower(std::chrono::milliseconds interval, std::function<Status()> tick);
  ~Follower();  // stops the thread and waits for it
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

 private:
  void Run();

  const std::chrono::milliseconds interval_;
  const std::function<Status()> tick_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace classiflow
