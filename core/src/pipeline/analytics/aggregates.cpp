// Counting: how each event changes the aggregates, and which records it dirties.
#include "pipeline/analytics/aggregates.h"

#include <algorithm>
#include <bit>
#include <cmath>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace classiflow {

Aggregates::ReviewIds::ReviewIds(uint32_t keep)
    : slots_(std::bit_ceil(std::max<size_t>(256, size_t{keep} * 8))) {}

size_t Aggregates::ReviewIds::Slot(std::string_view id) const {
  return XXH3_64bits(id.data(), id.size()) & (slots_.size() - 1);
}

Aggregates::Aggregates(const PipelineSpec& spec)
    : spec_(&spec),
      settings_(&spec.analytics),
      stage_items_(spec.stages.size()),
      stage_retries_(spec.stages.size()),
      stage_dead_(spec.stages.size()),
      review_ids_(spec.analytics.review_keep) {}

void Aggregates::Reset(uint64_t seq) {
  Aggregates fresh(*spec_);
  // Keep the dirty marks empty: the caller deletes every stored record and writes the core.
  *this = std::move(fresh);
  base_seq_ = seq;
  core_dirty_ = true;
}

const ItemPrediction* Aggregates::LeastConfident(const ItemState& item) {
  const ItemPrediction* least = nullptr;
  for (const ItemPrediction& p : item.predictions) {
    if (least == nullptr || p.confidence < least->confidence) least = &p;
  }
  return least;
}

Aggregates::StageTally& Aggregates::Tally(uint16_t stage) {
  StageTally& tally = classify_[stage];
  if (tally.histogram.empty()) tally.histogram.resize(settings_->histogram_bins);
  return tally;
}

uint32_t Aggregates::LabelIndex(StageTally* tally, std::string_view label, uint32_t hint) {
  // Hashing the label was most of what counting an item cost the coordinator.
  constexpr uint32_t kMaxHint = 1u << 20;  // a bound on the cache, not on the labels
  if (hint < tally->by_hint.size() && tally->by_hint[hint] != 0 &&
      tally->labels[tally->by_hint[hint] - 1].label == label) {
    return tally->by_hint[hint] - 1;
  }
  uint32_t index = 0;
  if (auto it = tally->index.find(label); it != tally->index.end()) {
    index = it->second;
  } else {
    index = static_cast<uint32_t>(tally->labels.size());
    tally->labels.push_back({std::string(label), 0, 0.0});
    tally->index.emplace(std::string(label), index);
  }
  if (hint < kMaxHint) {
    if (hint >= tally->by_hint.size()) tally->by_hint.resize(hint + 1);
    tally->by_hint[hint] = index + 1;
  }
  return index;
}

Aggregates::Bucket* Aggregates::BucketAt(Series* series, std::set<int64_t>* dirty, int64_t at,
                                         uint32_t keep, char kind) {
  if (keep == 0) return nullptr;
  // The common case, once per item: `at` is the newest bucket, already counted in this commit.
  if (!series->empty() && series->rbegin()->first == at && !dirty->empty() &&
      *dirty->rbegin() == at) {
    return &series->rbegin()->second;
  }
  const int64_t newest = series->empty() ? at : std::max(at, series->rbegin()->first);
  if (at <= newest - keep) return nullptr;  // older than what is kept (a clock that went back)
  Bucket* bucket = &(*series)[at];
  dirty->insert(at);
  while (series->begin()->first <= newest - keep) {
    deleted_.push_back(BucketSuffix(kind, series->begin()->first));
    dirty->erase(series->begin()->first);
    series->erase(series->begin());
  }
  return bucket;
}

