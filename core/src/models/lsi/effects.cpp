// Explanations for LSI. A label's vote is the sum of its nearest items' cosines with the text,
// and a cosine is a sum over the text's terms (each term's weighted row of the basis, dotted
// with the item's vector, over the text's norm). So each term's share of each label's vote is
// exact; the log that turns votes into raw scores is shared out in proportion to those shares.
#include <cmath>

#include "classiflow/prediction.h"
#include "models/lsi/snapshot.h"

namespace classiflow {

void LsiSnapshot::Effects(const uint32_t* features, size_t feature_count,
                          std::vector<uint32_t>* distinct, std::vector<uint32_t>* counts,
                          std::vector<double>* effects, std::vector<double>* base) const {
  const size_t n_labels = label_count();
  distinct->clear();
  counts->clear();
  effects->clear();
  base->assign(n_labels, std::log(kVoteSmoothing));
  if (!index_ || index_->rank == 0) return;
  const uint32_t stride = index_->stride;
  const std::vector<LsiTerm> terms = DistinctTerms(features, feature_count);
  std::vector<float> query(stride);
  if (!index_->Project(terms, query.data())) return;
  std::vector<double> votes;
  std::vector<std::pair<float, uint64_t>> nearest;
  Vote(query.data(), &votes, &nearest);
  // The neighbours' vectors (the quantized ones they were found by).
  std::vector<float> neighbours(nearest.size() * stride);
  for (size_t k = 0; k < nearest.size(); ++k)
    Dequantize(nearest[k].second, neighbours.data() + k * stride);
  // The unnormalised projection's norm: query = Σ_t w_t row_t / norm.
  std::vector<float> raw(stride, 0.0f);
  struct Known {
    size_t i;   // the term's index in `terms`
    int64_t t;  // its index in the index
    float w;    // its weight w_t
  };
  std::vector<Known> known;
  for (size_t i = 0; i < terms.size(); ++i) {
    const int64_t t = index_->Find(terms[i].feature);
    if (t < 0) continue;
    const float w = (1.0f + std::log(static_cast<float>(terms[i].count))) * index_->idf[t];
    known.push_back({i, t, w});
    const float* row = index_->basis.data() + static_cast<size_t>(t) * stride;
    for (uint32_t k = 0; k < stride; ++k) raw[k] += w * row[k];
  }
  const double norm = std::sqrt(Dot(raw.data(), raw.data(), stride));
  for (const auto& [i, t, w] : known) {
    const float* row = index_->basis.data() + static_cast<size_t>(t) * stride;
    distinct->push_back(terms[i].feature);
    counts->push_back(terms[i].count);
    const size_t at = effects->size();
    effects->resize(at + n_labels, 0.0);
    for (size_t k = 0; k < nearest.size(); ++k) {
      const uint64_t position = nearest[k].second;
      const uint32_t label = ChunkAt(position).labels[position % kLsiChunk];
      (*effects)[at + label] += w * Dot(row, neighbours.data() + k * stride, stride) / norm;
    }
  }
  // Shares of each vote, scaled so that base + Σ effects = log(vote + smoothing). The shares sum
  // to the cosines of the float query with the neighbours, the vote to those of its quantized
  // copy (a few thousandths apart): scaling by the shares' own sum keeps the identity exact.
  for (size_t l = 0; l < n_labels; ++l) {
    double shares = 0;
    for (size_t i = 0; i < distinct->size(); ++i) shares += (*effects)[i * n_labels + l];
    const double gain = std::log(votes[l] + kVoteSmoothing) - (*base)[l];
    const double scale = shares != 0 ? gain / shares : 0.0;
    for (size_t i = 0; i < distinct->size(); ++i) (*effects)[i * n_labels + l] *= scale;
  }
}

void LsiSnapshot::FeatureWeights(uint32_t feature, double* out) const {
  const size_t n_labels = label_count();
  std::fill_n(out, n_labels, 0.0);
  if (!index_ || index_->rank == 0) return;
  const uint32_t stride = index_->stride;
  // Each label's centroid: the mean vector of its items.
  std::call_once(centroids_once_, [&] {
    centroids_.assign(n_labels * stride, 0.0f);
    std::vector<uint64_t> members(n_labels, 0);
    for (const auto& chunk : chunks_) {
      for (uint32_t s = 0; s < chunk->used; ++s) {
        const uint32_t label = chunk->labels[s];
        if (label == Prediction::kNoLabel) continue;
        ++members[label];
        const int8_t* codes = chunk->codes.data() + size_t{s} * stride;
        for (uint32_t k = 0; k < stride; ++k) {
          centroids_[label * stride + k] += chunk->scales[s] * static_cast<float>(codes[k]);
        }
      }
    }
    for (size_t l = 0; l < n_labels; ++l) {
      if (members[l] == 0) continue;
      for (uint32_t k = 0; k < stride; ++k) {
        centroids_[l * stride + k] /= static_cast<float>(members[l]);
      }
    }
  });
  const int64_t t = index_->Find(feature);
  if (t < 0) return;
  const float* row = index_->basis.data() + static_cast<size_t>(t) * stride;
  for (size_t l = 0; l < n_labels; ++l) {
    out[l] = index_->idf[t] * Dot(row, centroids_.data() + l * stride, stride);
  }
}

}  // namespace classiflow
