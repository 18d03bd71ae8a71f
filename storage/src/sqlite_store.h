// SqliteStore: a Store in one SQLite file ("sqlite:FILE"): every key space in one table,
//
//   kv(space INTEGER, key BLOB, value BLOB, PRIMARY KEY(space, key)) WITHOUT ROWID
//
// where space is the KeySpace's index in kKeySpaces. BLOBs compare with memcmp, shorter first
// on a tie: RocksDB's bytewise order, which scans rely on. Which files open, and the one writer
// per file, are sqlite_file.h's.
//
// The file is in WAL journal mode. Write(batch, sync) is one transaction (BEGIN IMMEDIATE ...
// COMMIT): after a crash all of it or none of it is there, and a failed Write is rolled back,
// leaving nothing of the batch visible. `sync` commits with synchronous=FULL (the WAL is
// fsynced before Write returns); otherwise synchronous=NORMAL: the commit survives a crash of
// the process (kill -9) but not a power loss or an OS crash, until the next checkpoint. A
// clean Close() fsyncs the WAL. WriteUnlogged is Write(batch, false): SQLite has no unlogged
// writes. generation() stays 0: a failed transaction is rolled back on the same connection,
// which stays usable; there is nothing to reopen.
//
// A writer reads through a small pool of read-only connections beside its write connection, so
// reads do not wait for a transaction in progress; each read sees the last committed state.
// A reader (read_only) never blocks the writer: its one connection holds a read transaction
// open between CatchUp() calls, so its view stays put (as a RocksDB secondary's does) and
// CatchUp() moves it to the writer's latest commit, telling from PRAGMA data_version whether
// anything changed. A reader that never calls CatchUp() keeps the writer from recycling the
// WAL, which then grows until it does (engines in mode "read" call it every
// follow_interval_ms).
//
// Errors name the file and carry SQLite's message (sqlite_db.h): a full disk or EIO is
// IOError, a damaged file Corruption, a lock held by a foreign program Busy.
//
// Thread-safety: every call may come from any thread. Calls share mu_; Close() takes it
// exclusively. Writes are serialised on the write connection; Scan visitors run with no lock
// held (store.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "classiflow/store.h"
#include "scan_chunks.h"
#include "sqlite_file.h"

namespace classiflow {

struct SqliteStoreOptions {
  // Follow the file's writer: Write() is NotSupported, CatchUp() moves the view forward.
  // Default: false.
  bool read_only = false;
  // How long a call waits for a lock another program holds on the file (its own writer, a
  // checkpoint) before it returns Busy, in ms. Default: 5000.
  int busy_timeout_ms = 5000;
};

class SqliteStore final : public Store {
 public:
  // Opens (making it when missing or empty) the SQLite file `path`; see sqlite_file.h for
  // which files are refused and when a writer gets Busy.
  static Status Open(const std::string& path, const SqliteStoreOptions& options,
                     std::unique_ptr<Store>* out);
  ~SqliteStore() override;

  using Store::Scan;   // the prefix-only convenience
  using Store::Write;  // and the list-of-writes conveniences
  using Store::WriteUnlogged;
  Status Write(const StoreBatch& batch, bool sync) override;
  Status Get(KeySpace space, std::string_view key, std::string* value) override;
  Status Scan(KeySpace space, const ScanRange& range, const ScanVisitor& visit) override;
  Status SeekKey(KeySpace space, std::string_view from, std::string* key) override;
  std::string Describe() const override { return "sqlite:" + path_; }
  // A writer fsyncs the WAL when a write since the last sync was not synced, then closes its
  // connections; the status is the first failure. The file is released either way.
  Status Close() override;
  bool read_only() const override { return reader_; }
  Status CatchUp(bool* changed) override;

 private:
  struct Connection;  // a connection and its prepared statements (sqlite_store.cpp)
  SqliteStore(SqliteFile file, const SqliteStoreOptions& options);
  // Runs `read` on a connection: a writer's from its pool, a reader's own under follow_mu_.
  // Takes mu_ shared; Unavailable once closed.
  Status Read(const std::function<Status(Connection&)>& read);
  Status Borrow(std::unique_ptr<Connection>* out);
  void Return(std::unique_ptr<Connection> connection);
  // Copies one chunk of a scan.
  Status ReadChunk(KeySpace space, const ChunkRequest& request, ScanChunk* chunk);
  // Applies the batch in one transaction. REQUIRES: write_mu_ held.
  Status Apply(const StoreBatch& batch, bool sync);
  // A reader: ends its read transaction and begins one at the latest commit; *changed when the
  // file's data_version moved. REQUIRES: follow_mu_ held.
  Status Pin(bool* changed);

  const bool reader_;
  const int busy_timeout_ms_;
  const std::string path_;            // canonical, for messages after Close
  std::unique_ptr<WriterLock> lock_;  // a writer's; null for a reader and once closed
  mutable std::shared_mutex mu_;      // shared by every call, exclusive for Close
  std::atomic<bool> closed_{false};   // set under mu_ held exclusively
  // A writer: the write connection and its state, guarded by write_mu_.
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  bool full_sync_ = false;  // the connection's synchronous setting is FULL
  bool unsynced_ = false;   // a commit since the last fsync of the WAL
  // A writer: idle read-only connections, guarded by pool_mu_.
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
  // A reader: its connection and the data_version of its view, guarded by follow_mu_.
  std::mutex follow_mu_;
  std::unique_ptr<Connection> follower_;
  int64_t data_version_ = 0;
};

}  // namespace classiflow
