// Training of the linear model: stochastic gradient descent on the softmax log loss, on one
// hinge loss per label (LinearOptions::loss "hinge"), or for a multilabel model on the sum of
// each label's binary log loss (one-vs-all).
//
// A step copies the pages of every feature its documents hold (widened to the current label
// count, dequantized), counts document frequencies, turns each document into its unit-length
// vector once, then makes its passes over those private copies and publishes them as the next
// version. With several threads each takes a share of every pass and they update the shared
// copies without locks (Hogwild: rare lost updates cost nothing measurable in accuracy); the
// accesses are relaxed atomics, so the races are defined behaviour. With one thread the loop is
// plain and the result repeats bit for bit for a seed.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <unordered_map>

#include "models/linear/feature_value.h"
#include "models/linear/snapshot.h"
#include "models/term_counter.h"
#include "util/per_thread.h"

namespace classiflow {
namespace {

// AdaGrad's starting accumulator: the first steps of a feature are lr / sqrt(0.1 + g²), not an
// unbounded lr / |g|.
constexpr float kInitialAccumulator = 0.1f;
// Gradients below this are not applied (see Step).
constexpr float kMinGradient = 1e-4f;
// Documents between two progress reports (and the barrier between Hogwild shares).
constexpr size_t kSlice = 8192;

// A feature occurrence of a document: which working row (slot << kLinearPageBits | row) and
// its value in the document's unit-length vector.
struct DocEntry {
  uint32_t ref;
  float value;
};

struct Scratch {
  std::vector<float> scores;
  std::vector<uint32_t> active;
};

// The dual variable of one (document, label) hinge loss, kept only while it is not zero.
struct Dual {
  uint32_t label;
  float alpha;
};

template <bool kShared>
float Load(const float& x) {
  if constexpr (kShared) {
    return std::atomic_ref<const float>(x).load(std::memory_order_relaxed);
  } else {
    return x;
  }
}

template <bool kShared>
void Store(float& x, float v) {
  if constexpr (kShared) {
    std::atomic_ref<float>(x).store(v, std::memory_order_relaxed);
  } else {
    x = v;
  }
}

}  // namespace

// A touched page while it trains: dense rows of every label.
struct DensePage {
  std::vector<float> weights;  // rows × labels
  std::array<float, kLinearPageRows> squared{};
  std::array<uint32_t, kLinearPageRows> df{};
  std::array<float, kLinearPageRows> log_df{};
};

struct LinearSnapshot::Training {
  LinearSnapshot* snap;  // the version being built
  size_t n_labels;
  float learning_rate, l2;
  float min_gradient = kMinGradient;  // smaller gradients are not applied (see Step)
  bool adagrad;
  float prune;                                    // Install's share of a row's largest weight
  std::vector<std::unique_ptr<DensePage>> slots;  // private copies of the touched pages
  std::vector<uint32_t> slot_page;                // slot -> page index
  std::vector<size_t> doc_begin;                  // doc i: entries [doc_begin[i], doc_begin[i+1])
  std::vector<DocEntry> entries;
  std::vector<uint32_t> doc_label;
  bool multilabel = false;
  bool hinge = false;
  // Optimizer "dual": each document's non-zero dual variables by increasing label, and the
  // box [0, dual_bound] they live in (C = 1 / (l2 · documents)).
  bool dual = false;
  float dual_bound = 0;
  // Whether steps move the biases. Online hinge steps do not: a passive-aggressive step put half
  // of its correction in the bias (an SGD step the whole learning rate), so that one text of a
  // new label lifted it on every text, where in the weights it moves only the texts that share
  // its words. (The log loss's steps do: its biases follow the labels' frequencies.)
  bool bias_steps = true;
  std::vector<std::vector<Dual>> duals;
  std::vector<uint32_t> set_labels;  // multilabel: doc i's are [set_begin[i], set_begin[i+1])
  std::vector<size_t> set_begin;

