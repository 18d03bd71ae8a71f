// CallbackRegistry: the enrich and validate callbacks registered by name at run time.
//
// Thread-safety: Get() may run concurrently with Register(); a callback fetched stays valid
// while it runs even if it is replaced meanwhile (shared_ptr).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "classiflow/pipeline.h"
#include "pipeline/spec.h"

namespace classiflow {

class CallbackRegistry {
 public:
  void RegisterEnrich(std::string_view name, EnrichFn fn) {
    std::lock_guard<std::mutex> lock(mu_);
    enrich_[std::string(name)] = std::make_shared<const EnrichFn>(std::move(fn));
  }
  void RegisterValidator(std::string_view name, ValidateFn fn) {
    std::lock_guard<std::mutex> lock(mu_);
    validate_[std::string(name)] = std::make_shared<const ValidateFn>(std::move(fn));
  }
  std::shared_ptr<const EnrichFn> Enrich(std::string_view name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = enrich_.find(name);
    return it == enrich_.end() ? nullptr : it->second;
  }
  std::shared_ptr<const ValidateFn> Validator(std::string_view name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = validate_.find(name);
    return it == validate_.end() ? nullptr : it->second;
  }
  // True when every callback `stage` calls is registered (always, for a stage without one).
  bool Ready(const StageSpec& stage) const {
    if (stage.kind == StageKind::kEnrich) return Has(stage.callback);
    for (const auto& check : stage.validate.checks) {
      if (!check.callback.empty() && !Has(check.callback)) return false;
    }
    return true;
  }
  bool Has(std::string_view name) const {
    std::lock_guard<std::mutex> lock(mu_);
    return enrich_.find(name) != enrich_.end() || validate_.find(name) != validate_.end();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const EnrichFn>, std::less<>> enrich_;
  std::map<std::string, std::shared_ptr<const ValidateFn>, std::less<>> validate_;
};

}  // namespace classiflow
