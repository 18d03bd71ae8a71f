// The aggregates' stored records: binary (varints, length-prefixed bytes, raw doubles so that a
// sum decodes to the very value it was), one format byte each.
#include <algorithm>

#include "pipeline/analytics/aggregates.h"
#include "pipeline/record_fields.h"
#include "util/binary_io.h"

namespace classiflow {
namespace {

constexpr uint8_t kFormat = 1;

void PutBigEndian(uint64_t value, int bytes, std::string* out) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>(value >> shift));
  }
}

uint64_t GetBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes) value = value << 8 | static_cast<uint8_t>(c);
  return value;
}

void PutCounts(const std::vector<uint64_t>& counts, BinaryWriter* w) {
  w->PutVarint(counts.size());
  for (uint64_t c : counts) w->PutVarint(c);
}
bool GetCounts(BinaryReader* r, std::vector<uint64_t>* out) {
  uint64_t n = 0;
  if (!r->GetVarint(&n) || n > r->remaining()) return false;
  out->resize(n);
  for (uint64_t& c : *out) {
    if (!r->GetVarint(&c)) return false;
  }
  return true;
}

std::string Header() { return std::string(1, static_cast<char>(kFormat)); }
bool GetHeader(BinaryReader* r) {
  uint8_t format = 0;
  return r->GetRaw(&format, 1) && format == kFormat;
}

Status Bad(std::string_view suffix) {
  std::string shown;
  for (char c : suffix) shown += (c >= 0x20 && c < 0x7f) ? std::string(1, c) : "\\x..";
  return Status::Corruption("analytics record '" + shown + "' is truncated or malformed");
}

}  // namespace

std::string BucketSuffix(char kind, int64_t at) {
  std::string suffix(1, kind);
  PutBigEndian(static_cast<uint64_t>(at), 8, &suffix);
  return suffix;
}

std::string LabelPageSuffix(uint16_t stage, uint32_t page) {
  std::string suffix("l");
  PutBigEndian(stage, 2, &suffix);
  PutBigEndian(page, 4, &suffix);
  return suffix;
}

std::string ConfusionSuffix(uint16_t stage, uint64_t version) {
  std::string suffix("f");
  PutBigEndian(stage, 2, &suffix);
  PutBigEndian(version, 8, &suffix);
  return suffix;
}

std::string Aggregates::EncodeCore() const {
  std::string out = Header();
  BinaryWriter w(&out);
  w.PutVarint(base_seq_);
  w.PutVarint(items_);
  PutTime(first_ms_, &w);
  PutTime(last_ms_, &w);
  PutCounts(stage_items_, &w);
  PutCounts(stage_retries_, &w);
  PutCounts(stage_dead_, &w);
  w.PutVarint(classify_.size());
  for (const auto& [stage, tally] : classify_) {
    w.PutVarint(stage);
    PutCounts(tally.histogram, &w);
  }
  w.PutVarint(routes_.size());
  for (const auto& [edge, count] : routes_) {
    w.PutVarint(edge);
    w.PutVarint(count);
  }
  w.PutVarint(fields_.size());
  for (const auto& [name, f] : fields_) {
    w.PutBytes(name);
    w.PutVarint(f.extracted);
    w.PutVarint(f.valid);
    w.PutVarint(f.invalid);
  }
  return out;
}

Status Aggregates::DecodeCore(std::string_view value) {
  BinaryReader r(value);
  uint64_t n = 0;
  if (!GetHeader(&r) || !r.GetVarint(&base_seq_) || !r.GetVarint(&items_) ||
      !GetTime(&r, &first_ms_) || !GetTime(&r, &last_ms_) || !GetCounts(&r, &stage_items_) ||
      !GetCounts(&r, &stage_retries_) || !GetCounts(&r, &stage_dead_) || !r.GetVarint(&n) ||
      stage_items_.size() != spec_->stages.size() ||
      stage_retries_.size() != spec_->stages.size() || stage_dead_.size() != spec_->stages.size()) {
    return Bad("c");
  }
  for (uint64_t i = 0; i < n; ++i) {
    uint16_t stage = 0;
    StageTally tally;
    if (!GetInt(&r, &stage) || stage >= spec_->stages.size() || !GetCounts(&r, &tally.histogram) ||
        tally.histogram.empty()) {
      return Bad("c");
    }
    classify_[stage].histogram = std::move(tally.histogram);
  }
  if (!r.GetVarint(&n)) return Bad("c");
  for (uint64_t i = 0; i < n; ++i) {
    uint32_t edge = 0;
    uint64_t count = 0;
    if (!GetInt(&r, &edge) || !r.GetVarint(&count)) return Bad("c");
    routes_[edge] = count;
  }
  if (!r.GetVarint(&n)) return Bad("c");
  for (uint64_t i = 0; i < n; ++i) {
    std::string name;
    FieldTally f;
    if (!GetString(&r, &name) || !r.GetVarint(&f.extracted) || !r.GetVarint(&f.valid) ||
        !r.GetVarint(&f.invalid)) {
      return Bad("c");
    }
    fields_[name] = f;
  }
  return r.remaining() == 0 ? Status::OK() : Bad("c");
}