  float* Row(uint32_t ref) {
    return slots[ref >> kLinearPageBits]->weights.data() +
           size_t{ref & (kLinearPageRows - 1)} * n_labels;
  }
  float& Squared(uint32_t ref) {
    return slots[ref >> kLinearPageBits]->squared[ref & (kLinearPageRows - 1)];
  }

  // Copies the pages `docs` touch, counts their document frequencies and builds their vectors.
  void Prepare(const LinearSnapshot& base, const std::vector<TrainingDoc>& docs) {
    std::unordered_map<uint32_t, uint32_t> slot_of;  // page -> slot
    const size_t n_pages = base.pages_.size();
    TermCounter counter;
    doc_begin.assign(1, 0);
    doc_label.clear();
    set_begin.assign(1, 0);
    set_labels.clear();
    for (const TrainingDoc& doc : docs) {
      for (const TermCounter::Term& term : counter.Count(doc.features, doc.feature_count)) {
        const uint32_t feature = term.feature;
        const uint32_t tf = term.count;
        const uint32_t page = feature >> kLinearPageBits;
        if (page >= n_pages) continue;
        auto [it, fresh] = slot_of.try_emplace(page, static_cast<uint32_t>(slots.size()));
        if (fresh) {
          const WeightPage* old = base.pages_.get(page);
          snap->pages_present_ += old == nullptr;
          slots.push_back(CopyPage(old));
          slot_page.push_back(page);
        }
        const uint32_t ref = it->second << kLinearPageBits | (feature & (kLinearPageRows - 1));
        slots[it->second]->df[ref & (kLinearPageRows - 1)] += 1;
        // The term frequency rides in `value` until the frequencies are complete.
        entries.push_back({ref, static_cast<float>(tf)});
      }
      doc_begin.push_back(entries.size());
      doc_label.push_back(doc.label_index);
      set_labels.insert(set_labels.end(), doc.label_set.begin(), doc.label_set.end());
      set_begin.push_back(set_labels.size());
    }
    snap->docs_ += docs.size();
    snap->log_docs_ = std::log1p(static_cast<float>(snap->docs_));
    for (auto& page : slots) {  // log_df for the values
      for (uint32_t r = 0; r < kLinearPageRows; ++r) {
        page->log_df[r] = std::log1p(static_cast<float>(page->df[r]));
      }
    }
    for (size_t d = 0; d + 1 < doc_begin.size(); ++d) {
      double norm = 0;
      for (size_t e = doc_begin[d]; e < doc_begin[d + 1]; ++e) {
        const DensePage& page = *slots[entries[e].ref >> kLinearPageBits];
        const float value =
            FeatureValue(static_cast<uint32_t>(entries[e].value), snap->options_.idf,
                         snap->log_docs_, page.log_df[entries[e].ref & (kLinearPageRows - 1)]);
        entries[e].value = value;
        norm += double{value} * value;
      }
      const auto inverse = static_cast<float>(norm > 0 ? 1.0 / std::sqrt(norm) : 0.0);
      for (size_t e = doc_begin[d]; e < doc_begin[d + 1]; ++e) entries[e].value *= inverse;
    }
  }

  // A dense, full-precision copy of `page` (or a new empty one) over n_labels.
  std::unique_ptr<DensePage> CopyPage(const WeightPage* page) const {
    auto copy = std::make_unique<DensePage>();
    copy->weights.assign(size_t{kLinearPageRows} * n_labels, 0.0f);
    if (page == nullptr) return copy;
    for (uint32_t r = 0; r < kLinearPageRows; ++r) {
      page->RowInto(r, static_cast<uint32_t>(n_labels),
                    copy->weights.data() + size_t{r} * n_labels);
    }
    for (uint32_t r = 0; r < kLinearPageRows; ++r) {
      copy->squared[r] = page->squared[r];
      copy->df[r] = page->df[r];
    }
    return copy;
  }

