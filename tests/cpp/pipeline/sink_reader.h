// Reads a results sink's SQLite file the way a user's program would: through sqlite3 directly,
// read-only, beside the writer.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace classiflow::testing {

class SinkReader {
 public:
  explicit SinkReader(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      sqlite3_close_v2(db_);
      db_ = nullptr;
    }
  }
  ~SinkReader() { sqlite3_close_v2(db_); }
  SinkReader(const SinkReader&) = delete;
  SinkReader& operator=(const SinkReader&) = delete;

  bool ok() const { return db_ != nullptr; }

  // Every row of `sql`, each column as text ("NULL" for NULL).
  std::vector<std::vector<std::string>> Rows(const std::string& sql) const {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      rows.push_back({"error: " + std::string(sqlite3_errmsg(db_))});
      return rows;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const unsigned char* text = sqlite3_column_text(st, c);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return rows;
  }
  // The first column of the first row of `sql`, as an integer (-1 when there is none).
  int64_t Int(const std::string& sql) const {
    auto rows = Rows(sql);
    return rows.empty() || rows[0].empty() || rows[0][0].starts_with("error")
               ? -1
               : std::stoll(rows[0][0]);
  }
  // id -> label ("NULL" when none).
  std::map<std::string, std::string> Labels() const {
    std::map<std::string, std::string> out;
    for (auto& row : Rows("SELECT id, label FROM results")) {
      if (row.size() == 2) out[row[0]] = row[1];
    }
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace classiflow::testing
