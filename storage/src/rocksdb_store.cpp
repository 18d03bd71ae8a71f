#include "rocksdb_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "log_scan.h"
#include "memory_logger.h"
#include "rocksdb_status.h"

#if defined(__SANITIZE_THREAD__)
extern "C" void __tsan_ignore_thread_begin();  // libtsan's, not in its public header
extern "C" void __tsan_ignore_thread_end();
#endif

namespace classiflow {

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return Status::OK();
  const std::string msg = context + ": " + s.ToString();
  // RocksDB reports a held LOCK file as an IOError mentioning the lock.
  if (s.IsIOError() &&
      (s.ToString().find("lock") != std::string::npos ||
       s.ToString().find("Resource temporarily unavailable") != std::string::npos)) {
    return Status::Busy(context + ": the data directory is in use by another engine or process (" +
                        s.ToString() + ")");
  }
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsBusy() || s.IsTryAgain()) return Status::Busy(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  return Status::IOError(msg);
}

Status StoreClosed(const std::string& path) {
  return Status::Unavailable("store is closed ('" + path + "')");
}

namespace {

constexpr size_t kMemtableBudget = size_t{64} << 20;
constexpr size_t kBlockCacheBytes = size_t{32} << 20;  // per store, shared by its families

std::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }

rocksdb::DBOptions MakeOptions(bool writer, bool fresh, const RocksDBStoreOptions& store_options,
                               const std::shared_ptr<MemoryLogger>& logger) {
  rocksdb::DBOptions options;
  options.create_if_missing = writer && fresh;
  // A directory from an older classiflow gets the newer key spaces' families.
  options.create_missing_column_families = writer;
  options.error_if_exists = false;
  options.paranoid_checks = true;
  options.max_background_jobs = 2;
  options.info_log = logger;
  // A memory budget for every family's memtables together (RocksDB's default is 64 MB per
  // family, times two while one flushes, times seven families): an engine streaming millions
  // of pipeline results stays within a few hundred MB.
  options.db_write_buffer_size = kMemtableBudget;
  // A torn last record is what a crash leaves; anything else damaged is refused, never skipped.
  options.wal_recovery_mode = store_options.recover
                                  ? rocksdb::WALRecoveryMode::kPointInTimeRecovery
                                  : rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  if (store_options.env != nullptr) options.env = store_options.env;
  return options;
}

// Every family gets a Bloom filter: a lookup of an id that was never stored (a submitted
// item's result, a queue entry) then rarely reads a block. All families share one block cache
// (by default each table factory has its own 8 MB).
rocksdb::ColumnFamilyOptions FamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = cache;
  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.write_buffer_size = kMemtableBudget / 2;
  return options;
}

// The families to open: a writer opens (and creates) every key space's; a reader only those
// the directory has, since RocksDB refuses to open a missing one without creating it.
Status FamiliesToOpen(bool writer, const rocksdb::DBOptions& options, const std::string& path,
                      const std::shared_ptr<rocksdb::Cache>& cache,
                      std::vector<rocksdb::ColumnFamilyDescriptor>* out) {
  std::vector<std::string> existing;
  if (!writer) {
    CF_RETURN_IF_ERROR(FromRocks(rocksdb::DB::ListColumnFamilies(options, path, &existing),
                                 "opening '" + path + "'"));
  }
  out->emplace_back(rocksdb::kDefaultColumnFamilyName, FamilyOptions(cache));
  for (const KeySpaceInfo& info : kKeySpaces) {
    if (writer || std::find(existing.begin(), existing.end(), info.name) != existing.end()) {
      out->emplace_back(info.name, FamilyOptions(cache));
    }
  }
  return Status::OK();
}

// A follower's private scratch directory: RocksDB requires one, and it must not be inside the
// writer's data directory (a read-only directory may not even allow it).
Status MakeScratchDir(std::string* path) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "classiflow-reader-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr)
    return Status::IOError("cannot create a reader's scratch directory");
  *path = tmpl;
  return Status::OK();
}

// Positions a chunk's iterator on the first entry to visit (store.h's ScanRange order).
void Position(rocksdb::Iterator* it, const ChunkRequest& request) {
  const ScanCursor& cursor = request.cursor;
  const rocksdb::Slice key(cursor.key);
  if (!request.reverse) {
    it->Seek(key);
    if (cursor.after && it->Valid() && it->key() == key) it->Next();
  } else if (cursor.from_end) {
    it->SeekToLast();  // the read options' upper bound ends the prefix range
  } else {
    it->SeekForPrev(key);
    if (cursor.after && it->Valid() && it->key() == key) it->Prev();
  }
}

}  // namespace

