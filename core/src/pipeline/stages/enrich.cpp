#include "pipeline/callback_registry.h"
#include "pipeline/stages/stages.h"

namespace classiflow {

Status EnrichStage::Run(ItemState& item, const PipelineSpec& pipeline) const {
  auto fn = callbacks_->Enrich(spec_.callback);
  if (!fn) return Status::Unavailable("callback '" + spec_.callback + "' is not registered");
  CallbackView view;
  MakeCallbackView(item, pipeline, &view);
  std::vector<Field> fields;
  CF_RETURN_IF_ERROR(Guarded([&] {
                       return (*fn)(view.item, &fields);
                     }).WithContext("callback '" + spec_.callback + "'"));
  for (Field& field : fields) {
    if (field.name.empty()) {
      return Status::InvalidArgument("callback '" + spec_.callback + "' returned an unnamed field");
    }
    item.SetField(field.name, std::move(field.json));
  }
  item.stage = spec_.next;
  return Status::OK();
}

void MakeCallbackView(const ItemState& item, const PipelineSpec& spec, CallbackView* out) {
  out->predictions.clear();
  for (const ItemPrediction& p : item.predictions) {
    const StageSpec& stage = spec.stages[p.stage];
    out->predictions.push_back(
        {stage.name, stage.classify.model, p.label, p.confidence, p.version});
  }
  out->fields.clear();
  for (const ItemField& f : item.fields) out->fields.push_back({f.name, f.json});
  out->item = {item.id, item.text, item.meta, out->predictions, out->fields, item.attempts};
}

}  // namespace classiflow
