// Serialisation of LinearSnapshot: one header record ("h": format, version, labels, counters,
// biases) and one record per non-empty page ("p" + 8 hex digits). Every record is sealed with a
// checksum; every count and width is checked against the header before it sizes anything.
#include <algorithm>
#include <cmath>
#include <iterator>

#include "classiflow/model_options.h"
#include "models/linear/snapshot.h"
#include "models/model_records.h"
#include "models/page_records.h"
#include "util/binary_io.h"

namespace classiflow {
namespace {

constexpr uint32_t kFloatPage = 0, kQuantizedPage = 1;

std::string EncodePage(const WeightPage& page) {
  std::string out;
  BinaryWriter w(&out);
  const bool quantized = !page.quantized.empty();
  w.PutU32(static_cast<uint32_t>(page.labels.size()));
  w.PutU32(quantized ? kQuantizedPage : kFloatPage);
  w.PutRaw(page.offsets.data(), sizeof(uint32_t) * page.offsets.size());
  w.PutRaw(page.df.data(), sizeof(uint32_t) * kLinearPageRows);
  w.PutRaw(page.squared.data(), sizeof(float) * kLinearPageRows);
  w.PutRaw(page.labels.data(), sizeof(uint16_t) * page.labels.size());
  if (quantized) {
    w.PutRaw(page.scale.data(), sizeof(float) * kLinearPageRows);
    w.PutRaw(page.quantized.data(), page.quantized.size());
  } else {
    w.PutRaw(page.weights.data(), sizeof(float) * page.weights.size());
  }
  return SealRecord(std::move(out));
}

template <class T>
bool AllFinite(const T& values) {
  return std::all_of(std::begin(values), std::end(values),
                     [](float v) { return std::isfinite(v); });
}

// Offsets must start at 0, never decrease and end at `n`, and each row's labels must rise
// strictly below `label_count`: checked before any entry is read through them.
bool EntriesValid(const WeightPage& page, size_t n, size_t label_count) {
  if (page.offsets[0] != 0 || page.offsets[kLinearPageRows] != n) return false;
  for (uint32_t r = 0; r < kLinearPageRows; ++r) {
    if (page.offsets[r] > page.offsets[r + 1]) return false;
    for (uint32_t e = page.offsets[r]; e < page.offsets[r + 1]; ++e) {
      if (page.labels[e] >= label_count ||
          (e > page.offsets[r] && page.labels[e - 1] >= page.labels[e])) {
        return false;
      }
    }
  }
  return true;
}

Status DecodePage(std::string_view payload, size_t label_count, WeightPage* page) {
  BinaryReader r(payload);
  uint32_t n = 0, encoding = 0;
  if (!r.GetU32(&n) || !r.GetU32(&encoding) ||
      !r.GetRaw(page->offsets.data(), sizeof(uint32_t) * page->offsets.size()) ||
      !r.GetRaw(page->df.data(), sizeof(uint32_t) * kLinearPageRows) ||
      !r.GetRaw(page->squared.data(), sizeof(float) * kLinearPageRows)) {
    return Status::Corruption("linear page: truncated");
  }
  // Sizes are checked against the payload before anything is allocated.
  const size_t scale_bytes = encoding == kQuantizedPage ? sizeof(float) * kLinearPageRows : 0;
  const size_t weight_bytes = encoding == kQuantizedPage ? 1 : sizeof(float);
  if (encoding != kQuantizedPage && encoding != kFloatPage) {
    return Status::Corruption("linear page: unknown encoding " + std::to_string(encoding));
  }
  if (r.remaining() != uint64_t{n} * (sizeof(uint16_t) + weight_bytes) + scale_bytes) {
    return Status::Corruption("linear page: bad size");
  }
  page->labels.resize(n);
  r.GetRaw(page->labels.data(), sizeof(uint16_t) * n);
  if (!EntriesValid(*page, n, label_count)) {
    return Status::Corruption("linear page: bad offsets or labels");
  }
  if (encoding == kQuantizedPage) {
    r.GetRaw(page->scale.data(), scale_bytes);
    page->quantized.resize(n);
    r.GetRaw(page->quantized.data(), n);
  } else {
    page->weights.resize(n);
    r.GetRaw(page->weights.data(), sizeof(float) * n);
  }
  if (!AllFinite(page->weights) || !AllFinite(page->scale) || !AllFinite(page->squared)) {
    return Status::Corruption("linear page: a weight is not a finite number");
  }
  page->Finish();
  return Status::OK();
}

}  // namespace

std::string LinearSnapshot::EncodeHeader() const {
  std::string out;
  BinaryWriter w(&out);
  BeginHeader(version(), labels(), &w);
  w.PutU64(docs_);
  w.PutU64(steps_);
  w.PutU32(static_cast<uint32_t>(pages_.size()));
  w.PutU64(pages_present_);
  w.PutRaw(bias_.data(), sizeof(float) * bias_.size());
  w.PutRaw(bias_squared_.data(), sizeof(float) * bias_squared_.size());
  return SealRecord(std::move(out));
}

void LinearSnapshot::RecordsSince(const TrainableSnapshot* base, ModelRecords* out) const {
  const auto* old = dynamic_cast<const LinearSnapshot*>(base);
  out->puts.emplace_back(std::string(kHeaderRecord), EncodeHeader());
  AppendPageRecords(pages_, old ? &old->pages_ : nullptr, EncodePage, out);
}

Status LinearSnapshot::FromRecords(const LinearOptions& options, int hash_bits,
                                   const std::map<std::string, std::string>& records,
                                   std::shared_ptr<const TrainableSnapshot>* out) {
  BinaryReader r({});
  uint32_t n_pages = 0;
  uint64_t version = 0;
  auto labels = std::make_shared<std::vector<std::string>>();
  CF_RETURN_IF_ERROR(
      OpenHeader(records, "linear header", kMaxLinearLabels, &r, &version, labels.get()));
  const size_t n_labels = labels->size();
  auto snap = std::shared_ptr<LinearSnapshot>(new LinearSnapshot(options, version, labels));
  if (!r.GetU64(&snap->docs_) || !r.GetU64(&snap->steps_) || !r.GetU32(&n_pages) ||
      !r.GetU64(&snap->pages_present_) || r.remaining() != 2 * n_labels * sizeof(float)) {
    return Status::Corruption("linear header: bad counters");
  }
  snap->bias_.resize(n_labels);
  snap->bias_squared_.resize(n_labels);
  r.GetRaw(snap->bias_.data(), n_labels * sizeof(float));
  r.GetRaw(snap->bias_squared_.data(), n_labels * sizeof(float));
  if (!AllFinite(snap->bias_) || !AllFinite(snap->bias_squared_)) {
    return Status::Corruption("linear header: a bias is not a finite number");
  }
  if (hash_bits < kLinearPageBits || hash_bits > 31 ||
      n_pages != (size_t{1} << hash_bits) / kLinearPageRows) {
    return Status::Corruption("linear header: page count disagrees with hash_bits");
  }
  snap->log_docs_ = std::log1p(static_cast<float>(snap->docs_));
  snap->pages_ = WeightPageTable(n_pages);
  CF_RETURN_IF_ERROR(snap->DecodePages(records));
  *out = std::move(snap);
  return Status::OK();
}

Status LinearSnapshot::DecodePages(const std::map<std::string, std::string>& records) {
  uint64_t present = 0;
  CF_RETURN_IF_ERROR(DecodePageRecords<WeightPage>(
      records, "linear page", &pages_,
      [&](std::string_view payload, WeightPage* page) {
        return DecodePage(payload, label_count(), page);
      },
      &present));
  if (present != pages_present_) {
    return Status::Corruption("linear model: pages disagree with the header (missing records?)");
  }
  return Status::OK();
}

}  // namespace classiflow
