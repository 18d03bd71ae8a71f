// The submit path: validation, id claims, backpressure, the intake.
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

bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t n = utf8::Decode(p + i, s.size() - i, &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

Status CheckId(std::string_view id) {
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

Status PipelineImpl::CheckItem(const PipelineItem& item) const {
  if (item.text.empty()) return Status::InvalidArgument("text is empty");
  if (item.text.size() > kMaxItemText) {
    return Status::InvalidArgument("text is larger than " + std::to_string(kMaxItemText) +
                                   " bytes");
  }
  if (!ValidUtf8(item.text)) return Status::InvalidArgument("text is not valid UTF-8");
  if (!item.id.empty()) CF_RETURN_IF_ERROR(CheckId(item.id));
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

Status PipelineImpl::Accept(std::span<const PipelineItem> items, bool block,
                            std::vector<std::string>* ids) {
  for (size_t i = 0; i < items.size(); ++i) {
    Status s = CheckItem(items[i]);
    if (!s.ok()) return items.size() == 1 ? s : s.WithContext("items[" + std::to_string(i) + "]");
  }
  std::shared_lock<std::shared_mutex> use;
  CF_RETURN_IF_ERROR(Use(&use));
  metrics_.submitted.fetch_add(items.size(), std::memory_order_relaxed);
  // Items (and claims of caller ids) are made outside the lock; ids[i] is filled in order.
  std::vector<std::unique_ptr<ItemState>> fresh;
  fresh.reserve(items.size());
  ids->resize(items.size());
  Status status;
  for (size_t i = 0; i < items.size() && status.ok(); ++i) {
    const PipelineItem& in = items[i];
    auto item = std::make_unique<ItemState>();
    if (!in.id.empty()) {
      (*ids)[i].assign(in.id);
      bool duplicate = false;
      status = ClaimId((*ids)[i], &duplicate);
      if (duplicate) {
        metrics_.duplicates.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      item->id.assign(in.id);
      item->claimed = true;
    }
    item->text.assign(in.text);
    item->meta.assign(in.meta);
    item->stage = spec_.entry;
    item->attempts = 1;
    item->index = i;
    fresh.push_back(std::move(item));
  }
  if (!status.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& item : fresh) {
      if (item->claimed) ids_.erase(item->id);
    }
    ids->clear();
    return status;
  }
  Submission submission;
  submission.pending = fresh.size();
  size_t queued = 0;
  {
    std::unique_lock<std::mutex> lock(mu_);
    while (queued < fresh.size()) {
      if (in_flight_ >= spec_.max_in_flight && !stopping_) {
        if (!block) {
          status = Status::Busy("pipeline '" + name_ + "' is full (" +
                                std::to_string(spec_.max_in_flight) + " items in flight)");
          break;
        }
        work_cv_.notify_one();
        space_cv_.wait(lock, [this] { return in_flight_ < spec_.max_in_flight || stopping_; });
      }
      if (stopping_) {
        status = Status::Unavailable("pipeline '" + name_ + "' is closed");
        break;
      }
      const int64_t now_ms = NowMs(), now_ns = SteadyNs();
      if (intake_.empty()) intake_since_ns_ = now_ns;
      for (; queued < fresh.size() && in_flight_ < spec_.max_in_flight; ++queued, ++in_flight_) {
        ItemState& item = *fresh[queued];
        if (item.id.empty()) item.id = NextId();
        (*ids)[item.index] = item.id;
        item.submitted_at_ms = now_ms;
        item.accepted_ns = now_ns;
        item.submission = &submission;
        intake_.push_back(std::move(fresh[queued]));
      }
      work_cv_.notify_one();
    }
    if (queued < fresh.size()) {
      for (size_t i = queued; i < fresh.size(); ++i) {
        if (fresh[i]->claimed) ids_.erase(fresh[i]->id);
      }
    }
  }
  if (queued < fresh.size()) submission.Ack(fresh.size() - queued, status);
  if (queued > 0) CrashPoint("after_accept");
  const Status accepted = submission.Wait();
  if (!accepted.ok()) {
    ids->clear();  // some items may be accepted; resubmitting with their ids is idempotent
    return accepted;
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
