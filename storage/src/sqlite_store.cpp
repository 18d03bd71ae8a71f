#include "sqlite_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "util/errno_text.h"

namespace classiflow {

namespace {

// Read-only connections a writer keeps for its readers; more are opened while many threads
// read at once, and closed again when they come back to a full pool.
constexpr size_t kIdleConnections = 8;

// Every scan statement: ?1 the space, ?2 the lower bound, ?3 the limit, ?4 the upper bound.
constexpr std::string_view kSelect = "SELECT key, value FROM kv WHERE space = ?1 AND key >= ?2 ";

Status CheckSpace(KeySpace space) {
  if (KeySpaceIndex(space) >= kKeySpaceCount) return Status::InvalidArgument("unknown key space");
  return Status::OK();
}

Status Closed(const std::string& path) {
  return Status::Unavailable("store is closed ('" + path + "')");
}

// The file was made in WAL mode, which it keeps; a file system without shared memory for the
// WAL index would fall back to a rollback journal, whose readers block the writer.
Status UseWal(sqlite::Database& db) {
  sqlite::Statement mode;
  CF_RETURN_IF_ERROR(db.Prepare("PRAGMA journal_mode=WAL", &mode));
  sqlite::Query query(mode);
  bool row = false;
  CF_RETURN_IF_ERROR(query.Step("setting the journal mode of", &row));
  if (row && query.Bytes(0) == "wal") return Status::OK();
  return Status::NotSupported("'" + db.path() + "' cannot use SQLite's WAL journal mode here");
}

int64_t SpaceColumn(KeySpace space) { return static_cast<int64_t>(KeySpaceIndex(space)); }

}  // namespace

// A connection with the statements of its role, prepared once.
struct SqliteStore::Connection {
  enum class Role { kWrite, kRead, kFollow };

  std::unique_ptr<sqlite::Database> db;  // first: the statements are finalized before it closes
  sqlite::Statement get, seek;
  // Scans: forward from ?2 (to before ?4); reverse down to ?2 (from the end, from ?4, from
  // before ?4).
  sqlite::Statement forward, forward_to, reverse, reverse_to, reverse_before;
  sqlite::Statement put, erase, begin, commit, rollback, data_version;

  static Status Make(std::unique_ptr<sqlite::Database> database, Role role,
                     std::unique_ptr<Connection>* out) {
    auto c = std::make_unique<Connection>();
    c->db = std::move(database);
    sqlite::Database& db = *c->db;
    if (role == Role::kWrite) {
      CF_RETURN_IF_ERROR(
          db.Prepare("INSERT OR REPLACE INTO kv(space, key, value) VALUES(?1, ?2, ?3)", &c->put));
      CF_RETURN_IF_ERROR(db.Prepare("DELETE FROM kv WHERE space = ?1 AND key = ?2", &c->erase));
      CF_RETURN_IF_ERROR(db.Prepare("BEGIN IMMEDIATE", &c->begin));
    } else {
      const std::string select(kSelect);
      CF_RETURN_IF_ERROR(db.Prepare("SELECT value FROM kv WHERE space = ?1 AND key = ?2", &c->get));
      CF_RETURN_IF_ERROR(db.Prepare(
          "SELECT key FROM kv WHERE space = ?1 AND key >= ?2 ORDER BY key LIMIT 1", &c->seek));
      CF_RETURN_IF_ERROR(db.Prepare(select + "ORDER BY key LIMIT ?3", &c->forward));
      CF_RETURN_IF_ERROR(db.Prepare(select + "AND key < ?4 ORDER BY key LIMIT ?3", &c->forward_to));
      CF_RETURN_IF_ERROR(db.Prepare(select + "ORDER BY key DESC LIMIT ?3", &c->reverse));
      CF_RETURN_IF_ERROR(
          db.Prepare(select + "AND key <= ?4 ORDER BY key DESC LIMIT ?3", &c->reverse_to));
      CF_RETURN_IF_ERROR(
          db.Prepare(select + "AND key < ?4 ORDER BY key DESC LIMIT ?3", &c->reverse_before));
    }
    if (role != Role::kRead) {
      if (role == Role::kFollow) {
        CF_RETURN_IF_ERROR(db.Prepare("BEGIN", &c->begin));
        CF_RETURN_IF_ERROR(db.Prepare("PRAGMA data_version", &c->data_version));
      }
      CF_RETURN_IF_ERROR(db.Prepare("COMMIT", &c->commit));
      CF_RETURN_IF_ERROR(db.Prepare("ROLLBACK", &c->rollback));
    }
    *out = std::move(c);
    return Status::OK();
  }
};

SqliteStore::SqliteStore(SqliteFile file, const SqliteStoreOptions& options)
    : reader_(options.read_only),
      busy_timeout_ms_(options.busy_timeout_ms),
      path_(std::move(file.path)),
      lock_(std::move(file.lock)) {}

SqliteStore::~SqliteStore() { (void)Close(); }

Status SqliteStore::Open(const std::string& path, const SqliteStoreOptions& options,
                         std::unique_ptr<Store>* out) {
  using Role = Connection::Role;
  SqliteFile file;
  CF_RETURN_IF_ERROR(OpenSqliteFile(path, !options.read_only, &file));
  std::unique_ptr<sqlite::Database> checked = std::move(file.checked);
  checked->SetBusyTimeout(options.busy_timeout_ms);
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(file), options));
  if (options.read_only) {
    CF_RETURN_IF_ERROR(Connection::Make(std::move(checked), Role::kFollow, &store->follower_));
    bool changed = false;
    CF_RETURN_IF_ERROR(store->Pin(&changed));
  } else {
    std::unique_ptr<Connection> first_reader;
    CF_RETURN_IF_ERROR(Connection::Make(std::move(checked), Role::kRead, &first_reader));
    store->idle_.push_back(std::move(first_reader));
    std::unique_ptr<sqlite::Database> db;
    CF_RETURN_IF_ERROR(sqlite::Database::Open(store->path_, sqlite::Database::Mode::kReadWrite,
                                              options.busy_timeout_ms, &db));
    CF_RETURN_IF_ERROR(UseWal(*db));
    CF_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL", "configuring"));
    CF_RETURN_IF_ERROR(Connection::Make(std::move(db), Role::kWrite, &store->writer_));
  }
  *out = std::move(store);
  return Status::OK();
}

