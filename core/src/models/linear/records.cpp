// Serialisation of LinearSnapshot: one header record ("h": format, version, labels, counters,
// biases, a multilabel model's thresholds, a hinge model's temperature) and one record per
// non-empty page ("p" + 8 hex digits). Every record is sealed with a checksum; every count and
// width is checked against the header before it sizes anything.
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

// Encodings 0 and 1 (the first files) had no centres: read as centred on 0 and knowing every
// label of the model, as they were scored then.
constexpr uint32_t kFloatPageUncentred = 0, kQuantizedPageUncentred = 1, kFloatPage = 2,
                   kQuantizedPage = 3;

template <class T>
bool AllFinite(const T& values) {
  return std::all_of(std::begin(values), std::end(values),
                     [](float v) { return std::isfinite(v); });
}

// Page payload: u32 entry count n, u32 encoding, u32 the page's labels (encodings 2, 3), then
// per row u32 count, u32 df, f32 squared, f32 scale, f32 centre (2, 3); then n u16 labels and
// n weights (f32, or i8 for a quantized page).
std::string EncodePage(const WeightPage& page) {
  std::string out;
  BinaryWriter w(&out);
  uint32_t n = 0;
  for (uint32_t r = 0; r < kLinearPageRows; ++r) n += page.Head(r).count;
  w.PutU32(n);
  w.PutU32(page.quantized ? kQuantizedPage : kFloatPage);
  w.PutU32(page.labels);
  for (uint32_t r = 0; r < kLinearPageRows; ++r) {
    w.PutU32(page.Head(r).count);
    w.PutU32(page.df[r]);
    w.PutRaw(&page.squared[r], sizeof(float));
    w.PutRaw(&page.Head(r).scale, sizeof(float));
    w.PutRaw(&page.Head(r).centre, sizeof(float));
  }
  for (int pass = 0; pass < 2; ++pass) {  // every label, then every weight
    for (uint32_t r = 0; r < kLinearPageRows; ++r) {
      ForEachWeight(page.Head(r), page.quantized, [&](uint32_t label, float stored) {
        if (pass == 0) {
          const auto l16 = static_cast<uint16_t>(label);
          w.PutRaw(&l16, sizeof l16);
        } else if (page.quantized) {
          const auto q = static_cast<int8_t>(stored);
          w.PutRaw(&q, sizeof q);
        } else {
          w.PutRaw(&stored, sizeof stored);
        }
      });
    }
  }
  return SealRecord(std::move(out));
}

