#include <algorithm>
#include <vector>

#include "classiflow/model.h"
#include "pipeline/stages/stages.h"
#include "util/per_thread.h"

namespace classiflow {

uint16_t ClassifyStage::Route(std::string_view label, bool below_threshold) const {
  const ClassifyStageSpec& c = spec_.classify;
  if (below_threshold && c.fallback != kNoStage) return c.fallback;
  auto it = std::lower_bound(c.routes.begin(), c.routes.end(), label,
                             [](const auto& route, std::string_view l) { return route.first < l; });
  if (it != c.routes.end() && it->first == label) return it->second;
  return c.other;
}

Status ClassifyStage::Run(std::span<ItemState* const> items) const {
  std::shared_ptr<Model> model;
  CF_RETURN_IF_ERROR(models_(spec_.classify.model, &model));
  // One batch call: one model version answers every item, and the model's own threads share
  // the work.
  struct Texts {
    std::vector<std::string_view> views;
  };
  std::vector<std::string_view>& texts = PerThread<Texts>().views;
  texts.clear();
  for (const ItemState* item : items) texts.push_back(item->text);
  ClassifyOptions options;
  if (spec_.classify.min_confidence >= 0) options.min_confidence = spec_.classify.min_confidence;
  BatchPredictions predictions;
  CF_RETURN_IF_ERROR(model->ClassifyBatch(texts, options, &predictions));
  const auto& labels = predictions.snapshot->labels();
  const uint64_t version = predictions.snapshot->version();
  for (size_t i = 0; i < items.size(); ++i) {
    ItemState& item = *items[i];
    const uint32_t index = predictions.label_index[i];
    const bool below = index == Prediction::kNoLabel;
    const std::string& label = below ? std::string() : labels[index];
    item.predictions.push_back(
        {index_, below ? std::string() : label, predictions.confidence[i], version, index});
    item.stage = Route(label, below);
  }
  return Status::OK();
}

}  // namespace classiflow
