// RocksDBStore: a Store in a RocksDB data directory, one column family per key space
// ("models", "meta").
//
// The directory's identity and exclusivity are DataDir's (data_dir.h): a writer holds it
// against every other writer, any spelling, any process. A reader (read_only) is a RocksDB
// secondary instance: it never blocks the writer and follows it through CatchUp().
//
// RocksDB is opened so that nothing is silently rolled back: the WAL may end in a torn record
// (a crash mid-write), but damage anywhere before its tail is Corruption naming the file. An
// explicit recovery open (recover) keeps the last consistent point instead. RocksDB's info log
// goes to a MemoryLogger, never to a file on the data disk.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "classiflow/store.h"
#include "data_dir.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
}  // namespace rocksdb

namespace classiflow {

class MemoryLogger;

struct RocksDBStoreOptions {
  // Open as a follower of the directory's writer (a RocksDB secondary instance): Write() is
  // NotSupported, CatchUp() moves the view forward. Default: false.
  bool read_only = false;
  // Recovery open: replay the WAL up to the last consistent point and drop what follows a
  // damaged record (RocksDB's point-in-time recovery). Default: false (damage = Corruption).
  bool recover = false;
  // The Env RocksDB does its I/O through; tests pass a fault-injecting one. Default: the
  // process's default Env.
  rocksdb::Env* env = nullptr;
};

class RocksDBStore final : public Store {
 public:
  // Opens (creating and marking if missing or empty) the directory `path`; see data_dir.h for
  // which directories are refused. Corruption when RocksDB finds damaged files, naming them;
  // IOError when the file system refuses.
  static Status Open(const std::string& path, const RocksDBStoreOptions& options,
                     std::unique_ptr<Store>* out);
  // A recovery open in two steps, holding the directory throughout: first `inspect` sees a
  // read-only view that skips damaged WAL records (what was written before the damage and
  // after it), then the directory is recovered to its last consistent point and opened.
  // `logged_headers` are (model, sealed header record) candidates found in the raw log bytes,
  // past any damage (log_scan.h).
  using Inspect = std::function<void(
      Store& before, const std::vector<std::pair<std::string, std::string>>& logged_headers)>;
  static Status OpenRecovering(const std::string& path, const RocksDBStoreOptions& options,
                               const Inspect& inspect, std::unique_ptr<Store>* out);
  ~RocksDBStore() override;

  Status Write(const std::vector<StoreWrite>& batch, bool sync) override;
  Status Get(KeySpace space, std::string_view key, std::string* value) override;
  Status Scan(KeySpace space, std::string_view prefix,
              const std::function<Status(std::string_view, std::string_view)>& visit) override;
  Status SeekKey(KeySpace space, std::string_view from, std::string* key) override;
  std::string Describe() const override;
  bool read_only() const override { return kind_ != Kind::kWriter; }
  Status CatchUp(bool* changed) override;
  uint64_t generation() const override { return generation_.load(); }

 private:
  enum class Kind { kWriter, kFollower, kView };
  RocksDBStore(Kind kind, std::unique_ptr<DataDir> dir, const RocksDBStoreOptions& options);
  static Status Make(std::unique_ptr<DataDir> dir, Kind kind, const RocksDBStoreOptions& options,
                     std::unique_ptr<RocksDBStore>* out);
  // Opens / closes db_. REQUIRES: mu_ held exclusively (or no other thread has the store).
  Status OpenRocks();
  void CloseRocks();
  // Takes mu_ shared; *status fails when a failed reopen left no database.
  std::shared_lock<std::shared_mutex> ReadLock(Status* status) const;
  rocksdb::ColumnFamilyHandle* Family(KeySpace space) const;
  // OK when the database takes writes; *reopened when it had to be reopened for that.
  Status ResumeAfterFailedWrite(bool* reopened);

  const Kind kind_;
  const RocksDBStoreOptions options_;
  std::unique_ptr<DataDir> dir_;
  std::shared_ptr<MemoryLogger> logger_;
  // Shared by every call that uses db_; exclusive to replace it after a failed write.
  mutable std::shared_mutex mu_;
  std::unique_ptr<rocksdb::DB> db_;                     // null after a reopen failed
  std::vector<rocksdb::ColumnFamilyHandle*> families_;  // default, models, meta
  std::string secondary_path_;  // a follower's scratch directory (outside the data directory)
  std::atomic<bool> write_failed_{false};
  std::atomic<uint64_t> generation_{0};  // reopens after a failed write
  uint64_t seen_sequence_ = 0;           // CatchUp(): the sequence number last reported
};

}  // namespace classiflow
