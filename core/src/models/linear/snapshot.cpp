#include "models/linear/snapshot.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "models/linear/feature_value.h"
#include "models/term_counter.h"
#include "util/per_thread.h"

namespace classiflow {
namespace {

// Writes one row's entries [first, first + count) after its head: as they are when sparse, or
// each weight at its label (over zeroed bytes) when dense.
template <class W>
void PackRow(const SparseEntry<W>* first, size_t count, bool dense, std::byte* out) {
  if (!dense) {
    if (count != 0) std::memcpy(out, first, count * sizeof(SparseEntry<W>));
    return;
  }
  for (size_t e = 0; e < count; ++e) {
    std::memcpy(out + first[e].label * sizeof(W), &first[e].weight, sizeof(W));
  }
}

}  // namespace

void WeightPage::Pack(const std::array<uint32_t, kLinearPageRows + 1>& bounds,
                      const std::vector<WeightEntry>& weights,
                      const std::vector<QuantizedEntry>& quantized_weights,
                      const std::array<float, kLinearPageRows>& scales,
                      const std::array<float, kLinearPageRows>& centres, size_t labels) {
  const size_t weight_size = quantized ? sizeof(int8_t) : sizeof(float);
  const size_t entry_size = quantized ? sizeof(QuantizedEntry) : sizeof(WeightEntry);
  std::array<uint16_t, kLinearPageRows> widths{};
  size_t size = 0;
  for (uint32_t r = 0; r < kLinearPageRows; ++r) {
    const size_t count = bounds[r + 1] - bounds[r];
    // Dense where it takes no more bytes: reading is then one vectorised pass (see RowHead).
    const bool dense = count != 0 && labels * weight_size <= count * entry_size;
    widths[r] = static_cast<uint16_t>(dense ? labels : 0);
    offsets[r] = static_cast<uint16_t>(size / kRowAlign);
    const size_t bytes = sizeof(RowHead) + (dense ? labels * weight_size : count * entry_size);
    size += (bytes + kRowAlign - 1) / kRowAlign * kRowAlign;
  }
  packed.assign(size, std::byte{0});
  present = 0;
  this->labels = static_cast<uint16_t>(labels);
  for (uint32_t r = 0; r < kLinearPageRows; ++r) {
    if (df[r] != 0) present = static_cast<uint16_t>(present | (1u << r));
    const uint32_t count = bounds[r + 1] - bounds[r];
    std::byte* at = packed.data() + kRowAlign * offsets[r];
    new (at) RowHead{std::log1p(static_cast<float>(df[r])), scales[r], centres[r],
                     static_cast<uint16_t>(count), widths[r]};
    std::byte* out = at + sizeof(RowHead);
    if (quantized) {
      PackRow(quantized_weights.data() + bounds[r], count, widths[r] != 0, out);
    } else {
      PackRow(weights.data() + bounds[r], count, widths[r] != 0, out);
    }
  }
}

void WeightPage::RowInto(uint32_t row, uint32_t width, float* out) const {
  std::fill_n(out, width, 0.0f);
  const RowHead& head = Head(row);
  const float scale = quantized ? head.scale : 1.0f;
  ForEachWeight(head, quantized,
                [&](uint32_t label, float stored) { out[label] = stored * scale; });
  for (uint32_t l = labels; l < width; ++l) out[l] = -head.centre;
}

WeightView ViewOf(const WeightPage& page) {
  return WeightView{page.offsets, page.packed.data(), page.present, page.labels, page.quantized};
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
      thresholds_(base.thresholds_),
      temperature_(base.temperature_),
      log_docs_(base.log_docs_) {
  // A label joining a trained model starts as its least likely one, with AdaGrad's step as
  // settled as theirs: from a bias of 0 and a fresh accumulator, its first text's step lifted
  // the bias by about the learning rate and it won every text sharing no word with the others.
  if (label_count() > bias_.size()) {
    const bool trained = !bias_.empty() && docs_ > 0;
    const float least = trained ? *std::min_element(bias_.begin(), bias_.end()) : 0.0f;
    const float settled =
        trained ? *std::max_element(bias_squared_.begin(), bias_squared_.end()) : 0.0f;
    bias_.resize(label_count(), least);
    bias_squared_.resize(label_count(), settled);
  }
  if (options_.multilabel) thresholds_.resize(label_count(), kDefaultThreshold);
}

std::shared_ptr<const LinearSnapshot> LinearSnapshot::Empty(
    const LinearOptions& options, int hash_bits,
    std::shared_ptr<const std::vector<std::string>> labels) {
  auto snap = std::shared_ptr<LinearSnapshot>(new LinearSnapshot(options, 0, std::move(labels)));
  snap->pages_ = WeightPageTable((size_t{1} << hash_bits) / kLinearPageRows);
  snap->bias_.assign(snap->label_count(), 0.0f);
  snap->bias_squared_.assign(snap->label_count(), 0.0f);
  if (options.multilabel) snap->thresholds_.assign(snap->label_count(), kDefaultThreshold);
  return snap;
}

Status LinearSnapshot::WithThresholds(std::vector<float> thresholds, uint64_t version,
                                      std::shared_ptr<const TrainableSnapshot>* next) const {
  if (!options_.multilabel) return TrainableSnapshot::WithThresholds({}, version, next);
  auto snap = std::shared_ptr<LinearSnapshot>(new LinearSnapshot(*this, version, label_list()));
  snap->thresholds_ = std::move(thresholds);
  snap->thresholds_.resize(label_count(), kDefaultThreshold);
  *next = std::move(snap);
  return Status::OK();
}

const std::vector<LinearSnapshot::Entry>& LinearSnapshot::Vectorize(const uint32_t* features,
                                                                    size_t feature_count) const {
  struct Found {
    const RowHead* head;
    bool quantized;
    uint16_t known;  // the page's labels
    uint32_t tf;
    uint32_t feature;
  };
  struct Scratch {
    TermCounter counter;
    std::vector<Found> found;
    std::vector<Entry> entries;
  };
  Scratch& scratch = PerThread<Scratch>();
  std::vector<Found>& found = scratch.found;
  std::vector<Entry>& entries = scratch.entries;
  const std::vector<TermCounter::Term>& terms = scratch.counter.Count(features, feature_count);
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
    if ((view.present >> r & 1u) == 0) continue;  // also every row of an empty page
    const auto* head = std::launder(
        reinterpret_cast<const RowHead*>(view.packed + WeightPage::kRowAlign * view.offsets[r]));
    __builtin_prefetch(head);
    __builtin_prefetch(reinterpret_cast<const char*>(head) + 64);  // a row often spans two lines
    found.push_back({head, view.quantized, view.labels, term.count, term.feature});
  }
  entries.clear();
  double norm = 0;
  const size_t n_labels = label_count();
  for (const Found& f : found) {
    const float value = FeatureValue(f.tf, options_.idf, log_docs_, f.head->log_df);
    norm += double{value} * value;
    const bool all_known = f.known >= n_labels || f.head->centre == 0;
    if (f.head->count == 0 && all_known) continue;  // in the length, but no weight worth keeping
    entries.push_back({f.head, f.quantized ? value * f.head->scale : value, f.feature, f.tf,
                       -f.head->centre * value,
                       all_known ? static_cast<uint32_t>(n_labels) : f.known, f.quantized});
  }
  const auto inverse = static_cast<float>(norm > 0 ? 1.0 / std::sqrt(norm) : 0.0);
  for (Entry& e : entries) {
    e.value *= inverse;
    e.absent *= inverse;
  }
  return entries;
}

namespace {

template <class W>
void AddRowOf(const RowHead& head, float value, float* acc) {
  if (head.width != 0) {
    const W* weights = DenseWeights<W>(head);
    for (uint32_t l = 0; l < head.width; ++l) acc[l] += value * static_cast<float>(weights[l]);
    return;
  }
  const SparseEntry<W>* entries = SparseEntries<W>(head);
  for (uint32_t i = 0; i < head.count; ++i) {
    acc[entries[i].label] += value * static_cast<float>(entries[i].weight);
  }
}

}  // namespace

void AddRow(const RowHead& head, bool quantized, float value, float* acc) {
  if (quantized) {
    AddRowOf<int8_t>(head, value, acc);
  } else {
    AddRowOf<float>(head, value, acc);
  }
}

void LinearSnapshot::RawScores(const uint32_t* features, size_t feature_count, double* out) const {
  const size_t n_labels = label_count();
  struct Sums {
    std::vector<float> values;
  };
  std::vector<float>& sums = PerThread<Sums>().values;
  sums.assign(bias_.begin(), bias_.end());
  float* acc = sums.data();
  for (const Entry& e : Vectorize(features, feature_count)) {
    AddRow(*e.head, e.quantized, e.value, acc);
    for (size_t l = e.known; l < n_labels; ++l) acc[l] += e.absent;
  }
  for (size_t l = 0; l < n_labels; ++l) out[l] = double{acc[l]} * temperature_;
}

void LinearSnapshot::FeatureWeights(uint32_t feature, double* out) const {
  const size_t n_labels = label_count();
  std::fill_n(out, n_labels, 0.0);
  const size_t p = feature >> kLinearPageBits;
  const WeightPage* page = p < pages_.size() ? pages_.get(p) : nullptr;
  if (page == nullptr) return;
  std::vector<float> row(n_labels);
  page->RowInto(feature & (kLinearPageRows - 1), static_cast<uint32_t>(n_labels), row.data());
  for (size_t l = 0; l < n_labels; ++l) out[l] = double{row[l]} * temperature_;
}

void LinearSnapshot::Effects(const uint32_t* features, size_t feature_count,
                             std::vector<uint32_t>* distinct, std::vector<uint32_t>* counts,
                             std::vector<double>* effects, std::vector<double>* base) const {
  const size_t n_labels = label_count();
  const std::vector<Entry>& entries = Vectorize(features, feature_count);
  distinct->clear();
  counts->clear();
  effects->assign(entries.size() * n_labels, 0.0);
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    distinct->push_back(e.feature);
    counts->push_back(e.tf);
    double* row = effects->data() + i * n_labels;
    ForEachWeight(*e.head, e.quantized, [&](uint32_t label, float stored) {
      row[label] = double{e.value} * stored * temperature_;
    });
    for (size_t l = e.known; l < n_labels; ++l) row[l] = double{e.absent} * temperature_;
  }
  base->resize(n_labels);
  for (size_t l = 0; l < n_labels; ++l) (*base)[l] = double{bias_[l]} * temperature_;
}

}  // namespace classiflow
