// LsiSnapshot: one immutable version of an LSI model: its items and the index they are
// projected on.
//
// Items live in chunks of kLsiChunk slots (each chunk holds its items' vectors contiguously, so
// a search is one linear scan), in the order they were added; an id map in shards finds an item
// by id. A version shares every chunk and shard it did not change with the one before: adding
// one item copies the last chunk and one shard, not the model.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "classiflow/lsi.h"
#include "models/lsi/index.h"
#include "models/trainable_snapshot.h"

namespace classiflow {

// The most labels an LSI model holds (votes are counted in a dense row per query).
inline constexpr size_t kMaxLsiLabels = 65535;
inline constexpr uint32_t kLsiChunk = 128;
inline constexpr size_t kLsiIdShards = 256;
// Added to each label's vote: an empty vote is uniform and no label is ever impossible.
inline constexpr double kVoteSmoothing = 0.01;

struct LsiItem {
  std::string id;
  uint32_t label;              // Prediction::kNoLabel: added without one
  uint64_t seq;                // order of addition, from 1; never reused
  std::vector<LsiTerm> terms;  // distinct features, sorted
};

struct LsiChunk {
  std::array<std::shared_ptr<const LsiItem>, kLsiChunk> items;  // null: free or removed
  std::array<uint32_t, kLsiChunk> labels{};  // per slot; kNoLabel when unlabelled or removed
  uint32_t used = 0;                         // slots filled so far (removed ones included)
  // kLsiChunk × stride floats: each item's unit-length projection; zero for a free or removed
  // slot and an item with no indexed term. Read for exact scores of a few candidates.
  std::vector<float> vectors;
  // The same quantized (Quantize): codes and a scale per slot, what a search scans.
  std::vector<int8_t> codes;
  std::array<float, kLsiChunk> scales{};
};

struct LsiSlot {
  uint64_t position;  // chunk * kLsiChunk + slot
  uint64_t seq;       // the item's (tells a re-added id from the one removed)
};
using LsiIdShard = std::unordered_map<std::string, LsiSlot>;

class LsiSnapshot final : public TrainableSnapshot {
 public:
  static std::shared_ptr<const LsiSnapshot> Empty(
      const LsiOptions& options, std::shared_ptr<const std::vector<std::string>> labels);
  static Status FromRecords(const LsiOptions& options,
                            const std::map<std::string, std::string>& records,
                            std::shared_ptr<const TrainableSnapshot>* out);

  // log(vote + smoothing) per label: the similarity-weighted vote of the nearest labelled items.
  void RawScores(const uint32_t* features, size_t feature_count, double* out) const override;
  void Effects(const uint32_t* features, size_t feature_count, std::vector<uint32_t>* distinct,
               std::vector<uint32_t>* counts, std::vector<double>* effects,
               std::vector<double>* base) const override;
  void FeatureWeights(uint32_t feature, double* out) const override;
  Status Add(const std::vector<TrainingDoc>& docs,
             std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
             std::shared_ptr<const TrainableSnapshot>* next) const override {
    return AddItems(docs, std::move(labels), version, next, nullptr);
  }
  // Add, then an index over every item.
  Status Fit(const std::vector<TrainingDoc>& docs,
             std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
             const FitPlan& plan, std::shared_ptr<const TrainableSnapshot>* next) const override;
  Status AddItems(const std::vector<TrainingDoc>& docs,
                  std::shared_ptr<const std::vector<std::string>> labels, uint64_t version,
                  std::shared_ptr<const TrainableSnapshot>* next,
                  std::vector<std::string>* assigned_ids) const override;
  Status RemoveItems(const std::vector<std::string_view>& ids, uint64_t version,
                     std::shared_ptr<const TrainableSnapshot>* next) const override;
  Status Search(const uint32_t* features, size_t feature_count, size_t n,
                std::vector<SearchHit>* out) const override;
  Status FindRelated(std::string_view id, size_t n, std::vector<SearchHit>* out) const override;
  IndexStatus index_status() const override;
  RebuildNeed rebuild_need() const override;
  Status Rebuild(const std::atomic<bool>& cancel,
                 std::shared_ptr<const TrainableSnapshot>* built) const override;
  Status Rebase(const TrainableSnapshot& built, uint64_t version,
                std::shared_ptr<const TrainableSnapshot>* next) const override;
  void RecordsSince(const TrainableSnapshot* base, ModelRecords* out) const override;