  // Scores g of document d become the gradient p - onehot(label) of its softmax log loss, which
  // is returned.
  double SoftmaxGradient(size_t d, float* g) const {
    const float top = *std::max_element(g, g + n_labels);
    float sum = 0;
    for (size_t l = 0; l < n_labels; ++l) sum += (g[l] = std::exp(std::max(g[l] - top, -80.0f)));
    const uint32_t label = doc_label[d];
    const double loss = -std::log(std::max(g[label] / sum, 1e-30f));
    for (size_t l = 0; l < n_labels; ++l) g[l] = g[l] / sum - (l == label ? 1.0f : 0.0f);
    return loss;
  }

  // Hinge: scores g become the subgradient of each label's hinge loss max(0, 1 - y s) (y = 1
  // for the document's label, -1 for the others), whose sum is returned. Measured on the
  // Debian corpus's held-out fifth: 0.839-0.840 accuracy with plain SGD, where the log loss
  // scores 0.824-0.829 and the squared hinge (LinearSVC's) by SGD 0.815-0.821.
  double HingeGradient(size_t d, float* g) const {
    const uint32_t label = doc_label[d];
    double loss = 0;
    for (size_t l = 0; l < n_labels; ++l) {
      const float y = l == label ? 1.0f : -1.0f;
      const float margin = 1.0f - y * g[l];
      loss += std::max(margin, 0.0f);
      g[l] = margin > 0 ? -y : 0.0f;
    }
    return loss;
  }

  // Dual coordinate descent (Hsieh et al. 2008, the solver of liblinear and so of LinearSVC)
  // on each label's hinge loss, w = Σ α y x: scores g become minus each label's exact step on
  // its α (clipped to [0, C]), so that Step's update w -= g x applies it; the hinge losses'
  // sum is returned. A document's vector has unit length (Prepare; none without features) and
  // the bias is a feature of value 1, so each coordinate's curvature is |x|² + 1.
  double DualGradient(size_t d, float* g) {
    const uint32_t label = doc_label[d];
    const float curvature =
        (doc_begin[d + 1] > doc_begin[d] ? 1.0f : 0.0f) + (bias_steps ? 1.0f : 0.0f);
    if (curvature == 0) {  // nothing to step: no features, and the bias stays
      std::fill_n(g, n_labels, 0.0f);
      return 0;
    }
    std::vector<Dual>& mine = duals[d];
    struct Kept {
      std::vector<Dual> duals;
    };
    std::vector<Dual>& kept = PerThread<Kept>().duals;
    kept.clear();
    auto next = mine.begin();
    double loss = 0;
    for (size_t l = 0; l < n_labels; ++l) {
      const bool has = next != mine.end() && next->label == l;
      const float alpha = has ? (next++)->alpha : 0.0f;
      const float y = l == label ? 1.0f : -1.0f;
      const float margin = y * g[l];
      loss += std::max(1.0f - margin, 0.0f);
      const float updated = std::clamp(alpha - (margin - 1.0f) / curvature, 0.0f, dual_bound);
      g[l] = (alpha - updated) * y;
      if (updated > 0) kept.push_back({static_cast<uint32_t>(l), updated});
    }
    mine.swap(kept);
    return loss;
  }

  // Multilabel: scores g become the gradient sigmoid(g) - y of each label's binary log loss
  // (y = 1 for the document's labels), whose sum is returned.
  double SigmoidGradient(size_t d, float* g) const {
    const uint32_t* next = set_labels.data() + set_begin[d];  // sorted
    const uint32_t* end = set_labels.data() + set_begin[d + 1];
    double loss = 0;
    for (size_t l = 0; l < n_labels; ++l) {
      const bool has = next != end && *next == l;
      next += has;
      const float p = 1.0f / (1.0f + std::exp(-std::clamp(g[l], -80.0f, 80.0f)));
      loss -= std::log(std::max(has ? p : 1.0f - p, 1e-30f));
      g[l] = p - (has ? 1.0f : 0.0f);
    }
    return loss;
  }

