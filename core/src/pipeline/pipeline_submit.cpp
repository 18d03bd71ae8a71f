// The submit path: validation, id claims, backpressure, the intake.
#include <algorithm>

#include "analysis/utf8.h"
#include "pipeline/clock.h"
#include "pipeline/crash_point.h"
#include "pipeline/pipeline_impl.h"
#include "pipeline/records.h"
#include "util/json_options.h"

namespace classiflow {
namespace {

constexpr size_t kMaxItemText = size_t{1} << 20;
constexpr size_t kMaxIdBytes = 256;
constexpr size_t kMaxMetaBytes = size_t{64} << 10;

bool ValidUtf8(std::string_view s) { return utf8::IsValid(s.data(), s.size()); }

}  // namespace

Status CheckItemId(std::string_view id) {
  if (id.size() > kMaxIdBytes) {
    return Status::InvalidArgument("id is longer than " + std::to_string(kMaxIdBytes) + " bytes");
  }
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("id " + QuotePrefix(id) + " holds a control character");
    }
  }
  if (!ValidUtf8(id)) return Status::InvalidArgument("id is not valid UTF-8");
  return Status::OK();
}

namespace {

Status CheckMeta(std::string_view meta) {
  if (meta.size() > kMaxMetaBytes) {
    return Status::InvalidArgument("meta is larger than " + std::to_string(kMaxMetaBytes) +
                                   " bytes");
  }
  std::string_view key;
  CF_RETURN_IF_ERROR(json_detail::PreScan(meta, "meta", meta.size(), &key));
  nlohmann::json doc;
  CF_RETURN_IF_ERROR(json_detail::Parse(meta, "meta", &doc));
  if (!doc.is_object()) return Status::InvalidArgument("meta must be a JSON object");
  return Status::OK();
}

}  // namespace

Status CheckItemText(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument("text is empty");
  if (text.size() > kMaxItemText) {
    return Status::InvalidArgument("text is larger than " + std::to_string(kMaxItemText) +
                                   " bytes");
  }
  if (!ValidUtf8(text)) return Status::InvalidArgument("text is not valid UTF-8");
  return Status::OK();
}

Status PipelineImpl::CheckItem(const PipelineItem& item) const {
  CF_RETURN_IF_ERROR(CheckItemText(item.text));
  if (!item.id.empty()) CF_RETURN_IF_ERROR(CheckItemId(item.id));
  if (!item.meta.empty()) CF_RETURN_IF_ERROR(CheckMeta(item.meta));
  return Status::OK();
}

std::string PipelineImpl::NextId() {
  // REQUIRES: mu_ held. 15 base-32 digits (short enough for the string's inline buffer):
  // 27 bits of the open's epoch, then a 48-bit counter. Unique across reopens because the
  // epoch is stored before the first id of an open is handed out.
  const uint64_t hi = epoch_ & ((1ULL << 27) - 1), lo = next_id_++ & ((1ULL << 48) - 1);
  std::string id(15, '0');
  for (int i = 0; i < 15; ++i) {
    const int shift = 5 * (14 - i);  // bits 74..0 of hi:lo
    const uint64_t digit = shift >= 48
                               ? (hi >> (shift - 48)) & 31
                               : ((lo >> shift) | (shift > 43 ? hi << (48 - shift) : 0)) & 31;
    id[i] = "0123456789abcdefghijklmnopqrstuv"[digit];
  }
  return id;
}

Status PipelineImpl::ClaimId(const std::string& id, bool* duplicate) {
  // Claim first, then look in the store: while the claim holds, nobody else can finish this
  // id, so what the store says cannot change under us.
  {
    std::lock_guard<std::mutex> lock(mu_);
    *duplicate = !ids_.insert(id).second;
    if (*duplicate) return Status::OK();
  }
  const std::string key = ItemKey(name_, id);
  std::string value;
  Status s = env_.store->Get(KeySpace::kResults, key, &value);
  if (s.ok()) {
    int64_t expires = 0;
    *duplicate = !DecodeResultExpiry(value, &expires).ok() || expires == 0 || expires > NowMs();
  } else if (s.code() == Status::Code::kNotFound) {
    s = env_.store->Get(KeySpace::kDeadLetters, key, &value);
    *duplicate = s.ok();
    if (s.code() == Status::Code::kNotFound) s = Status::OK();
  }
  if (!s.ok() || *duplicate) {
    std::lock_guard<std::mutex> lock(mu_);
    ids_.erase(id);
  }
  return s;
}

Status PipelineImpl::ClaimIds(std::span<const PipelineItem> items, std::vector<bool>* skip) {
  // Caller-chosen ids are claimed before any item is queued: a store error here accepts
  // nothing.
  Status status;
  for (size_t i = 0; i < items.size() && status.ok(); ++i) {
    if (items[i].id.empty()) continue;
    bool duplicate = false;
    status = ClaimId(std::string(items[i].id), &duplicate);
    if (duplicate) metrics_.duplicates.fetch_add(1, std::memory_order_relaxed);
    (*skip)[i] = duplicate || !status.ok();
  }
  if (!status.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].id.empty() && !(*skip)[i]) ids_.erase(std::string(items[i].id));
    }
  }
  return status;
}

