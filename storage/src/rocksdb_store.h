// RocksDBStore: a Store in a RocksDB data directory, one column family per key space, named by
// kKeySpaces (store.h). A directory written by an older classiflow lacks the newer families: a
// writer creates them; a reader sees a missing family as an empty space until a writer has
// created it (CatchUp then reopens the reader to follow it).
//
// The directory's identity and exclusivity are DataDir's (data_dir.h): a writer holds it
// against every other writer, any spelling, any process. A reader (read_only) is a RocksDB
// secondary instance: it never blocks the writer and follows it through CatchUp().
//
// RocksDB is opened so that nothing is silently rolled back: the WAL may end in a torn record
// (a crash mid-write), but damage anywhere before its tail is Corruption naming the file. An
// explicit recovery open (recover) keeps the last consistent point instead. RocksDB's info log
// goes to a MemoryLogger, never to a file on the data disk.
//
// Thread-safety: every call may come from any thread. Calls share mu_; replacing the database
// (a reopen after a failed write, a reader following new families, Close) takes it exclusively.
// Scan visitors run without it (store.h).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "classiflow/store.h"
#include "data_dir.h"
#include "scan_chunks.h"

namespace rocksdb {
class Cache;
class DB;
class ColumnFamilyHandle;
struct ColumnFamilyDescriptor;
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

  using Store::Scan;  // the prefix-only convenience

  using Store::Write;  // and WriteUnlogged: the list-of-writes conveniences
  using Store::WriteUnlogged;
  Status Write(const StoreBatch& batch, bool sync) override;
  Status WriteUnlogged(const StoreBatch& batch) override;
  Status Get(KeySpace space, std::string_view key, std::string* value) override;
  Status Scan(KeySpace space, const ScanRange& range, const ScanVisitor& visit) override;
  Status SeekKey(KeySpace space, std::string_view from, std::string* key) override;
  std::string Describe() const override;
  // A writer syncs its log first; the status is the sync's or RocksDB's close's, whichever
  // failed first. The directory is released either way.
  Status Close() override;
  bool read_only() const override { return kind_ != Kind::kWriter; }
  Status CatchUp(bool* changed) override;
  uint64_t generation() const override { return generation_.load(); }

 private:
  enum class Kind { kWriter, kFollower, kView };
  RocksDBStore(Kind kind, std::unique_ptr<DataDir> dir, const RocksDBStoreOptions& options);
  static Status Make(std::unique_ptr<DataDir> dir, Kind kind, const RocksDBStoreOptions& options,
                     std::unique_ptr<RocksDBStore>* out);
  // Opens / closes db_ and the family handles. REQUIRES: mu_ held exclusively (or no other
  // thread has the store).
  Status OpenRocks();
  Status OpenDB(std::vector<rocksdb::ColumnFamilyDescriptor>* descriptors, rocksdb::DB** db);
  Status CloseRocks();
  // Takes mu_ shared; *status fails when the store is closed or a failed reopen left no
  // database (a writer tries to reopen it first).
  std::shared_lock<std::shared_mutex> ReadLock(Status* status);
  // The space's family; null when this (reader's) directory does not have it yet.
  // InvalidArgument for a value outside KeySpace. REQUIRES: mu_ held.
  Status Family(KeySpace space, rocksdb::ColumnFamilyHandle** family) const;
  // Copies one chunk of a scan. Takes mu_ shared.
  Status ReadChunk(KeySpace space, const ChunkRequest& request, ScanChunk* chunk);
  // OK when the database takes writes; *reopened when it had to be reopened for that.
  Status ResumeAfterFailedWrite(bool* reopened);
  // Write() and WriteUnlogged(): `sync` fsyncs, `logged` = false skips the write-ahead log.
  Status WriteBatchOf(const StoreBatch& batch, bool sync, bool logged);
  // A writer whose reopen after a failed write failed: tries once more. Takes mu_ exclusively.
  Status ReopenLostDatabase();
  // Opens db_ after a failed write and counts the generation. REQUIRES: mu_ held exclusively.
  Status Reopen();
  // A follower: true when the writer has created families this store has not opened.
  // REQUIRES: follow_mu_ held.
  bool NewFamiliesAppeared();
  // A follower: reopens the secondary instance (new families, or a failed earlier reopen).
  Status ReopenFollower();

  const Kind kind_;
  const RocksDBStoreOptions options_;
  const std::string path_;        // the directory's canonical path, for messages after Close
  std::unique_ptr<DataDir> dir_;  // null once closed
  std::shared_ptr<MemoryLogger> logger_;
  // Shared by every call that uses db_; exclusive to replace it or to close it.
  mutable std::shared_mutex mu_;
  std::shared_ptr<rocksdb::Cache> block_cache_;        // before db_: outlives it
  std::unique_ptr<rocksdb::DB> db_;                    // null after a reopen failed, or closed
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // every family opened, default included
  std::array<rocksdb::ColumnFamilyHandle*, kKeySpaceCount> families_{};  // by KeySpaceIndex
  std::atomic<bool> closed_{false};  // set under mu_ held exclusively
  std::string secondary_path_;       // a follower's scratch directory (outside the data directory)
  std::atomic<bool> write_failed_{false};
  std::atomic<bool> missing_families_{false};  // some kKeySpaces family is not open
  std::atomic<uint64_t> generation_{0};        // reopens after a failed write
  // CatchUp() state, guarded by follow_mu_.
  std::mutex follow_mu_;
  uint64_t seen_sequence_ = 0;  // the sequence number last reported
  std::string writer_current_;  // the CURRENT file when families were last listed
  std::chrono::steady_clock::time_point families_listed_;
};

}  // namespace classiflow