  // One gradient step on document d; returns its log loss. `t` numbers the step (SGD's rate).
  template <bool kShared>
  double Step(size_t d, uint64_t t, Scratch* scratch) {
    scratch->scores.resize(n_labels);
    float* g = scratch->scores.data();
    float* bias = snap->bias_.data();
    float* bias_squared = snap->bias_squared_.data();
    const DocEntry* begin = entries.data() + doc_begin[d];
    const DocEntry* end = entries.data() + doc_begin[d + 1];
    // The rows are scattered over the whole model: ask for all of them before the first is read.
    for (const DocEntry* e = begin; e != end; ++e) {
      const float* w = Row(e->ref);
      for (size_t l = 0; l < n_labels; l += 16) __builtin_prefetch(w + l);
    }
    for (size_t l = 0; l < n_labels; ++l) g[l] = Load<kShared>(bias[l]);
    for (const DocEntry* e = begin; e != end; ++e) {
      const float* w = Row(e->ref);
      for (size_t l = 0; l < n_labels; ++l) g[l] += e->value * Load<kShared>(w[l]);
    }
    const double loss = multilabel ? SigmoidGradient(d, g)
                        : dual     ? DualGradient(d, g)
                        : hinge    ? HingeGradient(d, g)
                                   : SoftmaxGradient(d, g);
    // Only labels with a gradient that matters are updated: after the first pass a text's
    // softmax is sharp, and skipping the labels it all but rules out made passes several times
    // faster on many labels at no measured cost in accuracy. It also keeps subnormal weights
    // (slow to multiply) from being bred out of vanishing gradients.
    std::vector<uint32_t>& active = scratch->active;
    active.clear();
    float g_squared = 0;
    for (size_t l = 0; l < n_labels; ++l) {
      if (g[l] != 0 && std::fabs(g[l]) >= min_gradient) {
        active.push_back(static_cast<uint32_t>(l));
        g_squared += g[l] * g[l];
      }
    }
    const float sgd_rate = learning_rate / (1.0f + learning_rate * l2 * static_cast<float>(t));
    if (bias_steps) {
      for (uint32_t l : active) {
        float rate = sgd_rate;
        if (adagrad) {
          const float acc = Load<kShared>(bias_squared[l]) + g[l] * g[l];
          Store<kShared>(bias_squared[l], acc);
          rate = learning_rate / std::sqrt(kInitialAccumulator + acc);
        }
        Store<kShared>(bias[l], Load<kShared>(bias[l]) - rate * g[l]);
      }
    }
    for (const DocEntry* e = begin; e != end; ++e) {
      float rate = sgd_rate;
      if (adagrad) {
        float& squared = Squared(e->ref);
        const float acc = Load<kShared>(squared) + e->value * e->value * g_squared;
        Store<kShared>(squared, acc);
        rate = learning_rate / std::sqrt(kInitialAccumulator + acc);
      }
      float* w = Row(e->ref);
      const float step = rate * e->value, decay = 1.0f - rate * l2;
      for (uint32_t l : active) Store<kShared>(w[l], Load<kShared>(w[l]) * decay - step * g[l]);
    }
    return loss;
  }

