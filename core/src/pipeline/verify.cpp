#include "classiflow/verify.h"

#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "pipeline/analytics/replay.h"
#include "pipeline/records.h"
#include "pipeline/spec.h"

namespace classiflow {
namespace {

enum class Place : uint8_t { kResult, kDead, kQueue };
const char* PlaceName(Place p) {
  return p == Place::kResult ? "result" : p == Place::kDead ? "dead letter" : "queue";
}

class Verifier {
 public:
  Verifier(Store& store, std::string_view name, const PipelineSpec& spec, VerifyReport* report)
      : store_(store), name_(name), prefix_(ItemKey(name, "")), spec_(spec), report_(report) {}

  Status Run(const VerifyOptions& options);

 private:
  void Problem(std::string text) { report_->problems.push_back(std::move(text)); }
  void Place(std::string_view id, classiflow::Place place);
  Status ScanResults();
  Status ScanDeadLetters();
  Status ScanQueue();
  Status ScanLog();
  void CheckRoute(const std::string& id, const ItemState& item);
  uint16_t Expected(const StageSpec& stage, uint16_t index, const ItemState& item) const;
  void CheckFailures(const std::string& id, const ItemState& item, bool dead);
  Status CheckAnalytics();

  Store& store_;
  const std::string name_;
  const std::string prefix_;
  const PipelineSpec& spec_;
  VerifyReport* report_;
  std::unordered_map<std::string, classiflow::Place> places_;
  std::unordered_set<std::string> logged_;
};

void Verifier::Place(std::string_view id, classiflow::Place place) {
  auto [it, inserted] = places_.emplace(std::string(id), place);
  if (!inserted) {
    Problem("id '" + std::string(id) + "' is in two places: " + PlaceName(it->second) + " and " +
            PlaceName(place));
  }
}

Status Verifier::ScanResults() {
  return store_.Scan(KeySpace::kResults, prefix_, [&](std::string_view key, std::string_view v) {
    const std::string id(IdOfKey(name_, key));
    ++report_->results;
    Place(id, Place::kResult);
    PipelineResult result;
    if (Status s = DecodeResult(id, v, spec_, &result); !s.ok()) {
      Problem("result '" + id + "': " + s.ToString());
      return Status::OK();
    }
    // The checks follow stage indices; DecodeResult checked that every name is in the spec.
    ItemState item;
    for (const std::string& stage : result.route) item.route.push_back(spec_.Find(stage));
    for (const StagePrediction& p : result.predictions) {
      item.predictions.push_back({spec_.Find(p.stage), p.label, p.confidence, p.version});
    }
    item.valid = result.valid;
    item.meta = result.meta;
    item.max_attempts_used = result.attempts;
    CheckRoute(id, item);
    CheckFailures(id, item, false);
    return Status::OK();
  });
}

Status Verifier::ScanDeadLetters() {
  return store_.Scan(
      KeySpace::kDeadLetters, prefix_, [&](std::string_view key, std::string_view v) {
        const std::string id(IdOfKey(name_, key));
        ++report_->dead_letters;
        Place(id, Place::kDead);
        ItemState item;
        int64_t failed = 0;
        if (Status s = DecodeDeadLetter(id, v, &item, &failed); !s.ok()) {
          Problem("dead letter '" + id + "': " + s.ToString());
          return Status::OK();
        }
        if (item.attempts != spec_.max_attempts) {
          Problem("dead letter '" + id + "' used " + std::to_string(item.attempts) +
                  " attempts, not max_attempts " + std::to_string(spec_.max_attempts));
        }
        CheckFailures(id, item, true);
        return Status::OK();
      });
}

Status Verifier::ScanQueue() {
  return store_.Scan(KeySpace::kQueue, prefix_, [&](std::string_view key, std::string_view v) {
    const std::string id(IdOfKey(name_, key));
    ++report_->queued;
    Place(id, Place::kQueue);
    ItemState item;
    QueueState state;
    if (Status s = DecodeQueueRecord(id, v, &item, &state); !s.ok()) {
      Problem("queue record '" + id + "': " + s.ToString());
    } else if (item.stage >= spec_.stages.size()) {
      Problem("queue record '" + id + "' names stage " + std::to_string(item.stage));
    }
    return Status::OK();
  });
}

Status Verifier::ScanLog() {
  return store_.Scan(KeySpace::kPipelineLog, prefix_, [&](std::string_view, std::string_view v) {
    int64_t done = 0;
    std::vector<LogEntry> entries;
    if (Status s = DecodeLogRecord(v, &done, &entries); !s.ok()) {
      Problem("log record: " + s.ToString());
      return Status::OK();
    }
    for (const LogEntry& e : entries) {
      if (e.kind == LogEntryKind::kResult || e.kind == LogEntryKind::kDeadLetter) {
        logged_.emplace(e.id);
      }
    }
    return Status::OK();
  });
}

uint16_t Verifier::Expected(const StageSpec& stage, uint16_t index, const ItemState& item) const {
  switch (stage.kind) {
    case StageKind::kClassify:
      for (const ItemPrediction& p : item.predictions) {
        if (p.stage != index) continue;
        if (p.label.empty() && stage.classify.fallback != kNoStage) return stage.classify.fallback;
        for (const auto& [label, next] : stage.classify.routes) {
          if (label == p.label) return next;
        }
        return stage.classify.other;
      }
      return kNoStage;  // no prediction recorded for a classify stage on the route
    case StageKind::kValidate: {
      bool any = false, all = true;
      for (const auto& check : stage.validate.checks) {
        for (const auto& [field, ok] : item.valid) {
          if (field == check.field) any = true, all = all && ok;
        }
      }
      return !any  ? stage.validate.on_absent
             : all ? stage.validate.on_valid
                   : stage.validate.on_invalid;
    }
    default:
      return stage.next;
  }
}

void Verifier::CheckRoute(const std::string& id, const ItemState& item) {
  uint16_t expected = spec_.entry;
  for (size_t i = 0; i < item.route.size(); ++i) {
    if (item.route[i] != expected) {
      Problem("result '" + id + "': route step " + std::to_string(i) + " is '" +
              (item.route[i] < spec_.stages.size() ? spec_.stages[item.route[i]].name : "?") +
              "' where the predictions lead to '" +
              (expected < spec_.stages.size() ? spec_.stages[expected].name : "?") + "'");
      return;
    }
    const StageSpec& stage = spec_.stages[expected];
    if (stage.kind == StageKind::kSink) {
      if (i + 1 != item.route.size()) Problem("result '" + id + "': route goes on past a sink");
      return;
    }
    expected = Expected(stage, expected, item);
  }
  Problem("result '" + id + "': route does not end at a sink");
}

void Verifier::CheckFailures(const std::string& id, const ItemState& item, bool dead) {
  if (item.meta.empty()) return;
  const auto meta = nlohmann::json::parse(item.meta, nullptr, false);
  if (!meta.is_object() || !meta.contains("expect_failures")) return;
  const auto& n = meta["expect_failures"];
  if (!n.is_number_unsigned()) return;
  const uint64_t failures = n.get<uint64_t>();
  if (failures >= spec_.max_attempts && !dead) {
    Problem("'" + id + "' has a result although it fails " + std::to_string(failures) +
            " times and max_attempts is " + std::to_string(spec_.max_attempts));
  } else if (!dead && item.max_attempts_used < failures + 1) {
    Problem("result '" + id + "' took " + std::to_string(item.max_attempts_used) +
            " attempts; its callback fails the first " + std::to_string(failures));
  }
}

Status Verifier::CheckAnalytics() {
  // 7. The stored aggregates are those a replay of the stored log and results gives.
  AnalyticsRecords stored_records;
  CF_RETURN_IF_ERROR(ReadAnalyticsRecords(store_, name_, &stored_records));
  if (stored_records.count("c") == 0) return Status::OK();  // nothing committed since
  Aggregates stored(spec_);
  if (Status s = stored.Load(stored_records); !s.ok()) {
    Problem("analytics: " + s.ToString());
    return Status::OK();
  }
  AnalyticsReplay replay(store_, name_, spec_, stored.base_seq());
  if (Status s = replay.Run(UINT64_MAX); !s.ok()) {
    Problem("analytics recount: " + s.ToString());
    return Status::OK();
  }
  report_->analytics_checked = true;
  const AnalyticsRecords want = replay.aggregates().AllRecords(), have = stored.AllRecords();
  if (want == have) return Status::OK();
  const nlohmann::json a = stored.ToJson(), b = replay.aggregates().ToJson();
  for (const auto& item : b.items()) {
    if (!a.contains(item.key()) || a[item.key()] != item.value()) {
      Problem("analytics '" + item.key() + "' differ from a recount of the stored results: " +
              (a.contains(item.key()) ? a[item.key()].dump() : "absent").substr(0, 400) +
              " stored, " + item.value().dump().substr(0, 400) + " recounted");
    }
  }
  if (report_->problems.empty()) Problem("analytics records differ from a recount (same JSON)");
  return Status::OK();
}

Status Verifier::Run(const VerifyOptions& options) {
  if (spec_.analytics.enabled) CF_RETURN_IF_ERROR(CheckAnalytics());
  CF_RETURN_IF_ERROR(ScanResults());
  CF_RETURN_IF_ERROR(ScanDeadLetters());
  CF_RETURN_IF_ERROR(ScanQueue());
  CF_RETURN_IF_ERROR(ScanLog());
  for (const auto& [id, place] : places_) {
    if (place != Place::kQueue && logged_.count(id) == 0) {
      Problem(std::string(PlaceName(place)) + " '" + id + "' is in no log record");
    }
  }
  for (const std::string& id : options.accepted) {
    ++report_->accepted_checked;
    auto it = places_.find(id);
    if (it == places_.end()) {
      Problem("accepted id '" + id + "' is nowhere: lost");
    } else if (options.expect_idle && it->second == Place::kQueue) {
      Problem("accepted id '" + id + "' still waits in the queue after a flush");
    }
  }
  if (options.expect_idle && report_->queued > 0) {
    Problem(std::to_string(report_->queued) + " items wait in the queue after a flush");
  }
  return Status::OK();
}

}  // namespace

std::string VerifyReport::ToString() const {
  std::string out = (ok() ? "OK: " : "FAILED: ") + std::to_string(results) + " results, " +
                    std::to_string(dead_letters) + " dead letters, " + std::to_string(queued) +
                    " queued, " + std::to_string(accepted_checked) + " accepted ids checked, " +
                    (analytics_checked ? "analytics recounted, " : "") +
                    std::to_string(problems.size()) + " problems\n";
  for (size_t i = 0; i < problems.size() && i < 50; ++i) out += "  " + problems[i] + "\n";
  return out;
}

Status VerifyPipeline(Store& store, std::string_view pipeline, const VerifyOptions& options,
                      VerifyReport* report) {
  *report = VerifyReport();
  std::string spec_json;
  Status s = store.Get(KeySpace::kPipelines, pipeline, &spec_json);
  if (s.code() == Status::Code::kNotFound) {
    return Status::NotFound(store.Describe() + " has no pipeline '" + std::string(pipeline) + "'");
  }
  CF_RETURN_IF_ERROR(s);
  PipelineSpec spec;
  s = ParseSpec(spec_json, nullptr, &spec);
  if (!s.ok()) return Status::Corruption("stored spec: " + s.message());
  return Verifier(store, pipeline, spec, report).Run(options);
}

}  // namespace classiflow