Status SqliteStore::Close() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (closed_.load()) return Status::OK();
  closed_.store(true);
  Status s;
  if (writer_ && unsynced_) {
    // The last connection's close checkpoints and syncs, but not while another process reads.
    const std::string wal = path_ + "-wal";
    const int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      if (::fsync(fd) != 0) s = Status::IOError("cannot fsync '" + wal + "': " + ErrnoText(errno));
      ::close(fd);
    } else if (errno != ENOENT) {
      s = Status::IOError("cannot open '" + wal + "': " + ErrnoText(errno));
    }
  }
  const auto close = [&s](std::unique_ptr<Connection>& c) {
    if (!c) return;
    Status closed = c->db->Close();
    if (s.ok()) s = closed;
    c.reset();
  };
  {
    std::lock_guard<std::mutex> pool(pool_mu_);
    for (auto& c : idle_) close(c);
    idle_.clear();
  }
  close(follower_);
  close(writer_);  // last: with no other connection left it checkpoints the WAL into the file
  lock_.reset();   // releases the file: another writer may open it now
  return s;
}

Status SqliteStore::Borrow(std::unique_ptr<Connection>* out) {
  {
    std::lock_guard<std::mutex> pool(pool_mu_);
    if (!idle_.empty()) {
      *out = std::move(idle_.back());
      idle_.pop_back();
      return Status::OK();
    }
  }
  std::unique_ptr<sqlite::Database> db;
  CF_RETURN_IF_ERROR(
      sqlite::Database::Open(path_, sqlite::Database::Mode::kReadOnly, busy_timeout_ms_, &db));
  return Connection::Make(std::move(db), Connection::Role::kRead, out);
}

void SqliteStore::Return(std::unique_ptr<Connection> connection) {
  std::lock_guard<std::mutex> pool(pool_mu_);
  if (idle_.size() < kIdleConnections) idle_.push_back(std::move(connection));
}

Status SqliteStore::Read(const std::function<Status(Connection&)>& read) {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (closed_.load()) return Closed(path_);
  if (reader_) {
    std::lock_guard<std::mutex> follow(follow_mu_);
    return read(*follower_);
  }
  std::unique_ptr<Connection> connection;
  CF_RETURN_IF_ERROR(Borrow(&connection));
  Status s = read(*connection);
  Return(std::move(connection));
  return s;
}

Status SqliteStore::Write(const StoreBatch& batch, bool sync) {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (closed_.load()) return Closed(path_);
  if (reader_) {
    return Status::NotSupported("'" + path_ + "' is open for reading only (mode=\"read\")");
  }
  Status s;
  batch.ForEach([&](KeySpace space, std::string_view, std::string_view, bool) {
    if (s.ok()) s = CheckSpace(space);  // all or none
  });
  CF_RETURN_IF_ERROR(s);
  if (batch.empty()) return Status::OK();
  std::lock_guard<std::mutex> write(write_mu_);
  return Apply(batch, sync);
}

