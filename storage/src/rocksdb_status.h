// RocksDB's statuses as classiflow's (status.h), shared by the RocksDBStore sources.
#pragma once

#include <rocksdb/status.h>

#include <string>

#include "classiflow/status.h"

namespace classiflow {

// `s` as a Status whose message starts with `context`: a held LOCK file, Busy and TryAgain are
// Busy; Corruption, NotFound and InvalidArgument keep their codes; any other failure is IOError.
Status FromRocks(const rocksdb::Status& s, const std::string& context);

// What every call returns after Close(), naming the directory.
Status StoreClosed(const std::string& path);

}  // namespace classiflow
