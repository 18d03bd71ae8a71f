// ModelOptions: everything that defines a model at creation, saved with the model.
//
// The same options arrive as a C++ struct, as JSON from the C ABI, or as keyword arguments from
// Python (turned into JSON by the binding). JSON keys are flat; every kind has the shared keys
// and its own, and a key of another kind is refused by name:
//   {"kind": "bayes", "labels": ["ham", "spam"], "min_confidence": 0.0,
//    "lowercase": true, "stop_words": false, "stemmer": "english",      (analyzer)
//    "normalize_urls": true, "normalize_emails": true, "normalize_numbers": true,
//    "ngrams": 2, "hash_bits": 20, "max_text_bytes": 1048576,
//    "alpha": 1.0, "fit_prior": true,                                   (kind "bayes")
//    "learning_rate": 4.0, "l2": 1e-6, "optimizer": "adagrad", "epochs": 5,
//    "seed": 42, "idf": true, "quantize": false,                        (kind "linear")
//    "rank": 100, "max_terms": 65536, "neighbors": 10, "min_similarity": 0.01,
//    "rebuild_after": 0.25, "power_iterations": 2, "seed": 42}           (kind "lsi")
// An unknown key, a key of another kind, a value of the wrong type or out of range is
// InvalidArgument.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/analyzer.h"
#include "classiflow/bayes.h"
#include "classiflow/export.h"
#include "classiflow/linear.h"
#include "classiflow/lsi.h"
#include "classiflow/status.h"

namespace classiflow {

struct CLASSIFLOW_EXPORT ModelOptions {
  // Classifier kind: "bayes", "linear" or "lsi" (classiflow/bayes.h, linear.h, lsi.h).
  // Default: "bayes".
  std::string kind = "bayes";
  // Fixed label set; empty = labels are added on first training use. Default: empty.
  std::vector<std::string> labels;
  // Classify() returns no label when the top probability is below this. REQUIRES: 0..1.
  // Default: 0 (always a label).
  double min_confidence = 0.0;
  AnalyzerOptions analyzer;
  BayesOptions bayes;    // kind "bayes" only
  LinearOptions linear;  // kind "linear" only
  LsiOptions lsi;        // kind "lsi" only

  // InvalidArgument for any option out of range, a bad label set (ValidateLabels, capped at
  // the kind's label limit) or an unknown kind. Model::Create and Model::FromRecords call it.
  Status Validate() const;
  // Parses flat JSON (see above) on top of the defaults; the kind is known first, wherever its
  // key stands. An empty string or "null" = defaults.
  // Checks each value's type and, for integers, that it fits its field (never truncated);
  // NaN/Infinity and nesting deeper than 64 levels are refused. It does NOT call Validate():
  // the entries that take options (Model::Create, Model::FromRecords) do, once.
  // `kind`, when given, is the kind named apart from the JSON (the C ABI's argument): a "kind"
  // key may repeat it but not contradict it (InvalidArgument).
  static Status FromJson(std::string_view json, ModelOptions* out,
                         std::optional<std::string_view> kind = std::nullopt);
  std::string ToJson() const;
  bool operator==(const ModelOptions&) const = default;
};

// Returns InvalidArgument unless `name` is 1..128 bytes of [A-Za-z0-9_.-] not starting with '.'.
CLASSIFLOW_EXPORT Status ValidateModelName(std::string_view name);
// Returns InvalidArgument unless `label` is 1..256 bytes of valid UTF-8 without control
// characters (C0, DEL, C1 incl. U+0085), bidi controls (U+200E, U+200F, U+202A..U+202E,
// U+2066..U+2069), line/paragraph separators (U+2028, U+2029) or U+FEFF.
CLASSIFLOW_EXPORT Status ValidateLabel(std::string_view label);
// The one check of a label set, used by every entry (create, load, training): at most
// `max_count` labels (the kind's cap; checked first, so a huge list is refused at once), each
// passing ValidateLabel, no two equal (O(n)). InvalidArgument naming the first bad label.
CLASSIFLOW_EXPORT Status ValidateLabels(std::span<const std::string> labels, size_t max_count);

}  // namespace classiflow
