#include "rocksdb_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "log_scan.h"
#include "memory_logger.h"

namespace classiflow {
namespace {

// The column families besides RocksDB's default one. Literals, not std::string: a namespace-scope
// std::string is built before main, where an allocation failure cannot be caught.
constexpr std::array<const char*, 2> kFamilies = {"models", "meta"};

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

rocksdb::DBOptions MakeOptions(bool create, const RocksDBStoreOptions& store_options,
                               const std::shared_ptr<MemoryLogger>& logger) {
  rocksdb::DBOptions options;
  options.create_if_missing = create;
  options.create_missing_column_families = create;
  options.error_if_exists = false;
  options.paranoid_checks = true;
  options.max_background_jobs = 2;
  options.info_log = logger;
  // A torn last record is what a crash leaves; anything else damaged is refused, never skipped.
  options.wal_recovery_mode = store_options.recover
                                  ? rocksdb::WALRecoveryMode::kPointInTimeRecovery
                                  : rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  if (store_options.env != nullptr) options.env = store_options.env;
  return options;
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

}  // namespace

RocksDBStore::RocksDBStore(Kind kind, std::unique_ptr<DataDir> dir,
                           const RocksDBStoreOptions& options)
    : kind_(kind),
      options_(options),
      dir_(std::move(dir)),
      logger_(std::make_shared<MemoryLogger>()) {}

RocksDBStore::~RocksDBStore() {
  CloseRocks();
  if (!secondary_path_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_path_, ec);
  }
}

void RocksDBStore::CloseRocks() {
  if (!db_) return;
  for (auto* family : families_) db_->DestroyColumnFamilyHandle(family);
  families_.clear();
  db_->Close();
  db_.reset();
}

Status RocksDBStore::OpenRocks() {
  const std::string& path = dir_->path();
  rocksdb::DBOptions db_options =
      MakeOptions(dir_->fresh() && kind_ == Kind::kWriter, options_, logger_);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (const char* name : kFamilies) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  rocksdb::DB* db = nullptr;
  rocksdb::Status s;
  if (kind_ == Kind::kWriter) {
    s = rocksdb::DB::Open(db_options, path, descriptors, &families_, &db);
  } else if (kind_ == Kind::kFollower) {
    if (secondary_path_.empty()) CF_RETURN_IF_ERROR(MakeScratchDir(&secondary_path_));
    db_options.max_open_files = -1;  // the writer may delete files a follower still reads
    s = rocksdb::DB::OpenAsSecondary(db_options, path, secondary_path_, descriptors, &families_,
                                     &db);
  } else {
    db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kSkipAnyCorruptedRecords;
    s = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &families_, &db);
  }
  if (s.IsCorruption()) {
    // RocksDB's status may not say which file is damaged; its log line does.
    return Status::Corruption("opening '" + path + "': " + s.ToString() + " (" +
                              logger_->RecentAboutFiles() + ")");
  }
  CF_RETURN_IF_ERROR(FromRocks(s, "opening '" + path + "'"));
  db_.reset(db);
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
      ScanLoggedHeaders(path, before->Family(KeySpace::kModels)->GetID(), &logged);
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

std::shared_lock<std::shared_mutex> RocksDBStore::ReadLock(Status* status) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  *status = db_ ? Status::OK()
                : Status::IOError("'" + dir_->path() +
                                  "' is closed after an I/O error; the next "
                                  "write reopens it");
  return lock;
}

rocksdb::ColumnFamilyHandle* RocksDBStore::Family(KeySpace space) const {
  return families_[space == KeySpace::kModels ? 1 : 2];
}

std::string RocksDBStore::Describe() const { return "rocksdb:" + dir_->path(); }