 private:
  LsiSnapshot(const LsiOptions& options, uint64_t version,
              std::shared_ptr<const std::vector<std::string>> labels);
  // The next version's starting point: shares every chunk, shard and the index of `base`.
  LsiSnapshot(const LsiSnapshot& base, uint64_t version,
              std::shared_ptr<const std::vector<std::string>> labels);

  static size_t ShardOf(std::string_view id);
  const LsiSlot* FindSlot(std::string_view id) const;
  const LsiChunk& ChunkAt(uint64_t position) const { return *chunks_[position / kLsiChunk]; }
  // The chunks and shards this (unpublished) snapshot made itself and may change in place.
  struct Owned {
    std::unordered_map<size_t, LsiChunk*> chunks;
    std::array<LsiIdShard*, kLsiIdShards> shards{};
  };
  // Appends `item` (id not present) with its projection on the index; copies the last chunk
  // and the id shard unless this snapshot made them (`own` holds what it made).
  // project = false leaves the vector zero, for ProjectAll.
  void Append(std::shared_ptr<const LsiItem> item, Owned* own, bool project = true);
  // Projects every item on the index, chunks in parallel. REQUIRES: `own` holds every chunk.
  void ProjectAll(const Owned& own);
  void Tombstone(uint64_t position, Owned* own);
  // Chunk `c` / the shard of `id`, copied first unless this snapshot made it.
  LsiChunk* MutableChunk(size_t c, Owned* own);
  LsiIdShard* MutableShard(std::string_view id, Owned* own);
  // An empty snapshot with this one's counters on `index`, every live item re-laid densely in
  // order (removed slots dropped) and projected on it.
  std::shared_ptr<LsiSnapshot> Relaid(std::shared_ptr<const LsiIndex> index, uint64_t version,
                                      std::shared_ptr<const std::vector<std::string>> labels) const;
  // The item at `position`'s exact projection (stride floats).
  const float* ItemVector(uint64_t position) const {
    return ChunkAt(position).vectors.data() + (position % kLsiChunk) * index_->stride;
  }
  // Writes the quantized vector at `position` back as floats (what a scan scored).
  void Dequantize(uint64_t position, float* out) const;
  // Projects `item` into slot `s` of `chunk`.
  void Place(const LsiItem& item, LsiChunk* chunk, uint32_t s) const;
  // The (score, position) of the best `n` items similar to `query` (stride floats) by their
  // quantized vectors, best first; labelled_only for a vote, `skip` a position to leave out.
  void Nearest(const float* query, size_t n, bool labelled_only, uint64_t skip,
               std::vector<std::pair<float, uint64_t>>* out) const;
  // The best `n` items for `query` with exact scores (quantized candidates, re-scored).
  void Hits(const float* query, size_t n, uint64_t skip, std::vector<SearchHit>* out) const;
  // Fills votes (label_count values) for a query; the nearest labelled items in `nearest`.
  void Vote(const float* query, std::vector<double>* votes,
            std::vector<std::pair<float, uint64_t>>* nearest) const;
  uint64_t changes() const;
  std::string EncodeHeader() const;
  Status DecodeItems(const std::map<std::string, std::string>& records,
                     std::vector<std::shared_ptr<const LsiItem>>* items) const;

  LsiOptions options_;
  std::shared_ptr<const LsiIndex> index_;  // null: none built yet
  std::vector<std::shared_ptr<const LsiChunk>> chunks_;
  std::vector<std::shared_ptr<const LsiIdShard>> ids_;  // kLsiIdShards
  uint64_t items_ = 0;                                  // live items
  uint64_t next_seq_ = 1;                               // the next item's sequence number
  uint64_t removals_ = 0;                               // items ever removed
  uint64_t slots_ = 0;                                  // slots used over all chunks

  // Label centroids in the concept space for FeatureWeights (TopFeatures), made once.
  mutable std::once_flag centroids_once_;
  mutable std::vector<float> centroids_;
};

}  // namespace classiflow
