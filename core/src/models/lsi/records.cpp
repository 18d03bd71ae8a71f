// Serialisation of LsiSnapshot: a header record ("h": format, version, labels, counters, the
// index's shape), one record per item ("i" + its id: sequence number, label, term counts) and
// the index in pages of kIndexPageTerms terms ("x" + 8 hex digits: features, IDF, basis rows).
// Item vectors are not stored: loading projects each item on the stored index again. Every
// record is sealed with a checksum; every count is checked before it sizes anything.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "classiflow/model_options.h"
#include "classiflow/prediction.h"
#include "models/lsi/snapshot.h"
#include "models/model_records.h"
#include "models/page_records.h"
#include "util/binary_io.h"
#include "util/json_options.h"

namespace classiflow {
namespace {

constexpr char kItemPrefix = 'i';
constexpr char kIndexPrefix = 'x';
constexpr uint32_t kIndexPageTerms = 1024;

std::string IndexKey(size_t page) {
  char key[16];
  (void)std::snprintf(key, sizeof key, "%c%08zx", kIndexPrefix, page);
  return key;
}

std::string ItemKey(std::string_view id) { return kItemPrefix + std::string(id); }

size_t IndexPages(const LsiIndex* index) {
  return index ? (index->features.size() + kIndexPageTerms - 1) / kIndexPageTerms : 0;
}

std::string EncodeItem(const LsiItem& item) {
  std::string out;
  BinaryWriter w(&out);
  w.PutU64(item.seq);
  w.PutU32(item.label);
  w.PutU32(static_cast<uint32_t>(item.terms.size()));
  for (const LsiTerm& term : item.terms) {
    w.PutU32(term.feature);
    w.PutU32(term.count);
  }
  return SealRecord(std::move(out));
}

// Page payload: u32 n, then n u32 features, n f32 IDF values, n × rank f32 basis values.
std::string EncodeIndexPage(const LsiIndex& index, size_t page) {
  const size_t first = page * kIndexPageTerms;
  const size_t n = std::min<size_t>(kIndexPageTerms, index.features.size() - first);
  std::string out;
  BinaryWriter w(&out);
  w.PutU32(static_cast<uint32_t>(n));
  w.PutRaw(index.features.data() + first, n * sizeof(uint32_t));
  w.PutRaw(index.idf.data() + first, n * sizeof(float));
  for (size_t t = first; t < first + n; ++t) {
    w.PutRaw(index.basis.data() + t * index.stride, index.rank * sizeof(float));
  }
  return SealRecord(std::move(out));
}

bool Finite(const float* values, size_t n) {
  return std::all_of(values, values + n, [](float v) { return std::isfinite(v); });
}

Status DecodeIndexPage(std::string_view payload, size_t page, LsiIndex* index) {
  BinaryReader r(payload);
  const size_t first = page * kIndexPageTerms;
  const size_t want = std::min<size_t>(kIndexPageTerms, index->features.size() - first);
  uint32_t n = 0;
  if (!r.GetU32(&n) || n != want ||
      r.remaining() != n * (sizeof(uint32_t) + sizeof(float) * (1 + index->rank))) {
    return Status::Corruption("lsi index page: bad size");
  }
  r.GetRaw(index->features.data() + first, n * sizeof(uint32_t));
  r.GetRaw(index->idf.data() + first, n * sizeof(float));
  for (size_t t = first; t < first + n; ++t) {
    r.GetRaw(index->basis.data() + t * index->stride, index->rank * sizeof(float));
    if (!Finite(index->basis.data() + t * index->stride, index->rank)) {
      return Status::Corruption("lsi index page: a basis value is not a finite number");
    }
  }
  if (!Finite(index->idf.data() + first, n)) {
    return Status::Corruption("lsi index page: an IDF value is not a finite number");
  }
  return Status::OK();
}

}  // namespace

std::string LsiSnapshot::EncodeHeader() const {
  std::string out;
  BinaryWriter w(&out);
  BeginHeader(version(), labels(), &w);
  w.PutU64(items_);
  w.PutU64(next_seq_);
  w.PutU64(removals_);
  w.PutU32(index_ ? 1 : 0);
  if (index_) {
    w.PutU32(index_->rank);
    w.PutU32(static_cast<uint32_t>(index_->features.size()));
    w.PutU64(index_->built_seq);
    w.PutU64(index_->built_items);
    w.PutU64(index_->built_removals);
    w.PutRaw(index_->singular.data(), index_->rank * sizeof(float));
  }
  return SealRecord(std::move(out));
}

void LsiSnapshot::RecordsSince(const TrainableSnapshot* base, ModelRecords* out) const {
  const auto* old = dynamic_cast<const LsiSnapshot*>(base);
  out->puts.emplace_back(std::string(kHeaderRecord), EncodeHeader());
  // Items: only the shards that differ, and in them only the entries that differ.
  for (size_t s = 0; s < kLsiIdShards; ++s) {
    if (old && ids_[s] == old->ids_[s]) continue;
    for (const auto& [id, slot] : *ids_[s]) {
      if (old) {
        auto was = old->ids_[s]->find(id);
        if (was != old->ids_[s]->end() && was->second.seq == slot.seq) continue;
      }
      out->puts.emplace_back(ItemKey(id),
                             EncodeItem(*ChunkAt(slot.position).items[slot.position % kLsiChunk]));
    }
    if (!old) continue;
    for (const auto& [id, slot] : *old->ids_[s]) {
      if (ids_[s]->count(id) == 0) out->deletes.push_back(ItemKey(id));
    }
  }
  if (index_ && (!old || old->index_ != index_)) {
    const size_t pages = IndexPages(index_.get());
    for (size_t p = 0; p < pages; ++p)
      out->puts.emplace_back(IndexKey(p), EncodeIndexPage(*index_, p));
    for (size_t p = pages; old && p < IndexPages(old->index_.get()); ++p) {
      out->deletes.push_back(IndexKey(p));
    }
  }
}

Status LsiSnapshot::DecodeItems(const std::map<std::string, std::string>& records,
                                std::vector<std::shared_ptr<const LsiItem>>* items) const {
  for (auto it = records.lower_bound(std::string(1, kItemPrefix));
       it != records.end() && !it->first.empty() && it->first[0] == kItemPrefix; ++it) {
    const std::string id = it->first.substr(1);
    if (!ValidateLabel(id).ok()) return Status::Corruption("lsi item record has an invalid id");
    std::string_view payload;
    CF_RETURN_IF_ERROR(OpenRecord(it->second, "lsi item", &payload));
    BinaryReader r(payload);
    auto item = std::make_shared<LsiItem>();
    item->id = id;
    uint32_t n = 0;
    if (!r.GetU64(&item->seq) || !r.GetU32(&item->label) || !r.GetU32(&n) ||
        r.remaining() != size_t{n} * 2 * sizeof(uint32_t)) {
      return Status::Corruption("lsi item " + QuotePrefix(id) + ": bad size");
    }
    if (item->seq == 0 || item->seq >= next_seq_) {
      return Status::Corruption("lsi item " + QuotePrefix(id) + ": sequence number out of range");
    }
    if (item->label != Prediction::kNoLabel && item->label >= label_count()) {
      return Status::Corruption("lsi item " + QuotePrefix(id) + ": label out of range");
    }
    item->terms.resize(n);
    for (LsiTerm& term : item->terms) {
      r.GetU32(&term.feature);
      r.GetU32(&term.count);
      if (term.count == 0 ||
          (&term != item->terms.data() && (&term - 1)->feature >= term.feature)) {
        return Status::Corruption("lsi item " + QuotePrefix(id) +
                                  ": terms not strictly increasing or a zero count");
      }
    }
    items->push_back(std::move(item));
  }
  if (items->size() != items_) {
    return Status::Corruption("lsi model: " + std::to_string(items->size()) +
                              " item records where the header counts " + std::to_string(items_));
  }
  std::sort(items->begin(), items->end(),
            [](const auto& a, const auto& b) { return a->seq < b->seq; });
  for (size_t i = 1; i < items->size(); ++i) {
    if ((*items)[i - 1]->seq == (*items)[i]->seq) {
      return Status::Corruption("lsi model: two items share a sequence number");
    }
  }
  return Status::OK();
}

Status LsiSnapshot::FromRecords(const LsiOptions& options,
                                const std::map<std::string, std::string>& records,
                                std::shared_ptr<const TrainableSnapshot>* out) {
  BinaryReader r({});
  uint64_t version = 0;
  auto labels = std::make_shared<std::vector<std::string>>();
  CF_RETURN_IF_ERROR(OpenHeader(records, "lsi header", kMaxLsiLabels, &r, &version, labels.get()));
  auto snap = std::shared_ptr<LsiSnapshot>(new LsiSnapshot(options, version, labels));
  uint64_t items = 0, removals = 0;
  uint32_t has_index = 0;
  if (!r.GetU64(&items) || !r.GetU64(&snap->next_seq_) || !r.GetU64(&removals) ||
      !r.GetU32(&has_index) || has_index > 1 || snap->next_seq_ == 0 ||
      items > snap->next_seq_ - 1) {
    return Status::Corruption("lsi header: bad counters");
  }
  if (has_index == 1) {
    auto index = std::make_shared<LsiIndex>();
    uint32_t terms = 0;
    if (!r.GetU32(&index->rank) || !r.GetU32(&terms) || !r.GetU64(&index->built_seq) ||
        !r.GetU64(&index->built_items) || !r.GetU64(&index->built_removals) || index->rank > 1000 ||
        terms > (1u << 24) || index->built_seq >= snap->next_seq_ ||
        index->built_removals > removals || r.remaining() != index->rank * sizeof(float)) {
      return Status::Corruption("lsi header: bad index shape");
    }
    index->singular.resize(index->rank);
    r.GetRaw(index->singular.data(), index->rank * sizeof(float));
    index->stride = LsiIndex::StrideFor(index->rank);
    // Every page is checked (present, checksum, size) before the index is sized from the
    // header's counts: a crafted header cannot make the loader allocate what the records lack.
    const size_t pages = (size_t{terms} + kIndexPageTerms - 1) / kIndexPageTerms;
    std::vector<std::string_view> payloads(pages);
    for (size_t p = 0; p < pages; ++p) {
      auto page = records.find(IndexKey(p));
      if (page == records.end()) {
        return Status::Corruption("lsi index page " + IndexKey(p) + " missing");
      }
      CF_RETURN_IF_ERROR(OpenRecord(page->second, "lsi index page", &payloads[p]));
      const size_t n = std::min<size_t>(kIndexPageTerms, terms - p * kIndexPageTerms);
      if (payloads[p].size() !=
          sizeof(uint32_t) + n * (sizeof(uint32_t) + sizeof(float) * (1 + index->rank))) {
        return Status::Corruption("lsi index page " + IndexKey(p) + ": bad size");
      }
    }
    index->features.resize(terms);
    index->idf.resize(terms);
    index->basis.assign(size_t{terms} * index->stride, 0.0f);
    for (size_t p = 0; p < pages; ++p) {
      CF_RETURN_IF_ERROR(DecodeIndexPage(payloads[p], p, index.get()).WithContext(IndexKey(p)));
    }
    if (!std::is_sorted(index->features.begin(), index->features.end()) ||
        std::adjacent_find(index->features.begin(), index->features.end()) !=
            index->features.end()) {
      return Status::Corruption("lsi index: terms not strictly increasing");
    }
    snap->index_ = std::move(index);
  } else if (r.remaining() != 0) {
    return Status::Corruption("lsi header: bad size");
  }
  snap->items_ = items;  // checked against the item records
  std::vector<std::shared_ptr<const LsiItem>> decoded;
  CF_RETURN_IF_ERROR(snap->DecodeItems(records, &decoded));
  snap->items_ = 0;
  Owned own;
  for (auto& item : decoded) snap->Append(std::move(item), &own, /*project=*/false);
  snap->ProjectAll(own);
  snap->removals_ = removals;
  *out = std::move(snap);
  return Status::OK();
}

}  // namespace classiflow
