#include "models/bayes/snapshot.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <limits>

#include "util/per_thread.h"

namespace classiflow {

// One run of equal (feature, label) keys among the training documents.
struct BayesSnapshot::Delta {
  uint32_t feature;
  uint32_t label;
  uint64_t amount;
};

namespace {

constexpr size_t kParallelPages = 64;  // below this many touched pages, rebuild serially

// Sorted (feature << 32 | label) keys of all feature occurrences, run-length encoded.
template <class Delta>
std::vector<Delta> CollectDeltas(const std::vector<TrainingDoc>& docs, uint64_t feature_limit) {
  size_t total = 0;
  for (const auto& doc : docs) total += doc.feature_count;
  std::vector<uint64_t> keys;
  keys.reserve(total);
  for (const auto& doc : docs) {
    for (size_t i = 0; i < doc.feature_count; ++i) {
      if (doc.features[i] < feature_limit) {
        keys.push_back(uint64_t{doc.features[i]} << 32 | doc.label_index);
      }
    }
  }
  // A parallel sort only pays off for big batches (measured: single documents spent 15 % of a
  // training step in TBB's task overhead).
  if (keys.size() < (size_t{1} << 16)) {
    std::sort(keys.begin(), keys.end());
  } else {
    tbb::parallel_sort(keys.begin(), keys.end());
  }
  std::vector<Delta> deltas;
  for (size_t i = 0; i < keys.size();) {
    size_t j = i;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    deltas.push_back({static_cast<uint32_t>(keys[i] >> 32), static_cast<uint32_t>(keys[i]), j - i});
    i = j;
  }
  return deltas;
}

}  // namespace

void CountPage::BuildReadIndex() {
  // Dense pays off when a row has a few entries and fills a quarter of its width (measured).
  constexpr uint32_t kMinDenseEntries = 4;
  dense_values.clear();
  for (uint32_t row = 0; row < kPageSize; ++row) {
    const uint32_t begin = offsets[row], end = offsets[row + 1];
    RowInfo& info = rows[row];
    info = RowInfo{begin, static_cast<uint16_t>(end - begin), 0};
    if (info.count == 1) {
      info.a = std::bit_cast<uint32_t>(entries[begin].gain);
      info.b = static_cast<uint16_t>(entries[begin].label);
      continue;
    }
    if (info.count < kMinDenseEntries) continue;
    const uint32_t width = entries[end - 1].label + 1;
    if (4 * info.count < width) continue;
    info.a = static_cast<uint32_t>(dense_values.size());
    info.b = static_cast<uint16_t>(width);
    dense_values.resize(dense_values.size() + width, 0.0f);
    for (uint32_t e = begin; e < end; ++e)
      dense_values[info.a + entries[e].label] = entries[e].gain;
  }
}

float CountGain(uint32_t count, double alpha) {
  return static_cast<float>(std::log(count + alpha) - std::log(alpha));
}

namespace {

uint32_t CountOf(const CountPage* page, uint32_t row, uint32_t label) {
  if (page == nullptr) return 0;
  for (uint32_t e = page->offsets[row]; e < page->offsets[row + 1]; ++e) {
    if (page->entries[e].label == label) return page->entries[e].count;
  }
  return 0;
}

}  // namespace

BayesSnapshot::BayesSnapshot(const BayesOptions& options, uint64_t version,
                             std::shared_ptr<const std::vector<std::string>> labels)
    : TrainableSnapshot(version, std::move(labels)),
      alpha_(options.alpha),
      fit_prior_(options.fit_prior) {}

BayesSnapshot::BayesSnapshot(const BayesSnapshot& base, uint64_t version,
                             std::shared_ptr<const std::vector<std::string>> labels)
    : TrainableSnapshot(version, std::move(labels)),
      alpha_(base.alpha_),
      fit_prior_(base.fit_prior_),
      pages_(base.pages_),
      doc_counts_(base.doc_counts_),
      token_counts_(base.token_counts_),
      distinct_features_(base.distinct_features_) {}

std::shared_ptr<const BayesSnapshot> BayesSnapshot::Empty(
    const BayesOptions& options, int hash_bits,
    std::shared_ptr<const std::vector<std::string>> labels) {
  auto snap = std::shared_ptr<BayesSnapshot>(new BayesSnapshot(options, 0, std::move(labels)));
  snap->pages_ = CountPageTable((size_t{1} << hash_bits) / kPageSize);
  snap->doc_counts_.assign(snap->label_count(), 0);
  snap->token_counts_.assign(snap->label_count(), 0);
  snap->Precompute();
  return snap;
}

void BayesSnapshot::Precompute() {
  const size_t n_labels = label_count();
  log_alpha_ = std::log(alpha_);
  uint64_t total_docs = 0;
  for (uint64_t d : doc_counts_) total_docs += d;
  log_prior_.resize(n_labels);
  log_norm_.resize(n_labels);
  for (size_t c = 0; c < n_labels; ++c) {
    // Laplace-smoothed priors: a label nobody trained yet is unlikely, not impossible.
    // Counts become doubles: above 2^53 the lost precision is far below a log's.
    const auto docs = static_cast<double>(doc_counts_[c]),
               all_docs = static_cast<double>(total_docs);
    log_prior_[c] = fit_prior_ ? std::log((docs + 1.0) / (all_docs + double(n_labels)))
                               : -std::log(double(n_labels));
    const auto distinct = static_cast<double>(std::max<uint64_t>(distinct_features_, 1));
    log_norm_[c] = std::log(static_cast<double>(token_counts_[c]) + alpha_ * distinct);
  }
}

PageView ViewOf(const CountPage& page) {
  return PageView{page.rows.data(), page.entries.data(), page.dense_values.data()};
}

const float* BayesSnapshot::Gains(const uint32_t* features, size_t feature_count) const {
  const size_t n_labels = label_count();
  // Gains are summed in float: dense rows then add 4 labels per SSE instruction with no
  // conversion (measured: the dense adds dominate on many-label models). The sums stay far
  // inside float precision for any text within max_text_bytes that matters for the argmax.
  struct Work {
    const void* data;  // dense values or entries
    uint32_t length;   // dense width or entry count; for single-label rows the label
    float gain;        // single-label rows only
  };
  struct Scratch {
    std::vector<float> sums;
    std::vector<Work> work;
  };
  Scratch& scratch = PerThread<Scratch>();
  std::vector<float>& sums = scratch.sums;
  sums.assign(n_labels, 0.0f);
  float* acc = sums.data();
  const size_t n_pages = pages_.size();
  const CountPageTable::Reader pages = pages_.reader();
  // The loop below is bound by cache misses on the rows; touching them all first lets the CPU
  // fetch them in parallel (measured on the Debian corpus, see docs/benchmarks.md).
  for (size_t i = 0; i < feature_count; ++i) {
    const size_t p = features[i] >> kPageBits;
    if (p >= n_pages) continue;
    const PageView& view = pages.view(p);
    if (view.rows != nullptr) __builtin_prefetch(view.rows + (features[i] & (kPageSize - 1)));
  }
  // Then sort the rows by kind without branching (the kinds alternate unpredictably, and a
  // mispredicted branch per feature cost more than the adds), prefetching what they point at.
  std::vector<Work>& work = scratch.work;
  work.resize(3 * feature_count);
  size_t counts[3] = {0, 0, 0};  // single, dense, sparse
  for (size_t i = 0; i < feature_count; ++i) {
    const size_t p = features[i] >> kPageBits;
    if (p >= n_pages) continue;
    const PageView& view = pages.view(p);
    if (view.rows == nullptr) continue;
    const RowInfo& row = view.rows[features[i] & (kPageSize - 1)];
    const size_t kind = row.count == 1 ? 0 : row.dense() ? 1 : 2;
    const void* data = kind == 1 ? static_cast<const void*>(view.dense + row.a)
                                 : static_cast<const void*>(view.entries + row.a);
    __builtin_prefetch(data);
    work[kind * feature_count + counts[kind]++] = Work{data,
                                                       kind == 0   ? row.b
                                                       : kind == 1 ? row.b
                                                                   : row.count,
                                                       std::bit_cast<float>(row.a)};
  }
  for (const Work *w = work.data(), *end = w + counts[0]; w != end; ++w) acc[w->length] += w->gain;
  for (const Work *w = work.data() + feature_count, *end = w + counts[1]; w != end; ++w) {
    const float* values = static_cast<const float*>(w->data);
    for (uint32_t c = 0; c < w->length; ++c) acc[c] += values[c];
  }
  for (const Work *w = work.data() + 2 * feature_count, *end = w + counts[2]; w != end; ++w) {
    const CountEntry* entries = static_cast<const CountEntry*>(w->data);
    for (uint32_t e = 0; e < w->length; ++e) acc[entries[e].label] += entries[e].gain;
  }
  return acc;
}

void BayesSnapshot::RawScores(const uint32_t* features, size_t feature_count, double* out) const {
  const float* acc = Gains(features, feature_count);
  const double n = static_cast<double>(feature_count);
  for (size_t c = 0; c < label_count(); ++c)
    out[c] = log_prior_[c] + n * (log_alpha_ - log_norm_[c]) + acc[c];
}

size_t BayesSnapshot::RawArgmax(const uint32_t* features, size_t feature_count,
                                double* /*scratch*/) const {
  // RawScores' arithmetic, compared as it is made: no score written, no second pass (with
  // thousands of labels, writing and rescanning every label's double was most of the time).
  const float* acc = Gains(features, feature_count);
  const double n = static_cast<double>(feature_count);
  size_t best = 0;
  double best_score = -std::numeric_limits<double>::infinity();
  for (size_t c = 0; c < label_count(); ++c) {
    const double score = log_prior_[c] + n * (log_alpha_ - log_norm_[c]) + acc[c];
    // A branch, rarely taken, so the labels' scores overlap in the pipeline. Measured: a form
    // the compiler turns into a conditional move (the first label hoisted out of the loop), or
    // a two-lane SSE2 blend, chains every label to the last and ran 40 % slower.
    if (score > best_score || c == 0) {
      best = c;
      best_score = score;
    }
  }
  return best;
}

Status BayesSnapshot::CheckSubtract(const std::vector<Delta>& deltas,
                                    const std::vector<uint64_t>& docs,
                                    const std::vector<uint64_t>& tokens) const {
  for (size_t c = 0; c < docs.size(); ++c) {
    if (c >= doc_counts_.size() || docs[c] > doc_counts_[c] || tokens[c] > token_counts_[c]) {
      return Status::InvalidArgument("untrain would make the counts of label '" +
                                     (c < label_count() ? labels()[c] : std::string("?")) +
                                     "' negative: that text was not trained with it");
    }
  }
  for (const Delta& d : deltas) {
    const CountPage* page = pages_.get(d.feature >> kPageBits);
    if (CountOf(page, d.feature & (kPageSize - 1), d.label) < d.amount) {
      return Status::InvalidArgument("untrain would make a feature count of label '" +
                                     labels()[d.label] +
                                     "' negative: that text was not trained with it");
    }
  }
  return Status::OK();
}

namespace {

// Merges the old entries of one page with sorted deltas for that page. Returns null when the
// page ends up empty. `distinct_change` receives the change in non-empty rows.
template <class Delta>
std::shared_ptr<const CountPage> MergePage(const CountPage* old, const Delta* begin,
                                           const Delta* end, bool subtract, double alpha,
                                           int64_t* distinct_change) {
  auto page = std::make_shared<CountPage>();
  page->entries.reserve((old ? old->entries.size() : 0) + (end - begin));
  const Delta* d = begin;
  int64_t change = 0;
  for (uint32_t row = 0; row < kPageSize; ++row) {
    page->offsets[row] = static_cast<uint32_t>(page->entries.size());
    const bool was_empty = old == nullptr || old->offsets[row] == old->offsets[row + 1];
    uint32_t e = old ? old->offsets[row] : 0;
    const uint32_t e_end = old ? old->offsets[row + 1] : 0;
    while (e < e_end || (d != end && (d->feature & (kPageSize - 1)) == row)) {
      const bool take_delta = d != end && (d->feature & (kPageSize - 1)) == row &&
                              (e == e_end || d->label <= old->entries[e].label);
      CountEntry entry = take_delta && (e == e_end || d->label < old->entries[e].label)
                             ? CountEntry{d->label, 0, 0.0f}
                             : old->entries[e++];
      if (take_delta) {
        const uint64_t amount = d->amount;
        entry.count = subtract ? entry.count - static_cast<uint32_t>(amount)
                               : static_cast<uint32_t>(std::min<uint64_t>(
                                     uint64_t{entry.count} + amount, UINT32_MAX));
        entry.gain = CountGain(entry.count, alpha);
        ++d;
      }
      if (entry.count != 0) page->entries.push_back(entry);
    }
    const bool is_empty = page->entries.size() == page->offsets[row];
    change += int64_t{was_empty && !is_empty} - int64_t{!was_empty && is_empty};
  }
  page->offsets[kPageSize] = static_cast<uint32_t>(page->entries.size());
  *distinct_change = change;
  if (page->entries.empty()) return nullptr;
  page->entries.shrink_to_fit();
  page->BuildReadIndex();
  return page;
}

}  // namespace

Status BayesSnapshot::Update(const std::vector<TrainingDoc>& docs, bool subtract,
                             std::shared_ptr<const std::vector<std::string>> labels,
                             uint64_t version,
                             std::shared_ptr<const TrainableSnapshot>* next) const {
  const size_t n_labels = labels->size();
  std::vector<uint64_t> doc_delta(n_labels, 0), token_delta(n_labels, 0);
  for (const auto& doc : docs) {
    doc_delta[doc.label_index] += 1;
    token_delta[doc.label_index] += doc.feature_count;
  }
  const std::vector<Delta> deltas = CollectDeltas<Delta>(docs, pages_.size() * kPageSize);
  if (subtract) CF_RETURN_IF_ERROR(CheckSubtract(deltas, doc_delta, token_delta));

  auto snap = std::shared_ptr<BayesSnapshot>(new BayesSnapshot(*this, version, std::move(labels)));
  snap->doc_counts_.resize(n_labels, 0);
  snap->token_counts_.resize(n_labels, 0);
  for (size_t c = 0; c < n_labels; ++c) {
    snap->doc_counts_[c] =
        subtract ? snap->doc_counts_[c] - doc_delta[c] : snap->doc_counts_[c] + doc_delta[c];
    snap->token_counts_[c] = subtract ? snap->token_counts_[c] - token_delta[c]
                                      : snap->token_counts_[c] + token_delta[c];
  }
  // Group the deltas by page: [group_start[g], group_start[g + 1]) share one page.
  std::vector<size_t> group_start;
  for (size_t i = 0; i < deltas.size(); ++i) {
    if (i == 0 || (deltas[i].feature >> kPageBits) != (deltas[i - 1].feature >> kPageBits)) {
      group_start.push_back(i);
    }
  }
  group_start.push_back(deltas.size());
  // Pages are merged in parallel into `rebuilt`, then installed by this thread alone
  // (CountPageTable::Set copies shared leaves and is not safe to call concurrently).
  const size_t groups = group_start.size() - 1;
  std::vector<CountPageTable::PagePtr> rebuilt(groups);
  std::atomic<int64_t> distinct_change{0};
  auto rebuild = [&](size_t g) {
    const uint32_t p = deltas[group_start[g]].feature >> kPageBits;
    int64_t change = 0;
    rebuilt[g] = MergePage(pages_.get(p), deltas.data() + group_start[g],
                           deltas.data() + group_start[g + 1], subtract, alpha_, &change);
    distinct_change += change;
  };
  if (groups < kParallelPages) {
    for (size_t g = 0; g < groups; ++g) rebuild(g);
  } else {
    tbb::parallel_for(size_t{0}, groups, rebuild);
  }
  for (size_t g = 0; g < groups; ++g) {
    const uint32_t p = deltas[group_start[g]].feature >> kPageBits;
    snap->pages_.Set(p, std::move(rebuilt[g]));
  }
  snap->distinct_features_ = static_cast<uint64_t>(int64_t(distinct_features_) + distinct_change);
  snap->Precompute();
  *next = std::move(snap);
  return Status::OK();
}

}  // namespace classiflow
