// The SQLite results sink ({"sink": {"sqlite": FILE}}, Pipeline::ExportSqlite): one `results`
// table per file, with the log sequence each pipeline's mirror has reached beside it.
//
//   results(id TEXT PRIMARY KEY, label TEXT, confidence REAL, model TEXT, version INTEGER,
//           sink TEXT, route TEXT, predictions TEXT, fields TEXT, valid TEXT, meta TEXT,
//           text TEXT, attempts INTEGER, submitted_at REAL, done_at REAL, expires_at REAL)
//   classiflow_sink(pipeline TEXT PRIMARY KEY, seq INTEGER)
//
// JSON columns hold JSON text (SQLite's json_extract reads them); times are Unix seconds
// (datetime(done_at, 'unixepoch')). Indexes on label and on done_at. WAL journal mode, so
// readers (pandas, the sqlite3 shell) never block the sink, nor it them; synchronous=NORMAL:
// a commit survives the process's crash, and what a power loss takes back the mirror writes
// again from the pipeline's log, the cursor going back with the rows. A 16 MB page cache keeps
// the index pages that every insert touches in memory.
//
// Any SQLite file may be a sink (a missing one is created), as long as its `results` table, if
// it has one, has these columns, it is not a classiflow engine file, and no other pipeline's
// cursor is in it: the ids of two pipelines could collide in one table.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "classiflow/results_sink.h"

namespace classiflow {

// A ResultsSinkOpener (classiflow/results_sink.h).
Status OpenSqliteResultsSink(const std::string& path, std::string_view pipeline, bool claim,
                             std::unique_ptr<ResultsSink>* out);

}  // namespace classiflow