void Aggregates::AddResult(const ItemState& item, int64_t done_ms) {
  first_ms_ = items_ == 0 ? done_ms : std::min(first_ms_, done_ms);
  last_ms_ = items_ == 0 ? done_ms : std::max(last_ms_, done_ms);
  ++items_;
  core_dirty_ = true;
  for (size_t i = 0; i < item.route.size(); ++i) {
    if (item.route[i] < stage_items_.size()) ++stage_items_[item.route[i]];
    if (i > 0) ++routes_[uint32_t{item.route[i - 1]} << 16 | item.route[i]];
  }
  if (!item.predictions.empty()) {
    Bucket* minute = BucketAt(&minutes_, &dirty_minutes_, done_ms / 60000, settings_->minutes, 'm');
    Bucket* hour = BucketAt(&hours_, &dirty_hours_, done_ms / 3600000, settings_->hours, 'h');
    for (const ItemPrediction& p : item.predictions) {
      StageTally& tally = Tally(p.stage);
      const uint32_t index = LabelIndex(&tally, p.label, p.label_hint);
      LabelTally& label = tally.labels[index];
      ++label.count;
      label.confidence_sum += p.confidence;
      const double clamped = std::clamp(p.confidence, 0.0, 1.0);
      const auto bins = static_cast<uint32_t>(tally.histogram.size());
      ++tally.histogram[std::min(bins - 1, static_cast<uint32_t>(clamped * bins))];
      const uint32_t page = index / kLabelsPerPage;
      if (page >= tally.dirty_pages.size()) tally.dirty_pages.resize(page + 1);
      tally.dirty_pages[page] = true;
      const uint64_t key = uint64_t{p.stage} << 32 | index;
      if (minute != nullptr) ++(*minute)[key];
      if (hour != nullptr) ++(*hour)[key];
    }
  }
  for (const ItemField& f : item.fields) {
    auto it = fields_.find(f.name);
    if (it == fields_.end()) it = fields_.emplace(f.name, FieldTally()).first;
    ++it->second.extracted;
  }
  for (const auto& [name, ok] : item.valid) {
    auto it = fields_.find(name);
    if (it == fields_.end()) it = fields_.emplace(name, FieldTally()).first;
    ++(ok ? it->second.valid : it->second.invalid);
  }
  AddUrgent(item, done_ms);
  AddReview(item, done_ms);
}

void Aggregates::AddDeadLetter(uint16_t stage) {
  if (stage < stage_dead_.size()) ++stage_dead_[stage];
  core_dirty_ = true;
}

void Aggregates::AddRetry(uint16_t stage) {
  if (stage < stage_retries_.size()) ++stage_retries_[stage];
  core_dirty_ = true;
}

bool Aggregates::Urgent(const ItemState& item, const ItemPrediction& p, std::string* field) const {
  const UrgentRule& rule = settings_->urgent;
  if (rule.stage != kNoStage && p.stage != rule.stage) return false;
  if (p.confidence < rule.min_confidence) return false;
  if (!std::binary_search(rule.labels.begin(), rule.labels.end(), p.label)) return false;
  if (rule.field.empty()) return true;
  for (const ItemField& f : item.fields) {
    if (f.name == rule.field) {
      *field = f.json;
      return true;
    }
  }
  return false;
}

void Aggregates::AddUrgent(const ItemState& item, int64_t done_ms) {
  if (settings_->urgent.labels.empty()) return;
  for (const ItemPrediction& p : item.predictions) {
    std::string field;
    if (!Urgent(item, p, &field)) continue;
    urgent_.push_front({item.id, p.stage, p.label, p.confidence, done_ms, std::move(field)});
    if (urgent_.size() > settings_->urgent_keep) urgent_.pop_back();
    urgent_dirty_ = true;
    return;
  }
}

void Aggregates::AddReview(const ItemState& item, int64_t done_ms) {
  const ItemPrediction* p = LeastConfident(item);
  if (settings_->review_keep == 0 || p == nullptr) return;
  RemoveReview(item.id);  // an id that comes again (after its result expired) is one entry
  if (review_.size() >= settings_->review_keep) {
    // Full, and most items are more confident than the last kept: no string built for them.
    const auto& [worst_confidence, worst_id] = *review_order_.rbegin();
    if (!(p->confidence < worst_confidence ||
          (p->confidence == worst_confidence && item.id < worst_id))) {
      return;
    }
  }
  review_order_.emplace(p->confidence, item.id);
  review_.emplace(item.id, ListEntry{item.id, p->stage, p->label, p->confidence, done_ms, ""});
  review_ids_.Add(item.id);
  if (review_.size() > settings_->review_keep) {
    const std::string& worst = review_order_.rbegin()->second;
    review_ids_.Remove(worst);
    review_.erase(worst);
    review_order_.erase(std::prev(review_order_.end()));
  }
  review_dirty_ = true;
}

void Aggregates::RemoveReview(std::string_view id) {
  if (!review_ids_.MayHold(id)) return;
  auto it = review_.find(id);
  if (it == review_.end()) return;
  review_ids_.Remove(id);
  review_order_.erase({it->second.confidence, it->second.id});
  review_.erase(it);
  review_dirty_ = true;
}

