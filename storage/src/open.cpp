#include "classiflow/open.h"

#include <filesystem>

#include "memory_store.h"
#include "rocksdb_store.h"
#include "sqlite_results_sink.h"
#include "sqlite_store.h"

namespace classiflow {
namespace {

constexpr std::string_view kMemory = "memory:";
constexpr std::string_view kSqlite = "sqlite:";
constexpr std::string_view kRocksDB = "rocksdb:";

// The path a URI names and whether it is an SQLite file; InvalidArgument for schemes that are
// not backends yet.
Status PathOf(std::string_view uri, std::string* path, bool* sqlite) {
  if (uri.empty()) {
    return Status::InvalidArgument("empty engine URI (use \"memory:\" for an in-memory engine)");
  }
  if (uri.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("engine URI contains a NUL byte");
  }
  if (uri.starts_with("redis:")) {
    return Status::InvalidArgument(
        "the redis: engine backend is not available yet (use a directory path or sqlite:FILE)");
  }
  *sqlite = uri.starts_with(kSqlite);
  if (*sqlite) {
    uri.remove_prefix(kSqlite.size());
    if (uri.empty()) return Status::InvalidArgument("\"sqlite:\" names no file (sqlite:FILE)");
  } else if (uri.starts_with(kRocksDB)) {
    uri.remove_prefix(kRocksDB.size());
  }
  *path = std::string(uri);
  return Status::OK();
}

// Sinks open through the storage layer; a relative sink path names a file in the data
// directory, or beside the engine's SQLite file (the working directory for "memory:").
EngineServices ServicesFor(std::string_view uri) {
  EngineServices services;
  services.open_results_sink = OpenSqliteResultsSink;
  std::string path;
  bool sqlite = false;
  if (uri != kMemory && PathOf(uri, &path, &sqlite).ok()) {
    services.base_dir = sqlite ? std::filesystem::path(path).parent_path().string() : path;
  }
  return services;
}

// SQLite keeps no damaged tail to drop: a WAL frame that fails its checksum ends the log, and
// that is what it always opens to. A recovery open is a plain open whose report says so.
Status OpenSqliteRecovering(std::string_view uri, const EngineOptions& options,
                            std::unique_ptr<Engine>* out) {
  CF_RETURN_IF_ERROR(options.Validate());  // recover in mode kRead: before anything is opened
  std::unique_ptr<Store> store;
  CF_RETURN_IF_ERROR(OpenStore(uri, StoreOptions(), &store));
  std::map<std::string, int64_t> before;
  Engine::StoredVersions(*store, &before);
  std::unique_ptr<Engine> engine;
  CF_RETURN_IF_ERROR(Engine::Open(options, std::move(store), ServicesFor(uri), &engine));
  engine->NoteRecovery(before);
  *out = std::move(engine);
  return Status::OK();
}

RocksDBStoreOptions ToRocks(const StoreOptions& options) {
  RocksDBStoreOptions rocks;
  rocks.read_only = options.read_only;
  rocks.recover = options.recover;
  return rocks;
}

}  // namespace

Status OpenStore(std::string_view uri, const StoreOptions& options, std::unique_ptr<Store>* out) {
  if (uri == kMemory) {
    if (options.read_only)
      return Status::InvalidArgument("an in-memory engine cannot be opened for reading");
    *out = std::make_unique<MemoryStore>();
    return Status::OK();
  }
  std::string path;
  bool sqlite = false;
  CF_RETURN_IF_ERROR(PathOf(uri, &path, &sqlite));
  if (sqlite) {
    SqliteStoreOptions sqlite_options;
    sqlite_options.read_only = options.read_only;
    return SqliteStore::Open(path, sqlite_options, out);  // nothing to recover: see open.h
  }
  return RocksDBStore::Open(path, ToRocks(options), out);
}

Status OpenStore(std::string_view uri, std::unique_ptr<Store>* out) {
  return OpenStore(uri, StoreOptions(), out);
}

Status OpenEngine(std::string_view uri, const EngineOptions& options,
                  std::unique_ptr<Engine>* out) {
  StoreOptions store_options;
  store_options.read_only = options.mode == EngineOptions::Mode::kRead;
  std::unique_ptr<Store> store;
  if (!options.recover || uri == kMemory) {
    CF_RETURN_IF_ERROR(OpenStore(uri, store_options, &store));
    return Engine::Open(options, std::move(store), ServicesFor(uri), out);
  }
  std::string path;
  bool sqlite = false;
  CF_RETURN_IF_ERROR(PathOf(uri, &path, &sqlite));
  if (sqlite) return OpenSqliteRecovering(uri, options, out);
  std::map<std::string, int64_t> before;
  CF_RETURN_IF_ERROR(RocksDBStore::OpenRecovering(
      path, ToRocks(store_options),
      [&](Store& view, const std::vector<std::pair<std::string, std::string>>& logged) {
        Engine::StoredVersions(view, &before);
        for (const auto& [model, header] : logged) Engine::NoteLoggedHeader(model, header, &before);
      },
      &store));
  std::unique_ptr<Engine> engine;
  CF_RETURN_IF_ERROR(Engine::Open(options, std::move(store), ServicesFor(uri), &engine));
  engine->NoteRecovery(before);
  *out = std::move(engine);
  return Status::OK();
}

}  // namespace classiflow