RocksDBStore::RocksDBStore(Kind kind, std::unique_ptr<DataDir> dir,
                           const RocksDBStoreOptions& options)
    : kind_(kind),
      options_(options),
      path_(dir->path()),
      dir_(std::move(dir)),
      logger_(std::make_shared<MemoryLogger>()) {}

RocksDBStore::~RocksDBStore() { (void)Close(); }

Status RocksDBStore::Close() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (closed_.load()) return Status::OK();
  closed_.store(true);
  Status s = CloseRocks();
  dir_.reset();  // releases the directory: another writer may open it now
  if (!secondary_path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_path_, ec);
  }
  return s;
}

Status RocksDBStore::CloseRocks() {
  if (!db_) return Status::OK();
  Status s;
  // What was written without sync is synced here, so a clean close loses nothing; after a
  // failed write the log is not trusted (a reopen replays it) and not synced.
  if (kind_ == Kind::kWriter && !write_failed_.load()) {
    s = FromRocks(db_->FlushWAL(/*sync=*/true), "syncing the log of '" + path_ + "'");
  }
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  handles_.clear();
  families_.fill(nullptr);
  Status closed = FromRocks(db_->Close(), "closing '" + path_ + "'");
  db_.reset();
  return s.ok() ? closed : s;
}

Status RocksDBStore::OpenDB(std::vector<rocksdb::ColumnFamilyDescriptor>* descriptors,
                            rocksdb::DB** db) {
  rocksdb::DBOptions db_options =
      MakeOptions(kind_ == Kind::kWriter, dir_->fresh(), options_, logger_);
  rocksdb::Status s;
  // One cache per database, shared by its families, released with it.
  if (!block_cache_) block_cache_ = rocksdb::NewLRUCache(kBlockCacheBytes);
  CF_RETURN_IF_ERROR(
      FamiliesToOpen(kind_ == Kind::kWriter, db_options, path_, block_cache_, descriptors));
  if (kind_ == Kind::kWriter) {
    s = rocksdb::DB::Open(db_options, path_, *descriptors, &handles_, db);
  } else if (kind_ == Kind::kFollower) {
    if (secondary_path_.empty()) CF_RETURN_IF_ERROR(MakeScratchDir(&secondary_path_));
    db_options.max_open_files = -1;  // the writer may delete files a follower still reads
    s = rocksdb::DB::OpenAsSecondary(db_options, path_, secondary_path_, *descriptors, &handles_,
                                     db);
  } else {
    db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords;
    s = rocksdb::DB::OpenForReadOnly(db_options, path_, *descriptors, &handles_, db);
  }
  if (s.IsCorruption()) {
    // RocksDB's status may not say which file is damaged; its log line does.
    return Status::Corruption("opening '" + path_ + "': " + s.ToString() + " (" +
                              logger_->RecentAboutFiles() + ")");
  }
  return FromRocks(s, "opening '" + path_ + "'");
}

Status RocksDBStore::OpenRocks() {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  rocksdb::DB* db = nullptr;
  handles_.clear();
  CF_RETURN_IF_ERROR(OpenDB(&descriptors, &db));
  db_.reset(db);
  families_.fill(nullptr);
  for (size_t i = 1; i < descriptors.size(); ++i) {  // [0] is the default family
    for (size_t space = 0; space < kKeySpaceCount; ++space) {
      if (descriptors[i].name == kKeySpaces[space].name) families_[space] = handles_[i];
    }
  }
  missing_families_.store(descriptors.size() < kKeySpaceCount + 1);
  seen_sequence_ = db->GetLatestSequenceNumber();
  return Status::OK();
}

Status RocksDBStore::Make(std::unique_ptr<DataDir> dir, Kind kind,
                          const RocksDBStoreOptions& options, std::unique_ptr<RocksDBStore>* out) {
  std::unique_ptr<RocksDBStore> store(new RocksDBStore(kind, std::move(dir), options));
  CF_RETURN_IF_ERROR(store->OpenRocks());
  *out = std::move(store);
  return Status::OK();
}

Status RocksDBStore::Open(const std::string& path, const RocksDBStoreOptions& options,
                          std::unique_ptr<Store>* out) {
  const auto access = options.read_only ? DataDir::Access::kRead : DataDir::Access::kWrite;
  std::unique_ptr<DataDir> dir;
  CF_RETURN_IF_ERROR(DataDir::Open(path, access, &dir));
  std::unique_ptr<RocksDBStore> store;
  CF_RETURN_IF_ERROR(
      Make(std::move(dir), options.read_only ? Kind::kFollower : Kind::kWriter, options, &store));
  *out = std::move(store);
  return Status::OK();
}

