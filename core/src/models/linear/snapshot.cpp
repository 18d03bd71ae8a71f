#include "models/linear/snapshot.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "models/linear/feature_value.h"
#include "models/term_counter.h"

namespace classiflow {

void WeightPage::Finish() {
  present = 0;
  for (uint32_t r = 0; r < kLinearPageRows; ++r) {
    rows[r].log_df = std::log1p(static_cast<float>(df[r]));
    if (df[r] != 0) present = static_cast<uint16_t>(present | (1u << r));
  }
}

void WeightPage::RowInto(uint32_t row, uint32_t width, float* out) const {
  std::fill_n(out, width, 0.0f);
  const WeightRow& r = rows[row];
  for (uint32_t e = r.begin; e < r.begin + r.count; ++e) {
    if (quantized.empty()) {
      out[entries[e].label] = entries[e].weight;
    } else {
      out[quantized[e].label] = static_cast<float>(quantized[e].weight) * r.scale;
    }
  }
}

WeightView ViewOf(const WeightPage& page) {
  return WeightView{page.rows.data(), page.entries.empty() ? nullptr : page.entries.data(),
                    page.quantized.empty() ? nullptr : page.quantized.data(), page.present};
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
  struct Found {
    const WeightRow* row;
    const WeightView* view;
    uint32_t tf;
    uint32_t feature;
  };
  thread_local TermCounter counter;
  thread_local std::vector<Found> found;
  thread_local std::vector<Entry> entries;
  const std::vector<TermCounter::Term>& terms = counter.Count(features, feature_count);
  const size_t n_pages = pages_.size();
  const WeightPageTable::Reader pages = pages_.reader();
  // Two passes, the first asking for the rows the second reads, the second for the entries
  // scoring reads (measured: scoring is bound by cache misses on rows and entries scattered
  // over the whole model).
  found.clear();
  for (const TermCounter::Term& term : terms) {
    const size_t p = term.feature >> kLinearPageBits;
    if (p >= n_pages) continue;
    const WeightView& view = pages.view(p);
    const uint32_t r = term.feature & (kLinearPageRows - 1);
    // A feature no trained document had carries no weight, and leaves the length alone (as a
    // word outside a TF-IDF vocabulary).
    if ((view.present >> r & 1u) == 0) continue;
    const WeightRow* row = view.rows + r;
    __builtin_prefetch(row);
    found.push_back({row, &view, term.count, term.feature});
  }
  entries.clear();
  double norm = 0;
  for (const Found& f : found) {
    const float value = FeatureValue(f.tf, options_.idf, log_docs_, f.row->log_df);
    norm += double{value} * value;
    if (f.row->count == 0) continue;  // in the length, but no weight worth keeping
    if (f.view->entries != nullptr) {
      const WeightEntry* row_entries = f.view->entries + f.row->begin;
      __builtin_prefetch(row_entries);
      entries.push_back({row_entries, nullptr, value, f.row->count, f.feature});
    } else {
      const QuantizedEntry* row_entries = f.view->quantized + f.row->begin;
      __builtin_prefetch(row_entries);
      entries.push_back({nullptr, row_entries, value * f.row->scale, f.row->count, f.feature});
    }
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
    if (e.entries != nullptr) {
      for (uint32_t i = 0; i < e.count; ++i)
        acc[e.entries[i].label] += e.value * e.entries[i].weight;
    } else {
      for (uint32_t i = 0; i < e.count; ++i) {
        acc[e.quantized[i].label] += e.value * static_cast<float>(e.quantized[i].weight);
      }
    }
  }
  for (size_t l = 0; l < n_labels; ++l) out[l] = acc[l];
}

void LinearSnapshot::FeatureWeights(uint32_t feature, double* out) const {
  const size_t n_labels = label_count();
  std::fill_n(out, n_labels, 0.0);
  const size_t p = feature >> kLinearPageBits;
  const WeightPage* page = p < pages_.size() ? pages_.get(p) : nullptr;
  if (page == nullptr) return;
  std::vector<float> row(n_labels);
  page->RowInto(feature & (kLinearPageRows - 1), static_cast<uint32_t>(n_labels), row.data());
  for (size_t l = 0; l < n_labels; ++l) out[l] = row[l];
}

void LinearSnapshot::Effects(const uint32_t* features, size_t feature_count,
                             std::vector<uint32_t>* distinct, std::vector<uint32_t>* counts,
                             std::vector<double>* effects, std::vector<double>* base) const {
  const size_t n_labels = label_count();
  const std::vector<Entry>& entries = Vectorize(features, feature_count);
  TermCounter counter;  // the counts, for the report
  std::unordered_map<uint32_t, uint32_t> count_of;
  for (const auto& term : counter.Count(features, feature_count)) {
    count_of[term.feature] = term.count;
  }
  distinct->clear();
  counts->clear();
  effects->assign(entries.size() * n_labels, 0.0);
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    distinct->push_back(e.feature);
    counts->push_back(count_of[e.feature]);
    double* row = effects->data() + i * n_labels;
    for (uint32_t k = 0; k < e.count; ++k) {
      if (e.entries != nullptr) {
        row[e.entries[k].label] = double{e.value} * e.entries[k].weight;
      } else {
        row[e.quantized[k].label] = double{e.value} * e.quantized[k].weight;
      }
    }
  }
  base->assign(bias_.begin(), bias_.end());
}

}  // namespace classiflow
