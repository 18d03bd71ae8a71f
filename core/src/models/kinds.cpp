#include "models/kinds.h"

#include "models/bayes/snapshot.h"
#include "models/linear/snapshot.h"
#include "models/lsi/snapshot.h"

namespace classiflow {
namespace {

constexpr ModelKind kKinds[] = {
    {
        "bayes",
        kMaxBayesLabels,
        {.untrain = true},
        BayesOptionTable,
        [](const ModelOptions& options) { return options.bayes.Validate(); },
        [](const ModelOptions& options, std::shared_ptr<const std::vector<std::string>> labels)
            -> std::shared_ptr<const TrainableSnapshot> {
          return BayesSnapshot::Empty(options.bayes, options.analyzer.hash_bits, std::move(labels));
        },
        [](const ModelOptions& options, const std::map<std::string, std::string>& records,
           std::shared_ptr<const TrainableSnapshot>* out) {
          return BayesSnapshot::FromRecords(options.bayes, options.analyzer.hash_bits, records,
                                            out);
        },
    },
    {
        "linear",
        kMaxLinearLabels,
        {.untrain = false},
        LinearOptionTable,
        [](const ModelOptions& options) {
          if (options.linear.multilabel && options.min_confidence != 0.0) {
            return Status::InvalidArgument(
                "a multilabel model keeps a threshold per label (set_thresholds); "
                "min_confidence is for single-label models");
          }
          return options.linear.Validate();
        },
        [](const ModelOptions& options, std::shared_ptr<const std::vector<std::string>> labels)
            -> std::shared_ptr<const TrainableSnapshot> {
          return LinearSnapshot::Empty(options.linear, options.analyzer.hash_bits,
                                       std::move(labels));
        },
        [](const ModelOptions& options, const std::map<std::string, std::string>& records,
           std::shared_ptr<const TrainableSnapshot>* out) {
          return LinearSnapshot::FromRecords(options.linear, options.analyzer.hash_bits, records,
                                             out);
        },
    },
    {
        "lsi",
        kMaxLsiLabels,
        {.untrain = false, .items = true},
        LsiOptionTable,
        [](const ModelOptions& options) { return options.lsi.Validate(); },
        [](const ModelOptions& options, std::shared_ptr<const std::vector<std::string>> labels)
            -> std::shared_ptr<const TrainableSnapshot> {
          return LsiSnapshot::Empty(options.lsi, std::move(labels));
        },
        [](const ModelOptions& options, const std::map<std::string, std::string>& records,
           std::shared_ptr<const TrainableSnapshot>* out) {
          return LsiSnapshot::FromRecords(options.lsi, records, out);
        },
    },
};

}  // namespace

std::span<const ModelKind> AllKinds() { return kKinds; }

const ModelKind* FindKind(std::string_view name) {
  for (const ModelKind& kind : kKinds) {
    if (kind.name == name) return &kind;
  }
  return nullptr;
}

std::string KindNames() {
  std::string names;
  for (const ModelKind& kind : kKinds) {
    names += (names.empty() ? "" : ", ") + std::string(kind.name);
  }
  return names;
}

}  // namespace classiflow