void Aggregates::AddFeedback(const FeedbackEvent& feedback, const FeedbackEvent* replaced) {
  if (replaced != nullptr) {
    const std::pair<uint16_t, uint64_t> at(replaced->stage, replaced->version);
    Confusion& confusion = confusion_[at];
    auto cell = confusion.find({std::string(replaced->label), std::string(replaced->predicted)});
    if (cell != confusion.end() && --cell->second == 0) confusion.erase(cell);
    if (confusion.empty()) confusion_.erase(at);
    dirty_confusion_.insert(at);
    if (feedback_total_ > 0) --feedback_total_;
    if (replaced->label == replaced->predicted && feedback_correct_ > 0) --feedback_correct_;
  }
  const std::pair<uint16_t, uint64_t> at(feedback.stage, feedback.version);
  ++confusion_[at][{std::string(feedback.label), std::string(feedback.predicted)}];
  dirty_confusion_.insert(at);
  const bool correct = feedback.label == feedback.predicted;
  ++feedback_total_;
  if (correct) ++feedback_correct_;
  recent_.push_back(correct);
  while (recent_.size() > settings_->alert_window) recent_.pop_front();
  recent_dirty_ = true;
  RemoveReview(feedback.id);
}

std::vector<const Aggregates::ListEntry*> Aggregates::ReviewInOrder() const {
  std::vector<const ListEntry*> out;
  out.reserve(review_order_.size());
  for (const auto& [confidence, id] : review_order_) out.push_back(&review_.find(id)->second);
  return out;
}

void Aggregates::TakeChanges(std::vector<AnalyticsRecord>* out) {
  // Deletes first: a record dropped and written again in one commit ends written.
  for (std::string& suffix : deleted_) out->push_back({std::move(suffix), std::nullopt});
  deleted_.clear();
  if (core_dirty_) out->push_back({"c", EncodeCore()});
  for (auto& [stage, tally] : classify_) {
    for (uint32_t page = 0; page < tally.dirty_pages.size(); ++page) {
      if (!tally.dirty_pages[page]) continue;
      out->push_back({LabelPageSuffix(stage, page), EncodeLabelPage(stage, page)});
      tally.dirty_pages[page] = false;
    }
  }
  for (int64_t minute : dirty_minutes_) {
    out->push_back({BucketSuffix('m', minute), EncodeBucket(minutes_.at(minute))});
  }
  for (int64_t hour : dirty_hours_) {
    out->push_back({BucketSuffix('h', hour), EncodeBucket(hours_.at(hour))});
  }
  dirty_minutes_.clear();
  dirty_hours_.clear();
  const auto list = [&](bool dirty, const char* suffix, const std::vector<const ListEntry*>& all) {
    if (!dirty) return;
    out->push_back({suffix, all.empty() ? std::nullopt : std::optional(EncodeList(all))});
  };
  std::vector<const ListEntry*> urgent;
  for (const ListEntry& e : urgent_) urgent.push_back(&e);
  list(urgent_dirty_, "u", urgent);
  list(review_dirty_, "r", ReviewInOrder());
  for (const auto& at : dirty_confusion_) {
    auto it = confusion_.find(at);
    out->push_back(
        {ConfusionSuffix(at.first, at.second),
         it == confusion_.end() ? std::nullopt : std::optional(EncodeConfusion(it->second))});
  }
  dirty_confusion_.clear();
  if (recent_dirty_) out->push_back({"g", EncodeRecent()});
  core_dirty_ = urgent_dirty_ = review_dirty_ = recent_dirty_ = false;
}

AnalyticsRecords Aggregates::AllRecords() const {
  AnalyticsRecords out;
  out.emplace("c", EncodeCore());
  for (const auto& [stage, tally] : classify_) {
    const auto pages =
        static_cast<uint32_t>((tally.labels.size() + kLabelsPerPage - 1) / kLabelsPerPage);
    for (uint32_t page = 0; page < pages; ++page) {
      out.emplace(LabelPageSuffix(stage, page), EncodeLabelPage(stage, page));
    }
  }
  for (const auto& [minute, bucket] : minutes_)
    out.emplace(BucketSuffix('m', minute), EncodeBucket(bucket));
  for (const auto& [hour, bucket] : hours_)
    out.emplace(BucketSuffix('h', hour), EncodeBucket(bucket));
  std::vector<const ListEntry*> urgent;
  for (const ListEntry& e : urgent_) urgent.push_back(&e);
  if (!urgent.empty()) out.emplace("u", EncodeList(urgent));
  if (!review_.empty()) out.emplace("r", EncodeList(ReviewInOrder()));
  for (const auto& [at, confusion] : confusion_) {
    out.emplace(ConfusionSuffix(at.first, at.second), EncodeConfusion(confusion));
  }
  if (!recent_.empty() || feedback_total_ > 0) out.emplace("g", EncodeRecent());
  return out;
}

}  // namespace classiflow
