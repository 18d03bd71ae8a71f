// The table of model kinds: everything general code needs to know about a kind, in one row.
//
// Model, ModelOptions and the model file consult this table wherever a kind matters (which
// kinds exist, how many labels one holds, its untrained and its stored snapshot, the verbs it
// has), so a new kind is a folder under models/ and a row here, not a special case in each.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/model_options.h"
#include "classiflow/status.h"
#include "models/option_table.h"
#include "models/trainable_snapshot.h"

namespace classiflow {

// Verbs a kind may lack; a missing one is NotSupported.
struct KindCapabilities {
  bool untrain = false;  // Untrain(): remove a document trained before
  bool items = false;    // items with ids: AddItem, RemoveItem, Search, FindRelated, BuildIndex
};

struct ModelKind {
  std::string_view name;
  size_t max_labels;  // the most labels one model of this kind holds
  KindCapabilities can;
  // The kind's own option keys (beside the shared ones) and the check of their values.
  const OptionTable& (*option_table)();
  Status (*validate)(const ModelOptions& options);
  // The untrained snapshot (version 0) of a model with `options` (validated).
  std::shared_ptr<const TrainableSnapshot> (*empty)(
      const ModelOptions& options, std::shared_ptr<const std::vector<std::string>> labels);
  // The snapshot stored in `records`; Corruption for anything they cannot hold.
  Status (*from_records)(const ModelOptions& options,
                         const std::map<std::string, std::string>& records,
                         std::shared_ptr<const TrainableSnapshot>* out);
};

// Every kind, in the table's order.
std::span<const ModelKind> AllKinds();
// The kind named `name`, or nullptr.
const ModelKind* FindKind(std::string_view name);
// The kinds' names for messages: "bayes, linear" (comma-separated).
std::string KindNames();

}  // namespace classiflow
