// Bayes explanations: what each feature of a text adds to each label's joint log-likelihood.
#include "models/bayes/snapshot.h"
#include "models/term_counter.h"

namespace classiflow {

void BayesSnapshot::FeatureWeights(uint32_t feature, double* out) const {
  // log P(f | c) = log(count + alpha) - log(tokens(c) + alpha V) = gain + log alpha - log_norm.
  const size_t n_labels = label_count();
  for (size_t c = 0; c < n_labels; ++c) out[c] = log_alpha_ - log_norm_[c];
  const size_t p = feature >> kPageBits;
  const CountPage* page = p < pages_.size() ? pages_.get(p) : nullptr;
  if (page == nullptr) return;
  const uint32_t row = feature & (kPageSize - 1);
  for (uint32_t e = page->offsets[row]; e < page->offsets[row + 1]; ++e) {
    out[page->entries[e].label] += page->entries[e].gain;
  }
}

void BayesSnapshot::Effects(const uint32_t* features, size_t feature_count,
                            std::vector<uint32_t>* distinct, std::vector<uint32_t>* counts,
                            std::vector<double>* effects, std::vector<double>* base) const {
  const size_t n_labels = label_count();
  TermCounter counter;
  const auto& terms = counter.Count(features, feature_count);
  distinct->clear();
  counts->clear();
  effects->assign(terms.size() * n_labels, 0.0);
  // Every occurrence adds its log P(f | c), seen in training or not (RawScores: the n-fold
  // normaliser plus the gains); the prior is the rest.
  for (size_t i = 0; i < terms.size(); ++i) {
    distinct->push_back(terms[i].feature);
    counts->push_back(terms[i].count);
    double* row = effects->data() + i * n_labels;
    FeatureWeights(terms[i].feature, row);
    for (size_t c = 0; c < n_labels; ++c) row[c] *= terms[i].count;
  }
  base->assign(log_prior_.begin(), log_prior_.end());
}

}  // namespace classiflow
