#include "rocksdb_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <system_error>

namespace classiflow {
namespace {

const std::vector<std::string> kFamilies = {rocksdb::kDefaultColumnFamilyName, "models", "meta"};

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return Status::OK();
  const std::string msg = context + ": " + s.ToString();
  // RocksDB reports a held LOCK file as an IOError mentioning the lock.
  if (s.IsIOError() && (s.ToString().find("lock") != std::string::npos ||
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

}  // namespace

RocksDBStore::RocksDBStore(std::string path, rocksdb::DB* db,
                           std::vector<rocksdb::ColumnFamilyHandle*> cfs)
    : path_(std::move(path)), db_(db), families_(std::move(cfs)) {}

RocksDBStore::~RocksDBStore() {
  for (auto* family : families_) db_->DestroyColumnFamilyHandle(family);
  db_->Close();
}

Status RocksDBStore::Open(const std::string& path, std::unique_ptr<Store>* out) {
  if (path.empty()) return Status::InvalidArgument("empty data directory path");
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IOError("cannot create data directory '" + path + "': " + ec.message());
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.keep_log_file_num = 2;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : kFamilies) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  CF_RETURN_IF_ERROR(FromRocks(rocksdb::DB::Open(options, path, descriptors, &handles, &db),
                               "opening '" + path + "'"));
  out->reset(new RocksDBStore(path, db, std::move(handles)));
  return Status::OK();
}

rocksdb::ColumnFamilyHandle* RocksDBStore::Family(KeySpace space) const {
  return families_[space == KeySpace::kModels ? 1 : 2];
}

Status RocksDBStore::Write(const std::vector<StoreWrite>& batch, bool sync) {
  rocksdb::WriteBatch wb;
  for (const StoreWrite& w : batch) {
    rocksdb::Status s = w.value ? wb.Put(Family(w.space), w.key, *w.value) : wb.Delete(Family(w.space), w.key);
    CF_RETURN_IF_ERROR(FromRocks(s, "batching a write"));
  }
  rocksdb::WriteOptions options;
  options.sync = sync;
  return FromRocks(db_->Write(options, &wb), "writing to '" + path_ + "'");
}

Status RocksDBStore::Get(KeySpace space, std::string_view key, std::string* value) {
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Family(space), rocksdb::Slice(key.data(), key.size()), value);
  if (s.IsNotFound()) return Status::NotFound("key not found");
  return FromRocks(s, "reading from '" + path_ + "'");
}

Status RocksDBStore::Scan(KeySpace space, std::string_view prefix,
                          const std::function<Status(std::string_view, std::string_view)>& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Family(space)));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(prefix)) break;
    CF_RETURN_IF_ERROR(visit(key, std::string_view(it->value().data(), it->value().size())));
  }
  return FromRocks(it->status(), "scanning '" + path_ + "'");
}

}  // namespace classiflow
