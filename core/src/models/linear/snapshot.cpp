#include "models/linear/snapshot.h"

#include <algorithm>
#include <cmath>

#include "models/linear/feature_value.h"

namespace classiflow {

void WeightPage::Finish(bool quantize) {
  for (uint32_t r = 0; r < kLinearPageRows; ++r) log_df[r] = std::log1p(static_cast<float>(df[r]));
  // A weight this small moves no score; zero keeps subnormals (slow to multiply) out.
  for (float& w : weights) w = std::fabs(w) < 1e-20f ? 0.0f : w;
  if (!quantize || weights.empty()) return;
  quantized.resize(weights.size());
  for (uint32_t r = 0; r < kLinearPageRows; ++r) {
    const float* row = weights.data() + size_t{r} * width;
    float largest = 0;
    for (uint32_t l = 0; l < width; ++l) largest = std::max(largest, std::fabs(row[l]));
    scale[r] = largest / 127.0f;
    const float inverse = largest > 0 ? 127.0f / largest : 0.0f;
    for (uint32_t l = 0; l < width; ++l) {
      quantized[size_t{r} * width + l] = static_cast<int8_t>(std::lround(row[l] * inverse));
    }
  }
  weights.clear();
  weights.shrink_to_fit();
}

void WeightPage::RowInto(uint32_t row, uint32_t out_width, float* out) const {
  const size_t begin = size_t{row} * width;
  for (uint32_t l = 0; l < out_width; ++l) {
    if (l >= width) {
      out[l] = 0.0f;
    } else if (!quantized.empty()) {
      out[l] = static_cast<float>(quantized[begin + l]) * scale[row];
    } else {
      out[l] = weights[begin + l];
    }
  }
}

WeightView ViewOf(const WeightPage& page) {
  return WeightView{page.weights.empty() ? nullptr : page.weights.data(),
                    page.quantized.empty() ? nullptr : page.quantized.data(),
                    page.scale.data(),
                    page.df.data(),
                    page.log_df.data(),
                    page.width};
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
    if (view.width == 0 || view.df[row] == 0) continue;
    const float value = FeatureValue(tf, options_.idf, log_docs_, view.log_df[row]);
    norm += double{value} * value;
    const size_t offset = size_t{row} * view.width;
    const float* weights = view.weights != nullptr ? view.weights + offset : nullptr;
    const int8_t* quantized = weights != nullptr ? nullptr : view.quantized + offset;
    // Scoring is bound by the misses on these rows: ask for them all before the first is used.
    __builtin_prefetch(weights != nullptr ? static_cast<const void*>(weights) : quantized);
    entries.push_back(
        {weights, quantized, weights != nullptr ? 1.0f : view.scale[row], value, view.width});
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
    const size_t width = std::min<size_t>(e.width, n_labels);
    if (e.weights != nullptr) {
      for (size_t l = 0; l < width; ++l) acc[l] += e.value * e.weights[l];
    } else {
      const float v = e.value * e.scale;
      for (size_t l = 0; l < width; ++l) acc[l] += v * static_cast<float>(e.quantized[l]);
    }
  }
  for (size_t l = 0; l < n_labels; ++l) out[l] = acc[l];
}

}  // namespace classiflow