Status PipelineImpl::Accept(std::span<const PipelineItem> items, bool block,
                            std::vector<std::string>* ids) {
  for (size_t i = 0; i < items.size(); ++i) {
    Status s = CheckItem(items[i]);
    if (!s.ok()) return items.size() == 1 ? s : s.WithContext("items[" + std::to_string(i) + "]");
  }
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  metrics_.submitted.fetch_add(items.size(), std::memory_order_relaxed);
  std::vector<bool> skip(items.size(), false);  // duplicates: answered with their id only
  CF_RETURN_IF_ERROR(ClaimIds(items, &skip));
  ids->resize(items.size());
  Submission submission;
  submission.pending = static_cast<size_t>(std::count(skip.begin(), skip.end(), false));
  // Queued in slices of a group: the graph classifies the first slice while this thread
  // prepares the next, instead of waiting for the whole call to be copied.
  std::vector<std::unique_ptr<ItemState>> slice, pooled;
  size_t next = 0, queued = 0;
  Status status;
  while (next < items.size() && status.ok()) {
    slice.clear();
    for (; next < items.size() && slice.size() < spec_.batch_max_items; ++next) {
      const PipelineItem& in = items[next];
      (*ids)[next].assign(in.id);
      if (skip[next]) continue;
      if (pooled.empty()) pool_.Take(std::min(items.size() - next, spec_.batch_max_items), &pooled);
      slice.push_back(std::move(pooled.back()));
      pooled.pop_back();
      ItemState& item = *slice.back();
      item.id.assign(in.id);
      item.claimed = !in.id.empty();
      item.text.assign(in.text);
      item.meta.assign(in.meta);
      item.stage = spec_.entry;
      item.attempts = 1;
      item.index = next;
      item.submission = &submission;
    }
    status = Queue(slice, block, ids, &queued);
  }
  pool_.Give(&pooled);  // taken for duplicates that were skipped
  if (!status.ok()) {
    // What was not queued is not accepted: release its claims and stop waiting for it.
    std::lock_guard<std::mutex> lock(mu_);
    size_t unqueued = 0;
    for (const auto& item : slice) {
      if (!item) continue;
      ++unqueued;
      if (item->claimed) ids_.erase(item->id);
    }
    for (size_t i = next; i < items.size(); ++i) {
      if (skip[i]) continue;
      ++unqueued;
      if (!items[i].id.empty()) ids_.erase(std::string(items[i].id));
    }
    pool_.Give(&slice);
    if (unqueued > 0) submission.Ack(unqueued, status);
  }
  if (queued > 0) CrashPoint("after_accept");
  const Status accepted = submission.Wait();
  if (!accepted.ok()) {
    ids->clear();  // some items may be accepted; resubmitting with their ids is idempotent
    return accepted;
  }
  return Status::OK();
}

Status PipelineImpl::Queue(std::vector<std::unique_ptr<ItemState>>& slice, bool block,
                           std::vector<std::string>* ids, size_t* queued) {
  // Moves the items of `slice` into the intake as room allows; what could not be queued
  // stays in `slice` (the rest are null).
  std::unique_lock<std::mutex> lock(mu_);
  size_t at = 0;
  while (at < slice.size()) {
    if (in_flight_ >= spec_.max_in_flight && !stopping_) {
      if (!block) {
        return Status::Busy("pipeline '" + name_ + "' is full (" +
                            std::to_string(spec_.max_in_flight) + " items in flight)");
      }
      work_cv_.notify_one();
      space_cv_.wait(lock, [this] { return in_flight_ < spec_.max_in_flight || stopping_; });
    }
    if (stopping_) return Status::Unavailable("pipeline '" + name_ + "' is closed");
    const int64_t now_ms = NowMs(), now_ns = SteadyNs();
    if (intake_.empty()) intake_since_ns_ = now_ns;
    for (; at < slice.size() && in_flight_ < spec_.max_in_flight; ++at, ++in_flight_, ++*queued) {
      ItemState& item = *slice[at];
      if (item.id.empty()) item.id = NextId();
      (*ids)[item.index] = item.id;
      item.submitted_at_ms = now_ms;
      item.accepted_ns = now_ns;
      intake_.push_back(std::move(slice[at]));
    }
    if (intake_.size() >= spec_.batch_max_items) {
      // A whole group goes to the graph from here: the coordinator, busy writing the last
      // commit, would leave the graph's threads waiting for it.
      const std::vector<Group*> groups = CutGroups(/*full_only=*/true);
      lock.unlock();
      for (Group* group : groups) graph_->Put(group);
      lock.lock();
    }
    work_cv_.notify_one();
  }
  return Status::OK();
}

Status PipelineImpl::Submit(std::string_view text, std::string_view id, std::string_view meta,
                            std::string* out_id) {
  const PipelineItem item{id, text, meta};
  std::vector<std::string> ids;
  CF_RETURN_IF_ERROR(Accept({&item, 1}, /*block=*/true, &ids));
  *out_id = std::move(ids.front());
  return Status::OK();
}

Status PipelineImpl::TrySubmit(std::string_view text, std::string_view id, std::string_view meta,
                               std::string* out_id) {
  const PipelineItem item{id, text, meta};
  std::vector<std::string> ids;
  CF_RETURN_IF_ERROR(Accept({&item, 1}, /*block=*/false, &ids));
  *out_id = std::move(ids.front());
  return Status::OK();
}

Status PipelineImpl::SubmitMany(std::span<const PipelineItem> items,
                                std::vector<std::string>* ids) {
  ids->clear();
  ids->reserve(items.size());
  return Accept(items, /*block=*/true, ids);
}

}  // namespace classiflow