Status DecodePage(std::string_view payload, size_t label_count, WeightPage* page) {
  BinaryReader r(payload);
  uint32_t n = 0, encoding = 0;
  if (!r.GetU32(&n) || !r.GetU32(&encoding)) return Status::Corruption("linear page: truncated");
  if (encoding != kFloatPageUncentred && encoding != kQuantizedPageUncentred &&
      encoding != kFloatPage && encoding != kQuantizedPage) {
    return Status::Corruption("linear page: unknown encoding " + std::to_string(encoding));
  }
  page->quantized = encoding == kQuantizedPage || encoding == kQuantizedPageUncentred;
  const bool centred = encoding >= kFloatPage;
  uint32_t page_labels = static_cast<uint32_t>(label_count);
  if (centred && !r.GetU32(&page_labels)) return Status::Corruption("linear page: truncated");
  if (page_labels > label_count) {
    return Status::Corruption("linear page: more labels than the model has");
  }
  std::array<uint32_t, kLinearPageRows + 1> bounds{};
  std::array<float, kLinearPageRows> scales{}, centres{};
  uint64_t total = 0;
  for (uint32_t i = 0; i < kLinearPageRows; ++i) {
    uint32_t count = 0;
    if (!r.GetU32(&count) || !r.GetU32(&page->df[i]) ||
        !r.GetRaw(&page->squared[i], sizeof(float)) || !r.GetRaw(&scales[i], sizeof(float)) ||
        (centred && !r.GetRaw(&centres[i], sizeof(float)))) {
      return Status::Corruption("linear page: truncated");
    }
    if (!std::isfinite(page->squared[i]) || !std::isfinite(scales[i]) ||
        !std::isfinite(centres[i])) {
      return Status::Corruption("linear page: a counter is not a finite number");
    }
    bounds[i] = static_cast<uint32_t>(std::min<uint64_t>(total, UINT32_MAX));
    total += count;
  }
  // Sizes are checked against the payload before anything is allocated.
  const size_t weight_bytes = page->quantized ? 1 : sizeof(float);
  if (total != n || r.remaining() != uint64_t{n} * (sizeof(uint16_t) + weight_bytes)) {
    return Status::Corruption("linear page: bad size");
  }
  bounds[kLinearPageRows] = n;
  std::vector<uint16_t> labels(n);
  r.GetRaw(labels.data(), sizeof(uint16_t) * n);
  for (uint32_t row = 0; row < kLinearPageRows; ++row) {
    for (uint32_t e = bounds[row]; e < bounds[row + 1]; ++e) {
      if (labels[e] >= page_labels || (e > bounds[row] && labels[e - 1] >= labels[e])) {
        return Status::Corruption("linear page: a row's labels are out of range or not rising");
      }
    }
  }
  std::vector<WeightEntry> weights;
  std::vector<QuantizedEntry> quantized;
  if (page->quantized) {
    quantized.resize(n);
    for (uint32_t e = 0; e < n; ++e) {
      int8_t weight = 0;
      r.GetRaw(&weight, 1);
      quantized[e] = {labels[e], weight};
    }
  } else {
    weights.resize(n);
    for (uint32_t e = 0; e < n; ++e) {
      float weight = 0;
      r.GetRaw(&weight, sizeof weight);
      weights[e] = {labels[e], weight};
      if (!std::isfinite(weight)) {
        return Status::Corruption("linear page: a weight is not a finite number");
      }
    }
  }
  page->Pack(bounds, weights, quantized, scales, centres, page_labels);
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
  w.PutRaw(thresholds_.data(), sizeof(float) * thresholds_.size());  // multilabel only
  if (options_.loss == "hinge") w.PutRaw(&temperature_, sizeof temperature_);
  return SealRecord(std::move(out));
}

void LinearSnapshot::RecordsSince(const TrainableSnapshot* base, ModelRecords* out) const {
  const auto* old = dynamic_cast<const LinearSnapshot*>(base);
  AppendRecords(EncodeHeader(), pages_, old ? &old->pages_ : nullptr, EncodePage, out);
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
  const size_t per_label = options.multilabel ? 3 : 2;  // bias, its accumulator, threshold
  const size_t temperature = options.loss == "hinge" ? sizeof(float) : 0;
  if (!r.GetU64(&snap->docs_) || !r.GetU64(&snap->steps_) || !r.GetU32(&n_pages) ||
      !r.GetU64(&snap->pages_present_) ||
      r.remaining() != per_label * n_labels * sizeof(float) + temperature) {
    return Status::Corruption("linear header: bad counters");
  }
  snap->bias_.resize(n_labels);
  snap->bias_squared_.resize(n_labels);
  r.GetRaw(snap->bias_.data(), n_labels * sizeof(float));
  r.GetRaw(snap->bias_squared_.data(), n_labels * sizeof(float));
  if (!AllFinite(snap->bias_) || !AllFinite(snap->bias_squared_)) {
    return Status::Corruption("linear header: a bias is not a finite number");
  }
  if (options.multilabel) {
    snap->thresholds_.resize(n_labels);
    r.GetRaw(snap->thresholds_.data(), n_labels * sizeof(float));
    if (!std::all_of(snap->thresholds_.begin(), snap->thresholds_.end(),
                     [](float t) { return t >= 0.0f && t <= 1.0f; })) {
      return Status::Corruption("linear header: a threshold is outside [0, 1]");
    }
  }
  if (temperature != 0) {
    r.GetRaw(&snap->temperature_, sizeof(float));
    if (!(snap->temperature_ > 0.0f && std::isfinite(snap->temperature_))) {
      return Status::Corruption("linear header: the temperature is not a positive number");
    }
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