Status SqliteStore::Apply(const StoreBatch& batch, bool sync) {
  Connection& c = *writer_;
  if (sync != full_sync_) {
    CF_RETURN_IF_ERROR(
        c.db->Exec(sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", "configuring"));
    full_sync_ = sync;
  }
  CF_RETURN_IF_ERROR(sqlite::Query(c.begin).Run("beginning a write to"));
  Status s;
  batch.ForEach([&](KeySpace space, std::string_view key, std::string_view value, bool put) {
    if (!s.ok()) return;
    sqlite::Query query(put ? c.put : c.erase);
    query.Int(1, SpaceColumn(space)).Blob(2, key);
    if (put) query.Blob(3, value);
    s = query.Run("writing to");
  });
  if (s.ok()) s = sqlite::Query(c.commit).Run("committing a write to");
  if (!s.ok()) {
    // Some errors (a full disk, I/O) end the transaction themselves; the others leave it open.
    if (!c.db->autocommit()) (void)sqlite::Query(c.rollback).Run("rolling back a write to");
    return s;
  }
  unsynced_ = !sync;  // a synced commit fsyncs the whole WAL, earlier commits included
  return Status::OK();
}

Status SqliteStore::Get(KeySpace space, std::string_view key, std::string* value) {
  CF_RETURN_IF_ERROR(CheckSpace(space));
  return Read([&](Connection& c) {
    sqlite::Query query(c.get);
    query.Int(1, SpaceColumn(space)).Blob(2, key);
    bool row = false;
    CF_RETURN_IF_ERROR(query.Step("reading from", &row));
    if (!row) return Status::NotFound("key not found");
    value->assign(query.Bytes(0));
    return Status::OK();
  });
}

Status SqliteStore::SeekKey(KeySpace space, std::string_view from, std::string* key) {
  CF_RETURN_IF_ERROR(CheckSpace(space));
  return Read([&](Connection& c) {
    sqlite::Query query(c.seek);
    query.Int(1, SpaceColumn(space)).Blob(2, from);
    bool row = false;
    CF_RETURN_IF_ERROR(query.Step("reading from", &row));
    if (!row) return Status::NotFound("no key at or after the given one");
    key->assign(query.Bytes(0));
    return Status::OK();
  });
}

Status SqliteStore::Scan(KeySpace space, const ScanRange& range, const ScanVisitor& visit) {
  CF_RETURN_IF_ERROR(CheckSpace(space));
  return ScanInChunks(
      range,
      [&](const ChunkRequest& request, ScanChunk* chunk) {
        return ReadChunk(space, request, chunk);
      },
      visit);
}

Status SqliteStore::ReadChunk(KeySpace space, const ChunkRequest& request, ScanChunk* chunk) {
  return Read([&](Connection& c) {
    const std::string end = PrefixEnd(request.prefix);  // "": the range runs to the space's end
    const ScanCursor& cursor = request.cursor;
    std::string from;
    std::string_view lower = request.prefix, upper = end;
    sqlite::Statement* statement = nullptr;
    if (!request.reverse) {
      from = cursor.key;
      if (cursor.after) from.push_back('\0');  // the next possible key
      lower = from;
      statement = end.empty() ? &c.forward : &c.forward_to;
    } else if (cursor.from_end) {
      statement = end.empty() ? &c.reverse : &c.reverse_before;
    } else {
      upper = cursor.key;
      statement = cursor.after ? &c.reverse_before : &c.reverse_to;
    }
    sqlite::Query query(*statement);
    query.Int(1, SpaceColumn(space))
        .Blob(2, lower)
        .Int(3, static_cast<int64_t>(request.max_entries));
    if (statement != &c.forward && statement != &c.reverse) query.Blob(4, upper);
    for (bool row = true;;) {
      CF_RETURN_IF_ERROR(query.Step("scanning", &row));
      if (!row) return Status::OK();
      const std::string_view key = query.Bytes(0);
      if (!key.starts_with(request.prefix) || !chunk->Add(key, query.Bytes(1), request.max_entries))
        return Status::OK();
    }
  });
}

Status SqliteStore::CatchUp(bool* changed) {
  *changed = false;
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (closed_.load()) return Closed(path_);
  if (!reader_) return Status::OK();
  std::lock_guard<std::mutex> follow(follow_mu_);
  return Pin(changed);
}

Status SqliteStore::Pin(bool* changed) {
  Connection& c = *follower_;
  if (!c.db->autocommit()) CF_RETURN_IF_ERROR(sqlite::Query(c.commit).Run("ending a read of"));
  CF_RETURN_IF_ERROR(sqlite::Query(c.begin).Run("beginning a read of"));
  Status s;
  {
    // Its first read starts the transaction's snapshot, which stays until the next Pin.
    sqlite::Query query(c.data_version);
    bool row = false;
    s = query.Step("reading the data version of", &row);
    if (s.ok() && row) {
      const int64_t version = query.Int64(0);
      *changed = version != data_version_;
      data_version_ = version;
      return Status::OK();
    }
  }
  // Reads go on, each at the latest commit, until a later Pin holds a view again.
  (void)sqlite::Query(c.rollback).Run("ending a read of");
  return s.ok() ? Status::Internal("PRAGMA data_version returned no row") : s;
}

}  // namespace classiflow
