// Model::Explain and Model::TopFeatures: n-gram level explanations for every kind, from the
// kind's per-feature effects and weights (TrainableSnapshot::Effects, FeatureWeights).
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "classiflow/model.h"
#include "models/trainable_snapshot.h"
#include "util/guarded.h"
#include "util/json_options.h"

namespace classiflow {
namespace {

void SortByMagnitude(size_t keep, std::vector<FeatureWeight>* features) {
  const auto larger = [](const FeatureWeight& a, const FeatureWeight& b) {
    return std::fabs(a.weight) > std::fabs(b.weight) ||
           (std::fabs(a.weight) == std::fabs(b.weight) && a.ngram < b.ngram);
  };
  std::sort(features->begin(), features->end(), larger);
  if (keep != 0 && features->size() > keep) features->resize(keep);
}

}  // namespace

std::string Explanation::ToJson() const {
  nlohmann::json doc = {{"label", label},
                        {"versus", versus.empty() ? nlohmann::json() : nlohmann::json(versus)},
                        {"log_odds", log_odds},
                        {"base", base},
                        {"version", snapshot ? snapshot->version() : 0},
                        {"features", nlohmann::json::array()}};
  for (const FeatureWeight& f : features) {
    doc["features"].push_back(
        {{"ngram", f.ngram}, {"feature", f.feature}, {"count", f.count}, {"weight", f.weight}});
  }
  // Replace, not throw, on n-grams that are not valid UTF-8 (the analyzer keeps any bytes).
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status Model::Explain(std::string_view text, size_t top_n, Explanation* out) const {
  CF_RETURN_IF_ERROR(status());
  CF_RETURN_IF_ERROR(CheckText(text));
  const auto snap = current_.load();
  const size_t n_labels = snap->label_count();
  if (n_labels == 0) {
    return Status::InvalidArgument("model '" + name_ + "' has no labels yet; train it first");
  }
  return Guarded([&] {
    std::vector<uint32_t> features, distinct, counts;
    std::vector<std::string> ngrams;
    std::vector<double> effects, base;
    analyzer_.Ngrams(text, &features, &ngrams);
    snap->Effects(features.data(), features.size(), &distinct, &counts, &effects, &base);
    std::vector<double> raw = base;
    for (size_t i = 0; i < distinct.size(); ++i) {
      for (size_t l = 0; l < n_labels; ++l) raw[l] += effects[i * n_labels + l];
    }
    // The top label and the runner-up (ties: label order, as Classify()).
    size_t top = 0, second = n_labels;
    for (size_t l = 1; l < n_labels; ++l) {
      if (raw[l] > raw[top]) top = l;
    }
    for (size_t l = 0; l < n_labels; ++l) {
      if (l != top && (second == n_labels || raw[l] > raw[second])) second = l;
    }
    const auto against = [&](const double* row) {
      return second == n_labels ? row[top] : row[top] - row[second];
    };
    std::unordered_map<uint32_t, size_t> first_ngram;
    for (size_t i = 0; i < features.size(); ++i) first_ngram.try_emplace(features[i], i);
    out->label = snap->labels()[top];
    out->versus = second == n_labels ? std::string() : snap->labels()[second];
    out->base = against(base.data());
    out->log_odds = against(raw.data());
    out->features.clear();
    for (size_t i = 0; i < distinct.size(); ++i) {
      auto named = first_ngram.find(distinct[i]);
      out->features.push_back({named == first_ngram.end() ? std::string() : ngrams[named->second],
                               distinct[i], counts[i], against(effects.data() + i * n_labels)});
    }
    SortByMagnitude(top_n, &out->features);
    out->snapshot = snap;
    return Status::OK();
  });
}

Status Model::TopFeatures(std::string_view label, size_t n, std::span<const std::string_view> texts,
                          std::vector<FeatureWeight>* out) const {
  CF_RETURN_IF_ERROR(status());
  if (n == 0) return Status::InvalidArgument("n must be at least 1");
  for (size_t i = 0; i < texts.size(); ++i) {
    if (Status s = CheckText(texts[i]); !s.ok()) {
      return s.WithContext("texts[" + std::to_string(i) + "]");
    }
  }
  const auto snap = current_.load();
  const auto& labels = snap->labels();
  const auto found = std::find(labels.begin(), labels.end(), label);
  if (found == labels.end()) {
    return Status::NotFound("model '" + name_ + "' has no label " + QuotePrefix(label));
  }
  const auto index = static_cast<size_t>(found - labels.begin());
  return Guarded([&] {
    std::unordered_map<uint32_t, std::string> candidates;  // feature -> first n-gram
    std::vector<uint32_t> features;
    std::vector<std::string> ngrams;
    for (std::string_view text : texts) {
      analyzer_.Ngrams(text, &features, &ngrams);
      for (size_t i = 0; i < features.size(); ++i) candidates.try_emplace(features[i], ngrams[i]);
    }
    const size_t n_labels = labels.size();
    std::vector<double> weights(n_labels);
    out->clear();
    for (auto& [feature, ngram] : candidates) {
      snap->FeatureWeights(feature, weights.data());
      double others = 0;
      for (size_t l = 0; l < n_labels; ++l) others += l == index ? 0.0 : weights[l];
      const double mean = n_labels > 1 ? others / double(n_labels - 1) : 0.0;
      out->push_back({std::move(ngram), feature, 0, weights[index] - mean});
    }
    // Most telling FOR the label: largest first, not largest magnitude.
    std::sort(out->begin(), out->end(), [](const FeatureWeight& a, const FeatureWeight& b) {
      return a.weight > b.weight || (a.weight == b.weight && a.ngram < b.ngram);
    });
    if (out->size() > n) out->resize(n);
    return Status::OK();
  });
}

}  // namespace classiflow
