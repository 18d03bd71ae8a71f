// VerifyPipeline: checks a pipeline's stored state against the guarantees of pipeline.h.
//
// Usable on any data directory (the `classiflow_verify` program wraps it); the crash tests
// run it after every kill. It reads only: open the store for reading (or after the writer
// ended).
//
// Checks:
// 1. every record decodes and names stages the spec has;
// 2. every id is in at most one place: a result, a dead letter, or the queue (waiting);
// 3. every id the caller saw accepted (VerifyOptions::accepted) is in one of them, and in a
//    result or a dead letter when `expect_idle` (after a flush);
// 4. every result's route is the one its recorded predictions and verdicts imply, from the
//    entry to a sink;
// 5. every result and dead letter is named by a log record (written in the same batch);
// 6. every dead letter used max_attempts attempts; an item whose meta holds
//    {"expect_failures": n} (the tests' convention for injected failures) has a result only
//    if n < max_attempts, after at least n + 1 attempts, and is a dead letter otherwise;
// 7. the stored analytics equal a recount: a replay of the stored log and results since the
//    analytics' last reset (pipelines with analytics on, once a commit wrote them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/export.h"
#include "classiflow/status.h"
#include "classiflow/store.h"

namespace classiflow {

struct VerifyOptions {
  std::vector<std::string> accepted;  // ids acknowledged to callers
  bool expect_idle = false;           // nothing may wait in the queue
};

struct VerifyReport {
  uint64_t results = 0;
  uint64_t dead_letters = 0;
  uint64_t queued = 0;
  uint64_t accepted_checked = 0;
  bool analytics_checked = false;     // check 7 ran
  std::vector<std::string> problems;  // empty: every check held
  bool ok() const { return problems.empty(); }
  // A summary line, then one line per problem (at most 50).
  std::string ToString() const;
};

// NotFound when `store` has no pipeline `pipeline`; Corruption when its spec does not parse.
// Problems with the items are reported in *report, not as a Status.
CLASSIFLOW_EXPORT Status VerifyPipeline(Store& store, std::string_view pipeline,
                                        const VerifyOptions& options, VerifyReport* report);

}  // namespace classiflow