// After a failed write RocksDB refuses every later write until its background error is
// cleared. Resume() clears what it can; a failed log write it cannot (measured with RocksDB
// 7.8), so the database is then closed and reopened — replaying the log, whose tail the failed
// write may have torn — with the directory held throughout. Either way writes go on once the
// cause (a full disk, a failing device) is gone.
Status RocksDBStore::ResumeAfterFailedWrite(bool* reopened) {
  *reopened = false;
  if (!write_failed_.load()) return Status::OK();
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (!write_failed_.load()) return Status::OK();
  if (db_ && db_->Resume().ok()) {
    write_failed_.store(false);
    return Status::OK();
  }
  CloseRocks();
  CF_RETURN_IF_ERROR(
      OpenRocks().WithContext("writes are stopped after an I/O error until its cause is fixed"));
  write_failed_.store(false);
  generation_.fetch_add(1);
  *reopened = true;
  return Status::OK();
}

Status RocksDBStore::Write(const std::vector<StoreWrite>& batch, bool sync) {
  if (read_only()) {
    return Status::NotSupported("'" + dir_->path() + "' is open for reading only (mode=\"read\")");
  }
  bool reopened = false;
  CF_RETURN_IF_ERROR(ResumeAfterFailedWrite(&reopened));
  if (reopened) {
    return Status::Unavailable("'" + dir_->path() +
                               "' was reopened after an I/O error; nothing "
                               "was written (compare what is stored, then write again)");
  }
  Status s;
  auto lock = ReadLock(&s);
  CF_RETURN_IF_ERROR(s);
  rocksdb::WriteBatch wb;
  for (const StoreWrite& w : batch) {
    rocksdb::Status put =
        w.value ? wb.Put(Family(w.space), w.key, *w.value) : wb.Delete(Family(w.space), w.key);
    CF_RETURN_IF_ERROR(FromRocks(put, "batching a write"));
  }
  rocksdb::WriteOptions options;
  options.sync = sync;
  s = FromRocks(db_->Write(options, &wb), "writing to '" + dir_->path() + "'");
  if (!s.ok()) write_failed_.store(true);
  return s;
}

Status RocksDBStore::Get(KeySpace space, std::string_view key, std::string* value) {
  Status s;
  auto lock = ReadLock(&s);
  CF_RETURN_IF_ERROR(s);
  rocksdb::Status got = db_->Get(rocksdb::ReadOptions(), Family(space),
                                 rocksdb::Slice(key.data(), key.size()), value);
  if (got.IsNotFound()) return Status::NotFound("key not found");
  return FromRocks(got, "reading from '" + dir_->path() + "'");
}

Status RocksDBStore::Scan(KeySpace space, std::string_view prefix,
                          const std::function<Status(std::string_view, std::string_view)>& visit) {
  Status s;
  auto lock = ReadLock(&s);
  CF_RETURN_IF_ERROR(s);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Family(space)));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(prefix)) break;
    CF_RETURN_IF_ERROR(visit(key, std::string_view(it->value().data(), it->value().size())));
  }
  return FromRocks(it->status(), "scanning '" + dir_->path() + "'");
}

Status RocksDBStore::SeekKey(KeySpace space, std::string_view from, std::string* key) {
  Status s;
  auto lock = ReadLock(&s);
  CF_RETURN_IF_ERROR(s);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Family(space)));
  it->Seek(rocksdb::Slice(from.data(), from.size()));
  if (it->Valid()) {
    key->assign(it->key().data(), it->key().size());
    return Status::OK();
  }
  CF_RETURN_IF_ERROR(FromRocks(it->status(), "scanning '" + dir_->path() + "'"));
  return Status::NotFound("no key at or after the given one");
}

Status RocksDBStore::CatchUp(bool* changed) {
  *changed = false;
  if (kind_ != Kind::kFollower) return Status::OK();
  Status s;
  auto lock = ReadLock(&s);
  CF_RETURN_IF_ERROR(s);
  CF_RETURN_IF_ERROR(FromRocks(db_->TryCatchUpWithPrimary(), "following '" + dir_->path() + "'"));
  const uint64_t sequence = db_->GetLatestSequenceNumber();
  *changed = sequence != seen_sequence_;
  seen_sequence_ = sequence;
  return Status::OK();
}

}  // namespace classiflow
