// The stage functors: one small class per stage kind. Each advances items that wait at its
// stage: on success it records what the stage found and sets item.stage to the next stage (a
// sink sets Outcome::kDone instead); on failure it returns the error and changes nothing the
// retry would have to undo.
//
// Classify, extract, validate (built-in checks) and sink run inside the flow graph on batches.
// Enrich and validate-by-callback call user code: they run on the callback node, one item at a
// time, after the attempt was made durable (see committer.h).
#pragma once

#include <cxxabi.h>

#include <memory>
#include <span>
#include <string_view>

#include "classiflow/pipeline.h"
#include "classiflow/status.h"
#include "pipeline/item.h"
#include "pipeline/spec.h"

namespace classiflow {

class Model;
class CallbackRegistry;

// Finds a model by name at run time: a model may be trained, dropped or created again while
// the pipeline runs.
using ModelLookup = std::function<Status(std::string_view name, std::shared_ptr<Model>* out)>;

class ClassifyStage {
 public:
  ClassifyStage(const StageSpec& spec, uint16_t index, ModelLookup models)
      : spec_(spec), index_(index), models_(std::move(models)) {}
  // Classifies all items against one model version. An error (model missing, no labels yet)
  // fails every item of the batch.
  Status Run(std::span<ItemState* const> items) const;

 private:
  uint16_t Route(std::string_view label, bool below_threshold) const;
  const StageSpec& spec_;
  const uint16_t index_;
  const ModelLookup models_;
};

class ExtractStage {
 public:
  explicit ExtractStage(const StageSpec& spec) : spec_(spec) {}
  void Run(ItemState& item) const;

 private:
  const StageSpec& spec_;
};

class ValidateStage {
 public:
  ValidateStage(const StageSpec& spec, const CallbackRegistry* callbacks)
      : spec_(spec), callbacks_(callbacks) {}
  // Built-in checks only run in the graph; a stage with a callback check runs on the callback
  // node and may fail (the callback's error).
  Status Run(ItemState& item, const PipelineSpec& pipeline) const;
  bool has_callback() const;

 private:
  const StageSpec& spec_;
  const CallbackRegistry* callbacks_;
};

class EnrichStage {
 public:
  EnrichStage(const StageSpec& spec, const CallbackRegistry* callbacks)
      : spec_(spec), callbacks_(callbacks) {}
  Status Run(ItemState& item, const PipelineSpec& pipeline) const;

 private:
  const StageSpec& spec_;
  const CallbackRegistry* callbacks_;
};

class SinkStage {
 public:
  void Run(ItemState& item) const { item.outcome = Outcome::kDone; }
};

// The view of an item a callback gets; `predictions` and `fields` are filled from the item.
struct CallbackView {
  std::vector<StagePrediction> predictions;
  std::vector<Field> fields;
  CallbackItem item;
};
void MakeCallbackView(const ItemState& item, const PipelineSpec& spec, CallbackView* out);

// Runs `fn` turning exceptions into Internal ("threw: ..."): user code never unwinds into
// the graph.
template <class Fn>
Status Guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const abi::__forced_unwind&) {
    throw;  // a thread being cancelled (pthread_exit) must unwind
  } catch (const std::exception& e) {
    return Status::Internal(std::string("threw: ") + e.what());
  } catch (...) {
    return Status::Internal("threw a non-standard exception");
  }
}

}  // namespace classiflow
