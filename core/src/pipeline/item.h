// ItemState: one item on its way through a pipeline, in memory.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace classiflow {

struct Submission;

// A classify stage's answer, as kept in flight and in records (names resolved through the spec).
struct ItemPrediction {
  uint16_t stage = 0;
  std::string label;  // "" below min_confidence
  double confidence = 0.0;
  uint64_t version = 0;
  // The label's index in the answering snapshot, when this process classified the item: a
  // hint that lets analytics find the label without hashing it (a stored result has none).
  uint32_t label_hint = UINT32_MAX;
};

struct ItemField {
  std::string name;
  std::string json;
};

// Where an item stands after a stage ran.
enum class Outcome : uint8_t {
  kRunning,  // between stages
  kDone,     // reached a sink: write its result
  kPark,     // waits at a callback stage: write a queue record (attempt begun), then run it
  kWait,     // waits for a retry (due_ms) or for a callback to be registered
  kDead,     // out of attempts: write a dead letter
};

struct ItemState {
  std::string id;
  std::string text;
  std::string meta;
  int64_t submitted_at_ms = 0;
  uint16_t stage = 0;     // the stage to run next (or that failed / waits)
  uint32_t attempts = 0;  // attempts begun at `stage`
  uint32_t max_attempts_used = 1;
  int64_t due_ms = 0;  // kWait: when the next attempt is due (0 = as soon as possible)
  std::vector<uint16_t> route;
  std::vector<ItemPrediction> predictions;
  std::vector<ItemField> fields;
  std::vector<std::pair<std::string, bool>> valid;
  std::string error;  // the last failure
  Outcome outcome = Outcome::kRunning;
  int64_t stage_started_ns = 0;      // for the stage latency histogram
  int64_t accepted_ns = 0;           // steady clock, for the end-to-end latency
  Submission* submission = nullptr;  // new items: who waits for the acceptance
  size_t index = 0;                  // new items: position in the submitted batch
  bool claimed = false;              // a caller-chosen id, held in the in-flight set
  bool stored = false;               // a queue record exists for this item

  // Back to a fresh item, keeping the capacity of its strings and vectors for the next one
  // (ItemPool); strings of more than `max_kept` bytes are freed. Everything else comes from a
  // default-constructed item, so a new member needs no line here.
  void Reset(size_t max_kept) {
    ItemState fresh;
    const auto keep = [max_kept](auto& buffer, auto& into) {
      if constexpr (std::is_same_v<std::decay_t<decltype(buffer)>, std::string>) {
        if (buffer.capacity() > max_kept) return;
      }
      buffer.clear();
      into.swap(buffer);
    };
    keep(id, fresh.id);
    keep(text, fresh.text);
    keep(meta, fresh.meta);
    keep(error, fresh.error);
    keep(route, fresh.route);
    keep(predictions, fresh.predictions);
    keep(fields, fresh.fields);
    keep(valid, fresh.valid);
    *this = std::move(fresh);
  }

  // Sets `name` to `json`, replacing an earlier value.
  void SetField(std::string_view name, std::string json) {
    for (ItemField& f : fields) {
      if (f.name == name) {
        f.json = std::move(json);
        return;
      }
    }
    fields.push_back({std::string(name), std::move(json)});
  }
};

}  // namespace classiflow
