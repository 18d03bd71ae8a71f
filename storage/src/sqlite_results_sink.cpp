#include "sqlite_results_sink.h"

#include <sqlite3.h>

#include <vector>

#include "sqlite_db.h"

namespace classiflow {
namespace {

constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kColumns[] = {
    "id",     "label", "confidence", "model", "version",  "sink",         "route",   "predictions",
    "fields", "valid", "meta",       "text",  "attempts", "submitted_at", "done_at", "expires_at"};

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS results(
  id TEXT PRIMARY KEY NOT NULL,
  label TEXT,
  confidence REAL,
  model TEXT,
  version INTEGER,
  sink TEXT NOT NULL,
  route TEXT NOT NULL,
  predictions TEXT NOT NULL,
  fields TEXT NOT NULL,
  valid TEXT NOT NULL,
  meta TEXT,
  text TEXT,
  attempts INTEGER NOT NULL,
  submitted_at REAL NOT NULL,
  done_at REAL NOT NULL,
  expires_at REAL);
CREATE INDEX IF NOT EXISTS results_label ON results(label);
CREATE INDEX IF NOT EXISTS results_done_at ON results(done_at);
CREATE TABLE IF NOT EXISTS classiflow_sink(
  pipeline TEXT PRIMARY KEY NOT NULL,
  seq INTEGER NOT NULL);
)sql";

// Rows go in 32 per statement: one statement's start-up (its cursors on the table and the three
// indexes) is then paid once per 32 rows. 32 x 16 parameters stay under SQLite's limit.
constexpr int kColumnCount = 16;
constexpr size_t kRowsPerStatement = 32;

std::string UpsertSql(size_t rows) {
  std::string sql = "INSERT OR REPLACE INTO results(";
  for (int c = 0; c < kColumnCount; ++c) sql.append(c ? ", " : "").append(kColumns[c]);
  sql += ") VALUES";
  for (size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : " (";
    for (int c = 0; c < kColumnCount; ++c) sql += c ? ", ?" : "?";
    sql += ")";
  }
  return sql;
}

double Seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

class SqliteResultsSink final : public ResultsSink {
 public:
  SqliteResultsSink(std::unique_ptr<sqlite::Database> db, std::string pipeline)
      : db_(std::move(db)), pipeline_(std::move(pipeline)) {}

  Status Prepare() {
    CF_RETURN_IF_ERROR(db_->Prepare(UpsertSql(1), &upsert_one_));
    CF_RETURN_IF_ERROR(db_->Prepare(UpsertSql(kRowsPerStatement), &upsert_many_));
    CF_RETURN_IF_ERROR(
        db_->Prepare("UPDATE classiflow_sink SET seq = ?1 WHERE pipeline = ?2", &set_cursor_));
    return db_->Prepare("SELECT seq FROM classiflow_sink WHERE pipeline = ?1", &get_cursor_);
  }

  Status Cursor(uint64_t* seq) override {
    *seq = 0;
    sqlite::Query q(get_cursor_);
    bool row = false;
    CF_RETURN_IF_ERROR(q.Text(1, pipeline_).Step("reading the sink's cursor in", &row));
    if (row) *seq = static_cast<uint64_t>(q.Int64(0));
    return Status::OK();
  }

  Status Write(std::span<const ResultRow> rows, uint64_t seq) override {
    CF_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE", "writing results to"));
    Status s = WriteRows(rows, seq);
    if (s.ok()) s = db_->Exec("COMMIT", "writing results to");
    if (!s.ok() && !db_->autocommit()) (void)db_->Exec("ROLLBACK", "rolling back");
    return s;
  }

  std::string Describe() const override { return "sqlite:" + db_->path(); }

 private:
  Status WriteRows(std::span<const ResultRow> rows, uint64_t seq) {
    size_t at = 0;
    for (; rows.size() - at >= kRowsPerStatement; at += kRowsPerStatement) {
      sqlite::Query q(upsert_many_);
      for (size_t r = 0; r < kRowsPerStatement; ++r) {
        Bind(rows[at + r], static_cast<int>(r) * kColumnCount, &q);
      }
      CF_RETURN_IF_ERROR(q.Run("writing results to"));
    }
    for (; at < rows.size(); ++at) {
      sqlite::Query q(upsert_one_);
      Bind(rows[at], 0, &q);
      CF_RETURN_IF_ERROR(q.Run("writing results to"));
    }
    if (seq == 0) return Status::OK();
    sqlite::Query q(set_cursor_);
    return q.Int(1, static_cast<int64_t>(seq)).Text(2, pipeline_).Run("writing results to");
  }

