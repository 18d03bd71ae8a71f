// RocksDBStore: a Store in a RocksDB data directory, one column family per key space
// ("models", "meta"). RocksDB's LOCK file makes the directory exclusive to one open store;
// a second open reports Busy.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "classiflow/store.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace classiflow {

class RocksDBStore final : public Store {
 public:
  // Opens (creating if needed) the directory `path`. Busy when it is locked, IOError when it
  // cannot be created or written, Corruption when RocksDB finds damaged files.
  static Status Open(const std::string& path, std::unique_ptr<Store>* out);
  ~RocksDBStore() override;

  Status Write(const std::vector<StoreWrite>& batch, bool sync) override;
  Status Get(KeySpace space, std::string_view key, std::string* value) override;
  Status Scan(KeySpace space, std::string_view prefix,
              const std::function<Status(std::string_view, std::string_view)>& visit) override;
  std::string Describe() const override { return "rocksdb:" + path_; }

 private:
  RocksDBStore(std::string path, rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*> cfs);
  rocksdb::ColumnFamilyHandle* Family(KeySpace space) const;

  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;  // default, models, meta
};

}  // namespace classiflow
