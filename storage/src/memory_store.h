// MemoryStore: a Store in process memory (std::map per key space). Nothing survives the process;
// used for "memory:" engines and tests.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "classiflow/store.h"

namespace classiflow {

class MemoryStore final : public Store {
 public:
  Status Write(const std::vector<StoreWrite>& batch, bool sync) override;
  Status Get(KeySpace space, std::string_view key, std::string* value) override;
  Status Scan(KeySpace space, std::string_view prefix,
              const std::function<Status(std::string_view, std::string_view)>& visit) override;
  Status SeekKey(KeySpace space, std::string_view from, std::string* key) override;
  std::string Describe() const override { return "memory:"; }

 private:
  using Space = std::map<std::string, std::string, std::less<>>;
  std::mutex mu_;
  Space spaces_[2];
};

}  // namespace classiflow