  // Binds row `r` to parameters base+1 .. base+16, in kColumns' order.
  static void Bind(const ResultRow& r, int base, sqlite::Query* q) {
    const auto text_or_null = [&](int column, bool present, std::string_view text) {
      if (present) {
        q->Text(base + column, text);
      } else {
        q->Null(base + column);
      }
    };
    q->Text(base + 1, r.id);
    text_or_null(2, r.has_label, r.label);
    if (r.has_prediction) {
      q->Real(base + 3, r.confidence).Text(base + 4, r.model);
      q->Int(base + 5, static_cast<int64_t>(r.version));
    } else {
      q->Null(base + 3).Null(base + 4).Null(base + 5);
    }
    q->Text(base + 6, r.sink).Text(base + 7, r.route_json).Text(base + 8, r.predictions_json);
    q->Text(base + 9, r.fields_json).Text(base + 10, r.valid_json);
    text_or_null(11, !r.meta_json.empty(), r.meta_json);
    text_or_null(12, !r.text.empty(), r.text);
    q->Int(base + 13, r.attempts).Real(base + 14, Seconds(r.submitted_at_ms));
    q->Real(base + 15, Seconds(r.done_at_ms));
    if (r.expires_at_ms == 0) {
      q->Null(base + 16);
    } else {
      q->Real(base + 16, Seconds(r.expires_at_ms));
    }
  }

  std::unique_ptr<sqlite::Database> db_;
  const std::string pipeline_;
  sqlite::Statement upsert_one_, upsert_many_, set_cursor_, get_cursor_;
};

// True when `table` exists in the file.
Status HasTable(sqlite::Database& db, std::string_view table, bool* has) {
  sqlite::Statement st;
  CF_RETURN_IF_ERROR(
      db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", &st));
  sqlite::Query q(st);
  return q.Text(1, table).Step("reading", has);
}

// The columns of `results`, in order.
Status ResultsColumns(sqlite::Database& db, std::vector<std::string>* out) {
  sqlite::Statement st;
  CF_RETURN_IF_ERROR(db.Prepare("SELECT name FROM pragma_table_info('results')", &st));
  sqlite::Query q(st);
  for (bool row = true;;) {
    CF_RETURN_IF_ERROR(q.Step("reading", &row));
    if (!row) break;
    out->emplace_back(q.Bytes(0));
  }
  return Status::OK();
}

Status CheckFile(sqlite::Database& db, std::string_view pipeline, const std::string& path) {
  bool engine_file = false;
  CF_RETURN_IF_ERROR(HasTable(db, "classiflow_meta", &engine_file));
  if (engine_file) {
    return Status::InvalidArgument("'" + path +
                                   "' is a classiflow engine file (sqlite:FILE); a sink needs a "
                                   "file of its own");
  }
  std::vector<std::string> columns;
  CF_RETURN_IF_ERROR(ResultsColumns(db, &columns));
  if (!columns.empty() &&
      !std::equal(columns.begin(), columns.end(), std::begin(kColumns), std::end(kColumns))) {
    std::string names;
    for (const std::string& c : columns) names += (names.empty() ? "" : ", ") + c;
    return Status::InvalidArgument("'" + path +
                                   "' has a results table that is not a classiflow sink's "
                                   "(its columns: " +
                                   names + ")");
  }
  sqlite::Statement st;
  bool has_cursors = false;
  CF_RETURN_IF_ERROR(HasTable(db, "classiflow_sink", &has_cursors));
  if (!has_cursors) return Status::OK();
  CF_RETURN_IF_ERROR(
      db.Prepare("SELECT pipeline FROM classiflow_sink WHERE pipeline != ?1 LIMIT 1", &st));
  sqlite::Query q(st);
  bool other = false;
  CF_RETURN_IF_ERROR(q.Text(1, pipeline).Step("reading", &other));
  if (other) {
    return Status::InvalidArgument("'" + path + "' is the sink of pipeline '" +
                                   std::string(q.Bytes(0)) +
                                   "' (one pipeline per sink file: their ids could collide)");
  }
  return Status::OK();
}

Status OpenChecked(const std::string& path, std::string_view pipeline, bool claim,
                   std::unique_ptr<ResultsSink>* out) {
  std::unique_ptr<sqlite::Database> db;
  CF_RETURN_IF_ERROR(
      sqlite::Database::Open(path, sqlite::Database::Mode::kReadWriteCreate, kBusyTimeoutMs, &db));
  CF_RETURN_IF_ERROR(CheckFile(*db, pipeline, path));
  CF_RETURN_IF_ERROR(
      db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384",
               "setting the journal mode of"));
  CF_RETURN_IF_ERROR(db->Exec(kSchema, "creating the results table in"));
  if (claim) {
    sqlite::Statement st;
    CF_RETURN_IF_ERROR(
        db->Prepare("INSERT OR IGNORE INTO classiflow_sink(pipeline, seq) VALUES(?1, 0)", &st));
    sqlite::Query q(st);
    CF_RETURN_IF_ERROR(q.Text(1, pipeline).Run("claiming"));
  }
  auto sink = std::make_unique<SqliteResultsSink>(std::move(db), std::string(pipeline));
  CF_RETURN_IF_ERROR(sink->Prepare());
  *out = std::move(sink);
  return Status::OK();
}

}  // namespace

Status OpenSqliteResultsSink(const std::string& path, std::string_view pipeline, bool claim,
                             std::unique_ptr<ResultsSink>* out) {
  Status s = OpenChecked(path, pipeline, claim, out);
  if (s.code() == Status::Code::kCorruption &&
      s.message().find("SQLITE_NOTADB") != std::string::npos) {
    return Status::InvalidArgument("'" + path + "' is not an SQLite database");
  }
  return s;
}

}  // namespace classiflow
