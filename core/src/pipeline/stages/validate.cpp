#include <nlohmann/json.hpp>

#include "extract/check_digits.h"
#include "pipeline/callback_registry.h"
#include "pipeline/stages/stages.h"

namespace classiflow {
namespace {

const ItemField* FindField(const ItemState& item, std::string_view name) {
  for (const ItemField& f : item.fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// A built-in check reads the field as a JSON string (what extract writes) or number.
bool RunBuiltin(bool (*check)(std::string_view), std::string_view json) {
  const auto value = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (value.is_string()) return check(value.get<std::string>());
  if (value.is_number_unsigned()) return check(std::to_string(value.get<uint64_t>()));
  return false;
}

}  // namespace

bool ValidateStage::has_callback() const {
  for (const auto& check : spec_.validate.checks) {
    if (!check.callback.empty()) return true;
  }
  return false;
}

Status ValidateStage::Run(ItemState& item, const PipelineSpec& pipeline) const {
  std::vector<std::pair<std::string, bool>> verdicts;
  CallbackView view;  // built for the first callback check, shared by the rest
  bool view_made = false;
  for (const auto& check : spec_.validate.checks) {
    const ItemField* field = FindField(item, check.field);
    if (field == nullptr) continue;
    bool ok = false;
    if (check.builtin != nullptr) {
      ok = RunBuiltin(check.builtin, field->json);
    } else {
      auto fn = callbacks_->Validator(check.callback);
      if (!fn) return Status::Unavailable("validator '" + check.callback + "' is not registered");
      if (!view_made) MakeCallbackView(item, pipeline, &view), view_made = true;
      CF_RETURN_IF_ERROR(Guarded([&] {
                           return (*fn)(view.item, field->json, &ok);
                         }).WithContext("validator '" + check.callback + "'"));
    }
    verdicts.emplace_back(check.field, ok);
  }
  bool all_valid = true;
  for (auto& verdict : verdicts) {
    all_valid = all_valid && verdict.second;
    item.valid.push_back(std::move(verdict));
  }
  const ValidateStageSpec& v = spec_.validate;
  item.stage = verdicts.empty() ? v.on_absent : all_valid ? v.on_valid : v.on_invalid;
  return Status::OK();
}

}  // namespace classiflow
