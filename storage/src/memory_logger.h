// MemoryLogger: RocksDB's info log, kept in memory instead of a LOG file.
//
// Why: RocksDB's default info log is a file in the data directory, and on a full disk Debian's
// librocksdb (built with its asserts) aborts the process while writing it — measured: the same
// failed write with this logger returns IOError and the process lives. Keeping the log off the
// data disk also means opening a read-only directory, or refusing a foreign one, writes nothing.
// Warnings and errors are kept (the last kKeep lines), so an error message can quote them.
//
// Thread-safety: RocksDB calls Logv from many threads; Recent() may be called from any thread.
#pragma once

#include <rocksdb/env.h>

#include <cstdarg>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>

namespace classiflow {

class MemoryLogger final : public rocksdb::Logger {
 public:
  MemoryLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::WARN_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char line[512];
    (void)std::vsnprintf(line, sizeof line, format, ap);  // a longer line is cut, on purpose
    std::lock_guard<std::mutex> lock(mu_);
    lines_.emplace_back(line);
    if (lines_.size() > kKeep) lines_.pop_front();
  }

  // The most recent warning or error RocksDB logged that names one of the database's files
  // (RocksDB's statuses often do not, its log lines do), else the most recent one, or "".
  std::string RecentAboutFiles() const {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = lines_.rbegin(); it != lines_.rend(); ++it) {
      for (const char* file : {".log", ".sst", "MANIFEST", "CURRENT", "OPTIONS"}) {
        if (it->find(file) != std::string::npos) return *it;
      }
    }
    return lines_.empty() ? std::string() : lines_.back();
  }

 private:
  static constexpr size_t kKeep = 32;
  mutable std::mutex mu_;
  std::deque<std::string> lines_;
};

}  // namespace classiflow