Status RocksDBStore::OpenRecovering(const std::string& path, const RocksDBStoreOptions& options,
                                    const Inspect& inspect, std::unique_ptr<Store>* out) {
  if (options.read_only) return Status::InvalidArgument("a recovery open cannot be read-only");
  std::unique_ptr<DataDir> dir;
  CF_RETURN_IF_ERROR(DataDir::Open(path, DataDir::Access::kWrite, &dir));
  if (!dir->fresh()) {
    std::unique_ptr<DataDir> view_dir;
    std::unique_ptr<RocksDBStore> before;
    if (DataDir::Open(path, DataDir::Access::kRead, &view_dir).ok() &&
        Make(std::move(view_dir), Kind::kView, options, &before).ok()) {
      std::vector<std::pair<std::string, std::string>> logged;
      rocksdb::ColumnFamilyHandle* models = before->families_[KeySpaceIndex(KeySpace::kModels)];
      if (models != nullptr) ScanLoggedHeaders(path, models->GetID(), &logged);
      inspect(*before, logged);
    }
  }
  RocksDBStoreOptions recovering = options;
  recovering.recover = true;
  std::unique_ptr<RocksDBStore> store;
  CF_RETURN_IF_ERROR(Make(std::move(dir), Kind::kWriter, recovering, &store));
  *out = std::move(store);
  return Status::OK();
}

std::shared_lock<std::shared_mutex> RocksDBStore::ReadLock(Status* status) {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (kind_ == Kind::kWriter && !db_ && !closed_) {
    // A reopen after a failed write failed too (the disk was still full). Every call tries
    // again, not only writes: a caller that reads before it writes would be refused forever.
    lock.unlock();
    *status = ReopenLostDatabase();
    lock.lock();
    if (!status->ok()) return lock;
  }
  if (closed_) {
    *status = StoreClosed(path_);
  } else if (!db_) {
    *status = Status::IOError("'" + path_ + "' is closed after an I/O error; the next " +
                              (kind_ == Kind::kWriter ? "call" : "catch-up") + " reopens it");
  } else {
    *status = Status::OK();
  }
  return lock;
}

Status RocksDBStore::Family(KeySpace space, rocksdb::ColumnFamilyHandle** family) const {
  if (KeySpaceIndex(space) >= kKeySpaceCount) return Status::InvalidArgument("unknown key space");
  *family = families_[KeySpaceIndex(space)];
  return Status::OK();
}

std::string RocksDBStore::Describe() const { return "rocksdb:" + path_; }

// After a failed write RocksDB refuses every later write until its background error is
// cleared. Resume() clears what it can; a failed log write it cannot (measured with RocksDB
// 7.8), so the database is then closed and reopened — replaying the log, whose tail the failed
// write may have torn — with the directory held throughout. Either way writes go on once the
// cause (a full disk, a failing device) is gone.
Status RocksDBStore::ResumeAfterFailedWrite(bool* reopened) {
  *reopened = false;
  if (!write_failed_.load()) return Status::OK();
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (closed_) return StoreClosed(path_);
  if (!write_failed_.load()) return Status::OK();
  if (db_ && db_->Resume().ok()) {
    write_failed_.store(false);
    return Status::OK();
  }
  (void)CloseRocks();  // the database is failing: its close may fail too
  CF_RETURN_IF_ERROR(Reopen());
  *reopened = true;
  return Status::OK();
}

Status RocksDBStore::ReopenLostDatabase() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (closed_ || db_) return Status::OK();  // closed meanwhile, or another call reopened it
  return Reopen();
}

Status RocksDBStore::Reopen() {
  CF_RETURN_IF_ERROR(
      OpenRocks().WithContext("writes are stopped after an I/O error until its cause is fixed"));
  write_failed_.store(false);
  generation_.fetch_add(1);
  return Status::OK();
}

namespace {

// Debian's RocksDB is not built with ThreadSanitizer. Its group commit hands a writer's
// WriteBatch to the leading writer through atomics TSan cannot see, so when two pipelines
// commit at once the leader's copy of the other's batch is reported as a race with the other
// filling it, with no RocksDB frame in either stack for tests/tsan.supp to match (TSan's stacks
// hold instrumented frames only). The memory touched inside DB::Write is RocksDB's own, so
// accesses there are not checked; its locks still are, and so is the batch's filling from ours.
class UncheckedInRocks {
 public:
#if defined(__SANITIZE_THREAD__)
  UncheckedInRocks() { __tsan_ignore_thread_begin(); }
  ~UncheckedInRocks() { __tsan_ignore_thread_end(); }
#else
  UncheckedInRocks() = default;
#endif
  UncheckedInRocks(const UncheckedInRocks&) = delete;
  UncheckedInRocks& operator=(const UncheckedInRocks&) = delete;
};

}  // namespace

Status RocksDBStore::Write(const StoreBatch& batch, bool sync) {
  return WriteBatchOf(batch, sync, /*logged=*/true);
}

Status RocksDBStore::WriteUnlogged(const StoreBatch& batch) {
  return WriteBatchOf(batch, /*sync=*/false, /*logged=*/false);
}