std::string Aggregates::EncodeLabelPage(uint16_t stage, uint32_t page) const {
  const std::vector<LabelTally>& labels = classify_.at(stage).labels;
  const size_t begin = size_t{page} * kLabelsPerPage;
  const size_t end = std::min(labels.size(), begin + kLabelsPerPage);
  std::string out = Header();
  BinaryWriter w(&out);
  w.PutVarint(end - begin);
  for (size_t i = begin; i < end; ++i) {
    w.PutBytes(labels[i].label);
    w.PutVarint(labels[i].count);
    w.PutF64(labels[i].confidence_sum);
  }
  return out;
}

Status Aggregates::DecodeLabelPage(uint16_t stage, uint32_t page, std::string_view value) {
  StageTally& tally = classify_[stage];
  BinaryReader r(value);
  uint64_t n = 0;
  // Pages load in order (the records sort by page), so each one extends the labels.
  if (!GetHeader(&r) || !r.GetVarint(&n) || n == 0 || n > kLabelsPerPage ||
      tally.labels.size() != size_t{page} * kLabelsPerPage) {
    return Bad(LabelPageSuffix(stage, page));
  }
  for (uint64_t i = 0; i < n; ++i) {
    LabelTally label;
    if (!GetString(&r, &label.label) || !r.GetVarint(&label.count) ||
        !r.GetF64(&label.confidence_sum) || tally.index.count(label.label) != 0) {
      return Bad(LabelPageSuffix(stage, page));
    }
    tally.index.emplace(label.label, static_cast<uint32_t>(tally.labels.size()));
    tally.labels.push_back(std::move(label));
  }
  return r.remaining() == 0 ? Status::OK() : Bad(LabelPageSuffix(stage, page));
}

std::string Aggregates::EncodeBucket(const Bucket& bucket) {
  std::string out = Header();
  BinaryWriter w(&out);
  w.PutVarint(bucket.size());
  for (const auto& [key, count] : bucket) {
    w.PutVarint(key);
    w.PutVarint(count);
  }
  return out;
}

Status Aggregates::DecodeBucket(std::string_view value, Bucket* out) {
  BinaryReader r(value);
  uint64_t n = 0;
  if (!GetHeader(&r) || !r.GetVarint(&n) || n > r.remaining()) return Status::Corruption("");
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t key = 0, count = 0;
    if (!r.GetVarint(&key) || !r.GetVarint(&count)) return Status::Corruption("");
    (*out)[key] = count;
  }
  return r.remaining() == 0 ? Status::OK() : Status::Corruption("");
}

std::string Aggregates::EncodeList(const std::vector<const ListEntry*>& entries) {
  std::string out = Header();
  BinaryWriter w(&out);
  w.PutVarint(entries.size());
  for (const ListEntry* e : entries) {
    w.PutBytes(e->id);
    w.PutVarint(e->stage);
    w.PutBytes(e->label);
    w.PutF64(e->confidence);
    PutTime(e->done_ms, &w);
    w.PutBytes(e->field);
  }
  return out;
}

Status Aggregates::DecodeList(std::string_view value, std::vector<ListEntry>* out) {
  BinaryReader r(value);
  uint64_t n = 0;
  if (!GetHeader(&r) || !r.GetVarint(&n) || n > r.remaining()) return Status::Corruption("");
  out->resize(n);
  for (ListEntry& e : *out) {
    if (!GetString(&r, &e.id) || !GetInt(&r, &e.stage) || !GetString(&r, &e.label) ||
        !r.GetF64(&e.confidence) || !GetTime(&r, &e.done_ms) || !GetString(&r, &e.field)) {
      return Status::Corruption("");
    }
  }
  return r.remaining() == 0 ? Status::OK() : Status::Corruption("");
}

std::string Aggregates::EncodeConfusion(const Confusion& confusion) const {
  std::string out = Header();
  BinaryWriter w(&out);
  w.PutVarint(confusion.size());
  for (const auto& [cell, count] : confusion) {
    w.PutBytes(cell.first);
    w.PutBytes(cell.second);
    w.PutVarint(count);
  }
  return out;
}

