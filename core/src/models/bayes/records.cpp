// Serialisation of BayesSnapshot: one header record ("h") and one record per non-empty page
// ("p" + 8 hex digits of the page index). Every record is sealed with a checksum.
#include <array>

#include "classiflow/model_options.h"
#include "models/bayes/snapshot.h"
#include "models/model_records.h"
#include "models/page_records.h"
#include "util/binary_io.h"

namespace classiflow {
namespace {

std::string EncodePage(const CountPage& page) {
  std::string out;
  BinaryWriter w(&out);
  w.PutU32(static_cast<uint32_t>(page.entries.size()));
  w.PutRaw(page.offsets.data(), sizeof(uint32_t) * page.offsets.size());
  for (const CountEntry& entry : page.entries) {  // gains are derived, not stored
    w.PutU32(entry.label);
    w.PutU32(entry.count);
  }
  return SealRecord(std::move(out));
}

// Offsets must start at 0, never decrease and end at `n`: checked for the whole page before any
// entry is read through them, so a crafted offset cannot index outside the entries.
bool OffsetsValid(const std::array<uint32_t, kPageSize + 1>& offsets, uint32_t n) {
  if (offsets[0] != 0 || offsets[kPageSize] != n) return false;
  for (uint32_t row = 0; row < kPageSize; ++row) {
    if (offsets[row] > offsets[row + 1]) return false;
  }
  return true;
}

// Decodes and validates one page; `rows` receives its number of non-empty rows.
Status DecodePage(std::string_view payload, size_t label_count, double alpha, CountPage* page,
                  uint64_t* rows) {
  BinaryReader r(payload);
  uint32_t n = 0;
  // The size check comes before the resize: a count the payload cannot hold allocates nothing.
  if (!r.GetU32(&n) || !r.GetRaw(page->offsets.data(), sizeof(uint32_t) * page->offsets.size()) ||
      r.remaining() != uint64_t{n} * 2 * sizeof(uint32_t)) {
    return Status::Corruption("bayes page: bad size");
  }
  if (!OffsetsValid(page->offsets, n)) return Status::Corruption("bayes page: bad offsets");
  page->entries.resize(n);
  for (CountEntry& entry : page->entries) {
    r.GetU32(&entry.label);
    r.GetU32(&entry.count);
    if (entry.label >= label_count || entry.count == 0) {
      return Status::Corruption("bayes page: entry with a label out of range or a zero count");
    }
    entry.gain = CountGain(entry.count, alpha);
  }
  *rows = 0;
  for (uint32_t row = 0; row < kPageSize; ++row) {
    const uint32_t begin = page->offsets[row], end = page->offsets[row + 1];
    *rows += begin != end;
    for (uint32_t e = begin + 1; e < end; ++e) {
      if (page->entries[e - 1].label >= page->entries[e].label) {
        return Status::Corruption("bayes page: a row's labels are not strictly increasing");
      }
    }
  }
  page->BuildReadIndex();
  return Status::OK();
}

}  // namespace

std::string BayesSnapshot::EncodeHeader() const {
  std::string out;
  BinaryWriter w(&out);
  BeginHeader(version(), labels(), &w);
  for (uint64_t d : doc_counts_) w.PutU64(d);
  for (uint64_t t : token_counts_) w.PutU64(t);
  w.PutU64(distinct_features_);
  w.PutU32(static_cast<uint32_t>(pages_.size()));
  return SealRecord(std::move(out));
}

void BayesSnapshot::RecordsSince(const TrainableSnapshot* base, ModelRecords* out) const {
  const auto* old = dynamic_cast<const BayesSnapshot*>(base);
  AppendRecords(EncodeHeader(), pages_, old ? &old->pages_ : nullptr, EncodePage, out);
}

Status BayesSnapshot::FromRecords(const BayesOptions& options, int hash_bits,
                                  const std::map<std::string, std::string>& records,
                                  std::shared_ptr<const TrainableSnapshot>* out) {
  BinaryReader r({});
  uint32_t n_pages = 0;
  uint64_t version = 0;
  auto labels = std::make_shared<std::vector<std::string>>();
  CF_RETURN_IF_ERROR(
      OpenHeader(records, "bayes header", kMaxBayesLabels, &r, &version, labels.get()));
  const size_t n_labels = labels->size();
  // Exactly the counters the label count implies: checked before they are sized.
  if (r.remaining() != (2 * n_labels + 1) * sizeof(uint64_t) + sizeof(uint32_t)) {
    return Status::Corruption("bayes header: bad counters");
  }
  auto snap = std::shared_ptr<BayesSnapshot>(new BayesSnapshot(options, version, labels));
  snap->doc_counts_.resize(n_labels);
  snap->token_counts_.resize(n_labels);
  for (auto& d : snap->doc_counts_) r.GetU64(&d);
  for (auto& t : snap->token_counts_) r.GetU64(&t);
  r.GetU64(&snap->distinct_features_);
  r.GetU32(&n_pages);
  if (hash_bits < kPageBits || hash_bits > 31 || n_pages != (size_t{1} << hash_bits) / kPageSize) {
    return Status::Corruption("bayes header: page count disagrees with hash_bits");
  }
  snap->pages_ = CountPageTable(n_pages);  // costs O(pages present), not O(n_pages) (page_table.h)
  CF_RETURN_IF_ERROR(snap->DecodePages(records, options.alpha));
  snap->Precompute();
  *out = std::move(snap);
  return Status::OK();
}

Status BayesSnapshot::DecodePages(const std::map<std::string, std::string>& records, double alpha) {
  uint64_t distinct = 0, pages = 0;
  CF_RETURN_IF_ERROR(DecodePageRecords<CountPage>(
      records, "bayes page", &pages_,
      [&](std::string_view payload, CountPage* page) {
        uint64_t rows = 0;
        CF_RETURN_IF_ERROR(DecodePage(payload, label_count(), alpha, page, &rows));
        distinct += rows;
        return Status::OK();
      },
      &pages));
  if (distinct != distinct_features_) {
    return Status::Corruption("bayes model: pages disagree with the header (missing records?)");
  }
  return Status::OK();
}

}  // namespace classiflow