Status RocksDBStore::WriteBatchOf(const StoreBatch& batch, bool sync, bool logged) {
  if (closed_.load()) return StoreClosed(path_);
  if (read_only()) {
    return Status::NotSupported("'" + path_ + "' is open for reading only (mode=\"read\")");
  }
  bool reopened = false;
  CF_RETURN_IF_ERROR(ResumeAfterFailedWrite(&reopened));
  if (reopened) {
    return Status::Unavailable("'" + path_ +
                               "' was reopened after an I/O error; nothing "
                               "was written (compare what is stored, then write again)");
  }
  Status s;
  auto lock = ReadLock(&s);
  CF_RETURN_IF_ERROR(s);
  // Sized once: the batch's bytes plus RocksDB's few bytes of framing per write.
  rocksdb::WriteBatch wb(batch.bytes() + 16 * batch.size() + 16);
  batch.ForEach([&](KeySpace space, std::string_view key, std::string_view value, bool put) {
    if (!s.ok()) return;
    rocksdb::ColumnFamilyHandle* family = nullptr;
    s = Family(space, &family);  // a writer has every family
    if (!s.ok()) return;
    s = FromRocks(put ? wb.Put(family, key, value) : wb.Delete(family, key), "batching a write");
  });
  CF_RETURN_IF_ERROR(s);
  rocksdb::WriteOptions options;
  options.sync = sync;
  options.disableWAL = !logged;
  {
    [[maybe_unused]] UncheckedInRocks unchecked;  // empty unless built with TSan
    s = FromRocks(db_->Write(options, &wb), "writing to '" + path_ + "'");
  }
  if (!s.ok()) write_failed_.store(true);
  return s;
}

Status RocksDBStore::Get(KeySpace space, std::string_view key, std::string* value) {
  Status s;
  auto lock = ReadLock(&s);
  CF_RETURN_IF_ERROR(s);
  rocksdb::ColumnFamilyHandle* family = nullptr;
  CF_RETURN_IF_ERROR(Family(space, &family));
  if (family == nullptr) return Status::NotFound("key not found");
  rocksdb::Status got = db_->Get(rocksdb::ReadOptions(), family, rocksdb::Slice(key), value);
  if (got.IsNotFound()) return Status::NotFound("key not found");
  return FromRocks(got, "reading from '" + path_ + "'");
}

Status RocksDBStore::Scan(KeySpace space, const ScanRange& range, const ScanVisitor& visit) {
  return ScanInChunks(
      range,
      [&](const ChunkRequest& request, ScanChunk* chunk) {
        return ReadChunk(space, request, chunk);
      },
      visit);
}

Status RocksDBStore::ReadChunk(KeySpace space, const ChunkRequest& request, ScanChunk* chunk) {
  Status s;
  auto lock = ReadLock(&s);
  CF_RETURN_IF_ERROR(s);
  rocksdb::ColumnFamilyHandle* family = nullptr;
  CF_RETURN_IF_ERROR(Family(space, &family));
  if (family == nullptr) return Status::OK();
  // Bounds keep the iterator inside the prefix range, so it never walks over the deletion
  // markers of a neighbouring range (a drained queue).
  const std::string end = PrefixEnd(request.prefix);
  const rocksdb::Slice lower(request.prefix), upper(end);
  rocksdb::ReadOptions options;
  // A scan reads ranges once (recovery, the verifier, dropping a pipeline): its blocks would
  // only push the point lookups' blocks out of the shared cache.
  options.fill_cache = false;
  if (!request.prefix.empty()) options.iterate_lower_bound = &lower;
  if (!end.empty()) options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family));
  for (Position(it.get(), request); it->Valid(); request.reverse ? it->Prev() : it->Next()) {
    const std::string_view key = View(it->key());
    if (!key.starts_with(request.prefix) ||
        !chunk->Add(key, View(it->value()), request.max_entries))
      break;
  }
  return FromRocks(it->status(), "scanning '" + path_ + "'");
}

Status RocksDBStore::SeekKey(KeySpace space, std::string_view from, std::string* key) {
  Status s;
  auto lock = ReadLock(&s);
  CF_RETURN_IF_ERROR(s);
  rocksdb::ColumnFamilyHandle* family = nullptr;
  CF_RETURN_IF_ERROR(Family(space, &family));
  if (family == nullptr) return Status::NotFound("no key at or after the given one");
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
  it->Seek(rocksdb::Slice(from));
  if (it->Valid()) {
    key->assign(it->key().data(), it->key().size());
    return Status::OK();
  }
  CF_RETURN_IF_ERROR(FromRocks(it->status(), "scanning '" + path_ + "'"));
  return Status::NotFound("no key at or after the given one");
}

}  // namespace classiflow