  // `epochs` passes over the documents (shuffled when `shuffle`, with the model's seed) on the
  // plan's threads.
  void Run(const FitPlan& plan, int epochs, bool shuffle) {
    const size_t n = doc_label.size();
    std::vector<uint32_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
    std::mt19937_64 random(snap->options_.seed);
    const uint64_t total = uint64_t{n} * static_cast<uint64_t>(epochs);
    uint64_t done = 0;
    const auto threads = static_cast<size_t>(std::max(plan.threads, 1));
    for (int epoch = 0; epoch < epochs; ++epoch) {
      if (shuffle) {
        // Fisher-Yates on the engine's raw output: the same on every standard library.
        for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[random() % i]);
      }
      double loss = 0;
      for (size_t start = 0; start < n; start += kSlice) {
        const size_t count = std::min(kSlice, n - start);
        const uint64_t t0 = snap->steps_;
        if (threads == 1 || count < 64 * threads) {
          Scratch& scratch = PerThread<Scratch>();
          for (size_t i = 0; i < count; ++i) {
            loss += Step<false>(order[start + i], t0 + i, &scratch);
          }
        } else {
          std::vector<double> losses(threads, 0.0);
          tbb::parallel_for(size_t{0}, threads, [&](size_t share) {
            Scratch& scratch = PerThread<Scratch>();
            for (size_t i = share; i < count; i += threads) {
              losses[share] += Step<true>(order[start + i], t0 + i, &scratch);
            }
          });
          for (double l : losses) loss += l;
        }
        snap->steps_ += count;
        done += count;
        if (plan.progress) plan.progress(done, total, epoch + 1, loss / double(start + count));
      }
    }
  }

  // The published form of a trained page: each row centred on its median and kept sparse
  // (see WeightPage), quantized when the model is.
  WeightPage Publish(DensePage& dense) const {
    WeightPage page;
    page.quantized = snap->options_.quantize;
    page.df = dense.df;
    page.squared = dense.squared;
    std::array<uint32_t, kLinearPageRows + 1> bounds{};
    std::array<float, kLinearPageRows> scales{}, centres{};
    std::vector<WeightEntry> weights;
    std::vector<QuantizedEntry> quantized;
    std::vector<float> sorted(n_labels);
    for (uint32_t r = 0; r < kLinearPageRows; ++r) {
      bounds[r] = static_cast<uint32_t>(page.quantized ? quantized.size() : weights.size());
      float* row = dense.weights.data() + size_t{r} * n_labels;
      // Centring moves every score of a text alike (no softmax, no argmax changes); a
      // multilabel model's sigmoids are each their own.
      float centre = 0;
      if (!multilabel && n_labels > 0) {
        sorted.assign(row, row + n_labels);
        auto middle = sorted.begin() + static_cast<std::ptrdiff_t>(n_labels / 2);
        std::nth_element(sorted.begin(), middle, sorted.end());
        centre = *middle;
      }
      centres[r] = centre;
      float largest = 0;
      for (size_t l = 0; l < n_labels; ++l)
        largest = std::max(largest, std::fabs(row[l] -= centre));
      // Below 1e-20 a weight moves no score, and it would breed subnormals (slow to multiply).
      const float keep = std::max(prune * largest, 1e-20f);
      const float to_int = largest > 0 ? 127.0f / largest : 0.0f;
      scales[r] = largest / 127.0f;
      for (size_t l = 0; l < n_labels; ++l) {
        const auto q = static_cast<int8_t>(std::lround(row[l] * to_int));
        if (std::fabs(row[l]) < keep || (page.quantized && q == 0)) continue;
        const auto label = static_cast<uint16_t>(l);
        if (page.quantized) {
          quantized.push_back({label, q});
        } else {
          weights.push_back({label, row[l]});
        }
      }
    }
    bounds[kLinearPageRows] =
        static_cast<uint32_t>(page.quantized ? quantized.size() : weights.size());
    page.Pack(bounds, weights, quantized, scales, centres, n_labels);
    return page;
  }

  // Publishes the trained copies in the new version.
  void Install() {
    for (size_t s = 0; s < slots.size(); ++s) {
      snap->pages_.Set(slot_page[s], std::make_shared<const WeightPage>(Publish(*slots[s])));
      slots[s].reset();
    }
  }
};

Status LinearSnapshot::Add(const std::vector<TrainingDoc>& docs,
                           std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
                           std::shared_ptr<const TrainableSnapshot>* next) const {
  // Online learning: one pass, one thread, in the documents' order.
  FitPlan one_pass;
  one_pass.epochs = 1;
  return Train(docs, std::move(labels), version, one_pass, /*shuffle=*/false, next);
}

