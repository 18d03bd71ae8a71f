#include "pipeline/spec_graph.h"

#include <algorithm>

#include "util/json_options.h"

namespace classiflow {
namespace {

Status GraphError(const StageSpec& stage, std::string_view message) {
  return Status::InvalidArgument("pipeline spec: stage " + QuotePrefix(stage.name) + ": " +
                                 std::string(message));
}

// A stage that is not a sink must say where every item goes.
Status CheckWayForward(StageSpec& stage) {
  switch (stage.kind) {
    case StageKind::kClassify:
      if (stage.classify.other == kNoStage) {
        return GraphError(stage, "routes: needs \"*\" or next for labels without a route");
      }
      return Status::OK();
    case StageKind::kValidate:
      for (uint16_t* slot :
           {&stage.validate.on_valid, &stage.validate.on_invalid, &stage.validate.on_absent}) {
        if (*slot == kNoStage) *slot = stage.next;
        if (*slot == kNoStage)
          return GraphError(stage, "next: missing (or on_valid/invalid/absent)");
      }
      return Status::OK();
    case StageKind::kExtract:
    case StageKind::kEnrich:
      if (stage.next == kNoStage) return GraphError(stage, "next: missing");
      return Status::OK();
    case StageKind::kSink:
      return Status::OK();
  }
  return Status::OK();
}

// Depth-first search colouring: 0 new, 1 on the current path, 2 done.
Status FindCycle(const PipelineSpec& spec, uint16_t at, std::vector<uint8_t>* colour) {
  (*colour)[at] = 1;
  for (uint16_t next : spec.stages[at].Successors()) {
    if ((*colour)[next] == 1) {
      return GraphError(spec.stages[next], "is part of a cycle (reached again from stage " +
                                               QuotePrefix(spec.stages[at].name) + ")");
    }
    if ((*colour)[next] == 0) CF_RETURN_IF_ERROR(FindCycle(spec, next, colour));
  }
  (*colour)[at] = 2;
  return Status::OK();
}

}  // namespace

std::vector<uint16_t> StageSpec::Successors() const {
  std::vector<uint16_t> out;
  auto add = [&out](uint16_t s) {
    if (s != kNoStage && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  };
  add(next);
  if (kind == StageKind::kClassify) {
    for (const auto& route : classify.routes) add(route.second);
    add(classify.other);
    add(classify.fallback);
  } else if (kind == StageKind::kValidate) {
    add(validate.on_valid);
    add(validate.on_invalid);
    add(validate.on_absent);
  }
  return out;
}

uint16_t PipelineSpec::Find(std::string_view name) const {
  for (size_t i = 0; i < stages.size(); ++i) {
    if (stages[i].name == name) return static_cast<uint16_t>(i);
  }
  return kNoStage;
}

bool PipelineSpec::uses_enrich(std::string_view callback) const {
  return std::any_of(stages.begin(), stages.end(), [&](const StageSpec& s) {
    return s.kind == StageKind::kEnrich && s.callback == callback;
  });
}

bool PipelineSpec::uses_validator(std::string_view callback) const {
  return std::any_of(stages.begin(), stages.end(), [&](const StageSpec& s) {
    return std::any_of(s.validate.checks.begin(), s.validate.checks.end(),
                       [&](const auto& check) { return check.callback == callback; });
  });
}

const char* StageKindName(StageKind kind) {
  switch (kind) {
    case StageKind::kClassify:
      return "classify";
    case StageKind::kExtract:
      return "extract";
    case StageKind::kValidate:
      return "validate";
    case StageKind::kEnrich:
      return "enrich";
    case StageKind::kSink:
      return "sink";
  }
  return "?";
}

Status CheckGraph(PipelineSpec& spec) {
  for (StageSpec& stage : spec.stages) CF_RETURN_IF_ERROR(CheckWayForward(stage));
  for (const StageSpec& stage : spec.stages) {
    for (const auto& check : stage.validate.checks) {
      if (!check.callback.empty() && spec.uses_enrich(check.callback)) {
        return GraphError(stage, "validate: callback " + QuotePrefix(check.callback) +
                                     " is also an enrich callback");
      }
    }
  }
  std::vector<uint8_t> colour(spec.stages.size(), 0);
  for (size_t i = 0; i < spec.stages.size(); ++i) {
    if (colour[i] == 0) CF_RETURN_IF_ERROR(FindCycle(spec, static_cast<uint16_t>(i), &colour));
  }
  std::vector<bool> reached(spec.stages.size(), false);
  std::vector<uint16_t> todo{spec.entry};
  reached[spec.entry] = true;
  while (!todo.empty()) {
    const uint16_t at = todo.back();
    todo.pop_back();
    for (uint16_t next : spec.stages[at].Successors()) {
      if (!reached[next]) reached[next] = true, todo.push_back(next);
    }
  }
  for (size_t i = 0; i < spec.stages.size(); ++i) {
    if (!reached[i]) {
      return GraphError(spec.stages[i], "is unreachable from the entry stage " +
                                            QuotePrefix(spec.stages[spec.entry].name));
    }
  }
  return Status::OK();
}

Status CheckPipelineName(std::string_view name) {
  if (name.empty() || name.size() > 128) {
    return Status::InvalidArgument("pipeline name must be 1..128 bytes");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) {
      return Status::InvalidArgument("pipeline name " + QuotePrefix(name) +
                                     " may hold only letters, digits, '_', '-' and '.'");
    }
  }
  return Status::OK();
}

}  // namespace classiflow
