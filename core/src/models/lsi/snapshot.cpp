#include "models/lsi/snapshot.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <unordered_map>

#include "classiflow/model_options.h"
#include "classiflow/prediction.h"
#include "util/json_options.h"
#include "util/per_thread.h"

namespace classiflow {
namespace {

constexpr uint32_t kNoLabel = Prediction::kNoLabel;
constexpr uint64_t kNoPosition = ~uint64_t{0};

std::vector<float>& QueryVector(size_t stride) {
  struct Query {
    std::vector<float> values;
  };
  std::vector<float>& query = PerThread<Query>().values;
  query.resize(stride);
  return query;
}

}  // namespace

LsiSnapshot::LsiSnapshot(const LsiOptions& options, uint64_t version,
                         std::shared_ptr<const std::vector<std::string>> labels)
    : TrainableSnapshot(version, std::move(labels)), options_(options) {
  ids_.resize(kLsiIdShards);
  for (auto& shard : ids_) shard = std::make_shared<const LsiIdShard>();
}

LsiSnapshot::LsiSnapshot(const LsiSnapshot& base, uint64_t version,
                         std::shared_ptr<const std::vector<std::string>> labels)
    : TrainableSnapshot(version, std::move(labels)),
      options_(base.options_),
      index_(base.index_),
      chunks_(base.chunks_),
      ids_(base.ids_),
      items_(base.items_),
      next_seq_(base.next_seq_),
      removals_(base.removals_),
      slots_(base.slots_) {}

std::shared_ptr<const LsiSnapshot> LsiSnapshot::Empty(
    const LsiOptions& options, std::shared_ptr<const std::vector<std::string>> labels) {
  return std::shared_ptr<const LsiSnapshot>(new LsiSnapshot(options, 0, std::move(labels)));
}

size_t LsiSnapshot::ShardOf(std::string_view id) {
  return std::hash<std::string_view>()(id) % kLsiIdShards;
}

const LsiSlot* LsiSnapshot::FindSlot(std::string_view id) const {
  const LsiIdShard& shard = *ids_[ShardOf(id)];
  auto it = shard.find(std::string(id));
  return it == shard.end() ? nullptr : &it->second;
}

void LsiSnapshot::Place(const LsiItem& item, LsiChunk* chunk, uint32_t s) const {
  float* vector = chunk->vectors.data() + size_t{s} * index_->stride;
  index_->Project(item.terms, vector);
  Quantize(vector, index_->stride, chunk->codes.data() + size_t{s} * index_->stride,
           &chunk->scales[s]);
}

void LsiSnapshot::Dequantize(uint64_t position, float* out) const {
  const LsiChunk& chunk = ChunkAt(position);
  const size_t s = position % kLsiChunk;
  const int8_t* codes = chunk.codes.data() + s * index_->stride;
  for (uint32_t k = 0; k < index_->stride; ++k)
    out[k] = chunk.scales[s] * static_cast<float>(codes[k]);
}

void LsiSnapshot::ProjectAll(const Owned& own) {
  if (!index_) return;
  tbb::parallel_for(size_t{0}, chunks_.size(), [&](size_t c) {
    LsiChunk* chunk = own.chunks.at(c);
    for (uint32_t s = 0; s < chunk->used; ++s) {
      if (chunk->items[s]) Place(*chunk->items[s], chunk, s);
    }
  });
}

void LsiSnapshot::Append(std::shared_ptr<const LsiItem> item, Owned* own, bool project) {
  const uint32_t stride = index_ ? index_->stride : 0;
  const uint64_t position = slots_++;
  const size_t c = position / kLsiChunk, s = position % kLsiChunk;
  LsiChunk* chunk = nullptr;
  if (c == chunks_.size()) {
    auto fresh = std::make_shared<LsiChunk>();
    fresh->labels.fill(kNoLabel);
    fresh->vectors.assign(size_t{kLsiChunk} * stride, 0.0f);
    fresh->codes.assign(size_t{kLsiChunk} * stride, 0);
    chunk = fresh.get();
    chunks_.push_back(std::move(fresh));
    own->chunks[c] = chunk;
  } else {
    chunk = MutableChunk(c, own);
  }
  if (index_ && project) Place(*item, chunk, static_cast<uint32_t>(s));
  chunk->labels[s] = item->label;
  chunk->used = static_cast<uint32_t>(s + 1);
  MutableShard(item->id, own)->emplace(item->id, LsiSlot{position, item->seq});
  chunk->items[s] = std::move(item);
  ++items_;
}

LsiChunk* LsiSnapshot::MutableChunk(size_t c, Owned* own) {
  if (auto it = own->chunks.find(c); it != own->chunks.end()) return it->second;
  auto copy = std::make_shared<LsiChunk>(*chunks_[c]);
  LsiChunk* chunk = copy.get();
  chunks_[c] = std::move(copy);
  own->chunks[c] = chunk;
  return chunk;
}

LsiIdShard* LsiSnapshot::MutableShard(std::string_view id, Owned* own) {
  const size_t shard = ShardOf(id);
  if (own->shards[shard] == nullptr) {
    auto copy = std::make_shared<LsiIdShard>(*ids_[shard]);
    own->shards[shard] = copy.get();
    ids_[shard] = std::move(copy);
  }
  return own->shards[shard];
}

void LsiSnapshot::Tombstone(uint64_t position, Owned* own) {
  const size_t s = position % kLsiChunk;
  LsiChunk* chunk = MutableChunk(position / kLsiChunk, own);
  const std::string& id = chunk->items[s]->id;
  MutableShard(id, own)->erase(id);
  chunk->items[s].reset();
  chunk->labels[s] = kNoLabel;
  const uint32_t stride = index_ ? index_->stride : 0;
  std::fill_n(chunk->vectors.data() + s * stride, stride, 0.0f);
  std::fill_n(chunk->codes.data() + s * stride, stride, int8_t{0});
  chunk->scales[s] = 0;
  --items_;
  ++removals_;
}

Status LsiSnapshot::AddItems(const std::vector<TrainingDoc>& docs,
                             std::shared_ptr<const std::vector<std::string>> labels,
                             uint64_t version, std::shared_ptr<const TrainableSnapshot>* next,
                             std::vector<std::string>* assigned_ids) const {
  auto grown = std::shared_ptr<LsiSnapshot>(new LsiSnapshot(*this, version, std::move(labels)));
  Owned own;
  for (const TrainingDoc& doc : docs) {
    auto item = std::make_shared<LsiItem>();
    item->seq = grown->next_seq_++;
    if (doc.id.empty()) {
      // The sequence number, unless a caller's id took it.
      item->id = std::to_string(item->seq);
      for (int k = 1; grown->FindSlot(item->id) != nullptr; ++k) {
        item->id = std::to_string(item->seq) + "-" + std::to_string(k);
      }
    } else {
      if (grown->FindSlot(doc.id) != nullptr) {
        return Status::AlreadyExists("item id " + QuotePrefix(doc.id) + " is in the model already");
      }
      item->id = std::string(doc.id);
    }
    item->label = doc.label_index;
    const auto& terms = DistinctTerms(doc.features, doc.feature_count);
    item->terms.assign(terms.begin(), terms.end());
    if (assigned_ids != nullptr) assigned_ids->push_back(item->id);
    grown->Append(std::move(item), &own);
  }
  *next = std::move(grown);
  return Status::OK();
}

Status LsiSnapshot::RemoveItems(const std::vector<std::string_view>& ids, uint64_t version,
                                std::shared_ptr<const TrainableSnapshot>* next) const {
  for (std::string_view id : ids) {
    if (FindSlot(id) == nullptr) {
      return Status::NotFound("no item with id " + QuotePrefix(id) + " in the model");
    }
  }
  auto shrunk = std::shared_ptr<LsiSnapshot>(new LsiSnapshot(*this, version, label_list()));
  Owned own;
  for (std::string_view id : ids) {
    const LsiSlot* slot = shrunk->FindSlot(id);
    if (slot == nullptr) continue;  // named twice in the call
    shrunk->Tombstone(slot->position, &own);
  }
  *next = std::move(shrunk);
  return Status::OK();
}

Status LsiSnapshot::Fit(const std::vector<TrainingDoc>& docs,
                        std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
                        const FitPlan& plan, std::shared_ptr<const TrainableSnapshot>* next) const {
  std::shared_ptr<const TrainableSnapshot> added;
  CF_RETURN_IF_ERROR(AddItems(docs, std::move(labels), version, &added, nullptr));
  const std::atomic<bool> never{false};
  CF_RETURN_IF_ERROR(added->Rebuild(never, next));
  if (plan.progress) plan.progress(docs.size(), docs.size(), 1, 0.0);
  return Status::OK();
}

std::shared_ptr<LsiSnapshot> LsiSnapshot::Relaid(
    std::shared_ptr<const LsiIndex> index, uint64_t version,
    std::shared_ptr<const std::vector<std::string>> labels) const {
  auto laid = std::shared_ptr<LsiSnapshot>(new LsiSnapshot(options_, version, std::move(labels)));
  laid->index_ = std::move(index);
  laid->next_seq_ = next_seq_;
  Owned own;
  for (const auto& chunk : chunks_) {
    for (uint32_t s = 0; s < chunk->used; ++s) {
      if (chunk->items[s]) laid->Append(chunk->items[s], &own, /*project=*/false);
    }
  }
  laid->removals_ = removals_;
  laid->ProjectAll(own);
  return laid;
}

Status LsiSnapshot::Rebuild(const std::atomic<bool>& cancel,
                            std::shared_ptr<const TrainableSnapshot>* built) const {
  std::vector<std::span<const LsiTerm>> items;
  items.reserve(items_);
  for (const auto& chunk : chunks_) {
    for (uint32_t s = 0; s < chunk->used; ++s) {
      if (chunk->items[s]) items.emplace_back(chunk->items[s]->terms);
    }
  }
  auto index = std::make_shared<LsiIndex>();
  CF_RETURN_IF_ERROR(BuildIndex(items, options_, cancel, index.get()));
  index->built_seq = next_seq_ - 1;
  index->built_items = items_;
  index->built_removals = removals_;
  *built = Relaid(std::move(index), version(), label_list());
  return Status::OK();
}

Status LsiSnapshot::Rebase(const TrainableSnapshot& built_base, uint64_t version,
                           std::shared_ptr<const TrainableSnapshot>* next) const {
  const auto& built = static_cast<const LsiSnapshot&>(built_base);
  const LsiIndex& fresh = *built.index_;
  if (index_ && index_->built_seq >= fresh.built_seq &&
      index_->built_removals >= fresh.built_removals) {
    next->reset();  // a build at least as recent is in place already
    return Status::OK();
  }
  auto rebased = std::shared_ptr<LsiSnapshot>(new LsiSnapshot(built, version, label_list()));
  Owned own;
  if (removals_ != fresh.built_removals) {  // items removed since the build's version
    for (uint64_t position = 0; position < rebased->slots_; ++position) {
      const auto& item = rebased->ChunkAt(position).items[position % kLsiChunk];
      if (!item) continue;
      const LsiSlot* now = FindSlot(item->id);
      if (now == nullptr || now->seq != item->seq) rebased->Tombstone(position, &own);
    }
  }
  // Items added since, in order: the tail of this version's slots.
  uint64_t first = slots_;
  while (first > 0) {
    const auto& item = ChunkAt(first - 1).items[(first - 1) % kLsiChunk];
    if (item && item->seq <= fresh.built_seq) break;
    --first;
  }
  for (uint64_t position = first; position < slots_; ++position) {
    const auto& item = ChunkAt(position).items[position % kLsiChunk];
    if (item) rebased->Append(item, &own);
  }
  rebased->next_seq_ = next_seq_;
  rebased->removals_ = removals_;
  *next = std::move(rebased);
  return Status::OK();
}

uint64_t LsiSnapshot::changes() const {
  if (!index_) return items_;
  return (next_seq_ - 1 - index_->built_seq) + (removals_ - index_->built_removals);
}

RebuildNeed LsiSnapshot::rebuild_need() const {
  if (options_.rebuild_after == 0) return RebuildNeed::kNone;
  if (!index_) return items_ > 0 ? RebuildNeed::kNow : RebuildNeed::kNone;
  const double due =
      std::max(1.0, options_.rebuild_after * static_cast<double>(index_->built_items));
  return static_cast<double>(changes()) >= due ? RebuildNeed::kBackground : RebuildNeed::kNone;
}

IndexStatus LsiSnapshot::index_status() const {
  IndexStatus status;
  status.items = items_;
  status.changes = changes();
  if (index_) {
    status.indexed_items = index_->built_items;
    status.rank = index_->rank;
    status.terms = static_cast<uint32_t>(index_->features.size());
  }
  return status;
}

void LsiSnapshot::Nearest(const float* query, size_t n, bool labelled_only, uint64_t skip,
                          std::vector<std::pair<float, uint64_t>>* out) const {
  out->clear();
  if (!index_ || n == 0) return;
  const uint32_t stride = index_->stride;
  // A min-heap of the best n so far: (score, position), the worst on top; ties keep the
  // earlier item.
  const auto worse = [](const std::pair<float, uint64_t>& a, const std::pair<float, uint64_t>& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  std::priority_queue<std::pair<float, uint64_t>, std::vector<std::pair<float, uint64_t>>,
                      decltype(worse)>
      best(worse);
  auto threshold = static_cast<float>(options_.min_similarity);
  struct QueryCodes {
    std::vector<int8_t> values;
  };
  std::vector<int8_t>& query_codes = PerThread<QueryCodes>().values;
  query_codes.resize(stride);
  float query_scale = 0;
  Quantize(query, stride, query_codes.data(), &query_scale);
  std::array<float, kLsiChunk> scores;
  for (size_t c = 0; c < chunks_.size(); ++c) {
    const LsiChunk& chunk = *chunks_[c];
    DotMany(query_codes.data(), query_scale, chunk.codes.data(), chunk.scales.data(), chunk.used,
            stride, scores.data());
    for (uint32_t s = 0; s < chunk.used; ++s) {
      const float score = scores[s];
      if (!(score > threshold)) continue;
      const uint64_t position = c * kLsiChunk + s;
      if (!chunk.items[s] || position == skip) continue;
      if (labelled_only && chunk.labels[s] == kNoLabel) continue;
      best.emplace(score, position);
      if (best.size() > n) best.pop();
      if (best.size() == n) threshold = std::max(threshold, best.top().first);
    }
  }
  out->resize(best.size());
  for (size_t i = out->size(); i-- > 0;) {
    (*out)[i] = best.top();
    best.pop();
  }
}

void LsiSnapshot::Hits(const float* query, size_t n, uint64_t skip,
                       std::vector<SearchHit>* out) const {
  out->clear();
  // Quantization moves a cosine by a few thousandths: a margin of candidates, re-scored with
  // the exact vectors, finds the true best n.
  n = std::min<size_t>(n, items_);  // also keeps the margin below from overflowing
  std::vector<std::pair<float, uint64_t>> nearest;
  Nearest(query, n + 16 + n / 4, /*labelled_only=*/false, skip, &nearest);
  std::vector<std::pair<float, uint64_t>> scored;
  for (const auto& [approximate, position] : nearest) {
    const float score = Dot(query, ItemVector(position), index_->stride);
    if (score > static_cast<float>(options_.min_similarity)) scored.emplace_back(score, position);
  }
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  if (scored.size() > n) scored.resize(n);
  for (const auto& [score, position] : scored) {
    const LsiItem& item = *ChunkAt(position).items[position % kLsiChunk];
    out->push_back({item.id, score, item.label == kNoLabel ? std::string() : labels()[item.label]});
  }
}

Status LsiSnapshot::Search(const uint32_t* features, size_t feature_count, size_t n,
                           std::vector<SearchHit>* out) const {
  out->clear();
  if (!index_) return Status::OK();
  std::vector<float> query(index_->stride);
  if (!index_->Project(DistinctTerms(features, feature_count), query.data())) return Status::OK();
  Hits(query.data(), n, kNoPosition, out);
  return Status::OK();
}

Status LsiSnapshot::FindRelated(std::string_view id, size_t n, std::vector<SearchHit>* out) const {
  out->clear();
  const LsiSlot* slot = FindSlot(id);
  if (slot == nullptr)
    return Status::NotFound("no item with id " + QuotePrefix(id) + " in the model");
  if (!index_) return Status::OK();
  // A copy: Hits' buffers must not alias the chunk it reads.
  const std::vector<float> vector(ItemVector(slot->position),
                                  ItemVector(slot->position) + index_->stride);
  Hits(vector.data(), n, slot->position, out);
  return Status::OK();
}

void LsiSnapshot::Vote(const float* query, std::vector<double>* votes,
                       std::vector<std::pair<float, uint64_t>>* nearest) const {
  votes->assign(label_count(), 0.0);
  Nearest(query, static_cast<size_t>(options_.neighbors), /*labelled_only=*/true, kNoPosition,
          nearest);
  for (const auto& [score, position] : *nearest) {
    (*votes)[ChunkAt(position).labels[position % kLsiChunk]] += score;
  }
}

void LsiSnapshot::RawScores(const uint32_t* features, size_t feature_count, double* out) const {
  const size_t n_labels = label_count();
  std::fill_n(out, n_labels, std::log(kVoteSmoothing));
  if (!index_) return;
  std::vector<float>& query = QueryVector(index_->stride);
  if (!index_->Project(DistinctTerms(features, feature_count), query.data())) return;
  struct Scratch {
    std::vector<double> votes;
    std::vector<std::pair<float, uint64_t>> nearest;
  };
  Scratch& scratch = PerThread<Scratch>();
  std::vector<double>& votes = scratch.votes;
  Vote(query.data(), &votes, &scratch.nearest);
  for (size_t l = 0; l < n_labels; ++l) out[l] = std::log(votes[l] + kVoteSmoothing);
}

}  // namespace classiflow