Status LinearSnapshot::Fit(const std::vector<TrainingDoc>& docs,
                           std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
                           const FitPlan& plan,
                           std::shared_ptr<const TrainableSnapshot>* next) const {
  return Train(docs, std::move(labels), version, plan, /*shuffle=*/true, next);
}

Status LinearSnapshot::Train(const std::vector<TrainingDoc>& docs,
                             std::shared_ptr<const std::vector<std::string>> labels,
                             uint64_t version, const FitPlan& plan, bool shuffle,
                             std::shared_ptr<const TrainableSnapshot>* next) const {
  if (!shuffle || options_.loss != "hinge") {
    *next = TrainOnly(docs, std::move(labels), version, plan, shuffle);
    return Status::OK();
  }
  // The hinge loss's Fit: a trial on nine tenths for the temperature, reported as the first
  // part of the progress, then the fit on everything.
  const int epochs = plan.epochs.value_or(options_.epochs);
  const bool calibrate = docs.size() / kHeldOutShare >= kMinHeldOut;
  const uint64_t trial_total =
      calibrate ? (docs.size() - docs.size() / kHeldOutShare) * static_cast<uint64_t>(epochs) : 0;
  const uint64_t total = trial_total + docs.size() * static_cast<uint64_t>(epochs);
  FitPlan trial_plan = plan, full_plan = plan;
  if (plan.progress) {
    trial_plan.progress = [&](uint64_t done, uint64_t, int epoch, double loss) {
      plan.progress(done, total, epoch, loss);
    };
    full_plan.progress = [&](uint64_t done, uint64_t, int epoch, double loss) {
      plan.progress(trial_total + done, total, epoch, loss);
    };
  }
  const float temperature =
      calibrate ? CalibratedTemperature(docs, labels, trial_plan) : temperature_;
  auto snap = TrainOnly(docs, std::move(labels), version, full_plan, shuffle);
  snap->temperature_ = temperature;
  *next = std::move(snap);
  return Status::OK();
}

std::shared_ptr<LinearSnapshot> LinearSnapshot::TrainOnly(
    const std::vector<TrainingDoc>& docs, std::shared_ptr<const std::vector<std::string>> labels,
    uint64_t version, const FitPlan& plan, bool shuffle) const {
  auto snap = std::shared_ptr<LinearSnapshot>(new LinearSnapshot(*this, version, labels));
  Training training;
  training.snap = snap.get();
  training.n_labels = labels->size();
  training.learning_rate = static_cast<float>(options_.learning_rate);
  training.l2 = static_cast<float>(options_.l2);
  training.adagrad = options_.optimizer == "adagrad";
  training.multilabel = options_.multilabel;
  training.hinge = options_.loss == "hinge";
  training.dual = options_.optimizer == "dual";
  if (training.dual) {
    // The SVM's C for the objective l2/2 |w|² + the mean hinge loss that "sgd" minimises.
    const double product = options_.l2 * static_cast<double>(std::max<size_t>(docs.size(), 1));
    training.dual_bound =
        product > 0 ? static_cast<float>(1.0 / product) : std::numeric_limits<float>::infinity();
    training.duals.resize(docs.size());
    // Step applies the dual's exact steps as they are: rate 1, no decay (l2 is in C), and every
    // step that moves an α, or w would leave Σ α y x.
    training.learning_rate = 1.0f;
    training.l2 = 0.0f;
    training.min_gradient = 0.0f;
  }
  training.bias_steps = shuffle || !training.hinge;  // online hinge steps keep the biases
  // Pruning is for batch fits: online steps would prune a rare feature's weight at every step
  // while it is still small, and it would never grow.
  training.prune = shuffle ? static_cast<float>(options_.prune) : 0.0f;
  training.Prepare(*this, docs);
  training.Run(plan, plan.epochs.value_or(options_.epochs), shuffle);
  training.Install();
  return snap;
}

}  // namespace classiflow
