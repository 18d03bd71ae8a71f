#include "models/linear/snapshot.h"

#include <algorithm>
#include <cmath>

#include "models/linear/feature_value.h"

namespace classiflow {

void WeightPage::Finish() {
  for (uint32_t r = 0; r < kLinearPageRows; ++r) log_df[r] = std::log1p(static_cast<float>(df[r]));
}

void WeightPage::RowInto(uint32_t row, uint32_t width, float* out) const {
  std::fill_n(out, width, 0.0f);
  for (uint32_t e = offsets[row]; e < offsets[row + 1]; ++e) {
    out[labels[e]] = quantized.empty() ? weights[e] : static_cast<float>(quantized[e]) * scale[row];
  }
}

WeightView ViewOf(const WeightPage& page) {
  return WeightView{page.offsets.data(),
                    page.labels.data(),
                    page.weights.empty() ? nullptr : page.weights.data(),
                    page.quantized.empty() ? nullptr : page.quantized.data(),
                    page.scale.data(),
                    page.df.data(),
                    page.log_df.data()};
}

LinearSnapshot::LinearSnapshot(const LinearOptions& options, uint64_t version,
                               std::shared_ptr<const std::vector<std::string>> labels)
    : TrainableSnapshot(version, std::move(labels)), options_(options) {}

LinearSnapshot::LinearSnapshot(const LinearSnapshot& base, uint64_t version,
                               std::shared_ptr<const std::vector<std::string>> labels)
    : TrainableSnapshot(version, std::move(labels)),
      options_(base.options_),
      pages_(base.pages_),
      bias_(base.bias_),
      bias_squared_(base.bias_squared_),
      docs_(base.docs_),
      steps_(base.steps_),
      pages_present_(base.pages_present_),
      log_docs_(base.log_docs_) {
  bias_.resize(label_count(), 0.0f);
  bias_squared_.resize(label_count(), 0.0f);
}

std::shared_ptr<const LinearSnapshot> LinearSnapshot::Empty(
    const LinearOptions& options, int hash_bits,
    std::shared_ptr<const std::vector<std::string>> labels) {
  auto snap = std::shared_ptr<LinearSnapshot>(new LinearSnapshot(options, 0, std::move(labels)));
  snap->pages_ = WeightPageTable((size_t{1} << hash_bits) / kLinearPageRows);
  snap->bias_.assign(snap->label_count(), 0.0f);
  snap->bias_squared_.assign(snap->label_count(), 0.0f);
  return snap;
}

const std::vector<LinearSnapshot::Entry>& LinearSnapshot::Vectorize(const uint32_t* features,
                                                                    size_t feature_count) const {
  thread_local std::vector<uint32_t> sorted;
  thread_local std::vector<Entry> entries;
  sorted.assign(features, features + feature_count);
  std::sort(sorted.begin(), sorted.end());
  entries.clear();
  const size_t n_pages = pages_.size();
  const WeightPageTable::Reader pages = pages_.reader();
  double norm = 0;
  for (size_t i = 0; i < sorted.size();) {
    size_t j = i + 1;
    while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
    const uint32_t feature = sorted[i];
    const uint32_t tf = static_cast<uint32_t>(j - i);
    i = j;
    const size_t p = feature >> kLinearPageBits;
    if (p >= n_pages) continue;
    const WeightView& view = pages.view(p);
    const uint32_t row = feature & (kLinearPageRows - 1);
    // A feature no trained document had carries no weight, and leaves the length alone (as a
    // word outside a TF-IDF vocabulary).
    if (view.df == nullptr || view.df[row] == 0) continue;
    const float value = FeatureValue(tf, options_.idf, log_docs_, view.log_df[row]);
    norm += double{value} * value;
    const uint32_t begin = view.offsets[row];
    const uint32_t count = view.offsets[row + 1] - begin;
    if (count == 0) continue;  // in the length, but no weight worth keeping
    const float* weights = view.weights != nullptr ? view.weights + begin : nullptr;
    const int8_t* quantized = weights != nullptr ? nullptr : view.quantized + begin;
    // Scoring is bound by the misses on these rows: ask for them all before the first is used.
    __builtin_prefetch(view.labels + begin);
    __builtin_prefetch(weights != nullptr ? static_cast<const void*>(weights) : quantized);
    entries.push_back({view.labels + begin, weights, quantized,
                       weights != nullptr ? value : value * view.scale[row], count});
  }
  const auto inverse = static_cast<float>(norm > 0 ? 1.0 / std::sqrt(norm) : 0.0);
  for (Entry& e : entries) e.value *= inverse;
  return entries;
}

void LinearSnapshot::RawScores(const uint32_t* features, size_t feature_count, double* out) const {
  const size_t n_labels = label_count();
  thread_local std::vector<float> sums;
  sums.assign(bias_.begin(), bias_.end());
  float* acc = sums.data();
  for (const Entry& e : Vectorize(features, feature_count)) {
    if (e.weights != nullptr) {
      for (uint32_t i = 0; i < e.count; ++i) acc[e.labels[i]] += e.value * e.weights[i];
    } else {
      for (uint32_t i = 0; i < e.count; ++i) {
        acc[e.labels[i]] += e.value * static_cast<float>(e.quantized[i]);
      }
    }
  }
  for (size_t l = 0; l < n_labels; ++l) out[l] = acc[l];
}

}  // namespace classiflow
