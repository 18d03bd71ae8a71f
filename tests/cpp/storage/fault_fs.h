// FaultFS: a RocksDB FileSystemWrapper that injects I/O faults (RocksDB's own technique, as in
// its FaultInjectionTestFS): no space left after a byte budget, EIO on the Nth append or sync,
// failing renames. Faults can be switched on and off while a database is open.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>
#include <string>

namespace classiflow::testing {

class FaultFS : public rocksdb::FileSystemWrapper {
 public:
  FaultFS() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FaultFS"; }

  // Appends fail with NoSpace once this many more bytes were appended; -1 = unlimited.
  std::atomic<int64_t> space_left{-1};
  // The Nth append / sync from now fails with EIO (1 = the next one); 0 = never.
  std::atomic<int64_t> fail_append_in{0};
  std::atomic<int64_t> fail_sync_in{0};
  std::atomic<bool> fail_renames{false};
  std::atomic<int64_t> faults{0};  // faults injected so far

  void Heal() {
    space_left = -1;
    fail_append_in = 0;
    fail_sync_in = 0;
    fail_renames = false;
  }

  rocksdb::IOStatus NewWritableFile(const std::string& fname, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(fname, options, &file, dbg);
    if (s.ok()) result->reset(new File(std::move(file), this));
    return s;
  }

  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& target_name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (fail_renames) return Fault(rocksdb::IOStatus::IOError("injected: rename failed"));
    return target()->RenameFile(src, target_name, options, dbg);
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, FaultFS* fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->BeforeAppend(data.size());
      return s.ok() ? target()->Append(data, options, dbg) : s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->BeforeAppend(data.size());
      return s.ok() ? target()->Append(data, options, info, dbg) : s;
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->BeforeSync();
      return s.ok() ? target()->Sync(options, dbg) : s;
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      rocksdb::IOStatus s = fs_->BeforeSync();
      return s.ok() ? target()->Fsync(options, dbg) : s;
    }

   private:
    FaultFS* fs_;
  };

  rocksdb::IOStatus Fault(rocksdb::IOStatus s) {
    ++faults;
    return s;
  }
  // Counts down a "fail in N" counter; true when it reaches the failing call.
  static bool CountDown(std::atomic<int64_t>& counter) {
    int64_t n = counter.load();
    while (n > 0 && !counter.compare_exchange_weak(n, n - 1)) {
    }
    return n == 1;
  }
  rocksdb::IOStatus BeforeAppend(size_t bytes) {
    if (CountDown(fail_append_in))
      return Fault(rocksdb::IOStatus::IOError("injected: EIO on append"));
    int64_t left = space_left.load();
    while (left >= 0) {
      if (left < static_cast<int64_t>(bytes))
        return Fault(rocksdb::IOStatus::NoSpace("injected: no space left"));
      if (space_left.compare_exchange_weak(left, left - static_cast<int64_t>(bytes))) break;
    }
    return rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus BeforeSync() {
    if (CountDown(fail_sync_in)) return Fault(rocksdb::IOStatus::IOError("injected: EIO on sync"));
    return rocksdb::IOStatus::OK();
  }
};

}  // namespace classiflow::testing