std::string Aggregates::EncodeRecent() const {
  std::string out = Header();
  BinaryWriter w(&out);
  w.PutVarint(feedback_total_);
  w.PutVarint(feedback_correct_);
  w.PutVarint(recent_.size());
  // Eight feedbacks a byte, oldest first.
  for (size_t i = 0; i < recent_.size(); i += 8) {
    uint8_t byte = 0;
    for (size_t j = i; j < std::min(recent_.size(), i + 8); ++j) {
      if (recent_[j]) byte |= static_cast<uint8_t>(1u << (j - i));
    }
    w.PutRaw(&byte, 1);
  }
  return out;
}

Status Aggregates::DecodeRecent(std::string_view value) {
  BinaryReader r(value);
  uint64_t n = 0;
  if (!GetHeader(&r) || !r.GetVarint(&feedback_total_) || !r.GetVarint(&feedback_correct_) ||
      !r.GetVarint(&n) || (n + 7) / 8 != r.remaining()) {
    return Bad("g");
  }
  recent_.clear();
  for (uint64_t i = 0; i < n; i += 8) {
    uint8_t byte = 0;
    r.GetRaw(&byte, 1);
    for (uint64_t j = i; j < std::min(n, i + 8); ++j) recent_.push_back((byte >> (j - i)) & 1);
  }
  return Status::OK();
}

Status Aggregates::LoadRecord(std::string_view suffix, std::string_view value) {
  if (suffix.empty()) return Bad(suffix);
  const std::string_view number = suffix.substr(1);
  switch (suffix[0]) {
    case 'c':
      return suffix.size() == 1 ? DecodeCore(value) : Bad(suffix);
    case 'l': {
      const auto stage = static_cast<uint16_t>(GetBigEndian(number.substr(0, 2)));
      if (suffix.size() != 7 || stage >= spec_->stages.size() ||
          spec_->stages[stage].kind != StageKind::kClassify) {
        return Bad(suffix);
      }
      return DecodeLabelPage(stage, static_cast<uint32_t>(GetBigEndian(number.substr(2))), value);
    }
    case 'm':
    case 'h': {
      if (suffix.size() != 9) return Bad(suffix);
      Series& series = suffix[0] == 'm' ? minutes_ : hours_;
      Bucket& bucket = series[static_cast<int64_t>(GetBigEndian(number))];
      return DecodeBucket(value, &bucket).ok() ? Status::OK() : Bad(suffix);
    }
    case 'u':
    case 'r': {
      std::vector<ListEntry> entries;
      if (suffix.size() != 1 || !DecodeList(value, &entries).ok()) return Bad(suffix);
      if (suffix[0] == 'u') {
        urgent_.assign(entries.begin(), entries.end());
        return Status::OK();
      }
      for (ListEntry& e : entries) {
        review_order_.insert({e.confidence, e.id});
        review_ids_.Add(e.id);
        std::string id = e.id;
        review_.emplace(std::move(id), std::move(e));
      }
      return Status::OK();
    }
    case 'f': {
      if (suffix.size() != 11) return Bad(suffix);
      Confusion& confusion = confusion_[{static_cast<uint16_t>(GetBigEndian(number.substr(0, 2))),
                                         GetBigEndian(number.substr(2))}];
      BinaryReader r(value);
      uint64_t n = 0;
      if (!GetHeader(&r) || !r.GetVarint(&n) || n == 0 || n > r.remaining()) return Bad(suffix);
      for (uint64_t i = 0; i < n; ++i) {
        std::string truth, predicted;
        uint64_t count = 0;
        if (!GetString(&r, &truth) || !GetString(&r, &predicted) || !r.GetVarint(&count)) {
          return Bad(suffix);
        }
        confusion[{truth, predicted}] = count;
      }
      return r.remaining() == 0 ? Status::OK() : Bad(suffix);
    }
    case 'g':
      return suffix.size() == 1 ? DecodeRecent(value) : Bad(suffix);
    case 's':
      return Status::OK();  // the stats snapshot: not counted
    default:
      return Bad(suffix);
  }
}

Status Aggregates::Load(const AnalyticsRecords& records) {
  *this = Aggregates(*spec_);
  // The core first: it sizes what the others index.
  if (auto core = records.find("c"); core != records.end()) {
    CF_RETURN_IF_ERROR(DecodeCore(core->second));
  }
  for (const auto& [suffix, value] : records) {
    if (suffix != "c") CF_RETURN_IF_ERROR(LoadRecord(suffix, value));
  }
  for (auto& [stage, tally] : classify_) {
    if (tally.histogram.empty()) tally.histogram.resize(settings_->histogram_bins);
  }
  core_dirty_ = records.count("c") == 0;
  return Status::OK();
}

}  // namespace classiflow
