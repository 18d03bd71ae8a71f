#include "classiflow/open.h"

#include "memory_store.h"
#include "rocksdb_store.h"

namespace classiflow {
namespace {

constexpr std::string_view kMemory = "memory:";

// The directory a URI names; InvalidArgument for schemes that are not backends yet.
Status DirectoryOf(std::string_view uri, std::string* path) {
  if (uri.empty()) {
    return Status::InvalidArgument("empty engine URI (use \"memory:\" for an in-memory engine)");
  }
  if (uri.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("engine URI contains a NUL byte");
  }
  for (std::string_view scheme : {"sqlite:", "redis:"}) {
    if (uri.starts_with(scheme)) {
      return Status::InvalidArgument("the " + std::string(scheme) +
                                     " engine backend is not available yet (use a directory path)");
    }
  }
  if (uri.starts_with("rocksdb:")) uri.remove_prefix(8);
  *path = std::string(uri);
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
  CF_RETURN_IF_ERROR(DirectoryOf(uri, &path));
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
    return Engine::Open(options, std::move(store), out);
  }
  std::string path;
  CF_RETURN_IF_ERROR(DirectoryOf(uri, &path));
  std::map<std::string, int64_t> before;
  CF_RETURN_IF_ERROR(RocksDBStore::OpenRecovering(
      path, ToRocks(store_options),
      [&](Store& view, const std::vector<std::pair<std::string, std::string>>& logged) {
        Engine::StoredVersions(view, &before);
        for (const auto& [model, header] : logged) Engine::NoteLoggedHeader(model, header, &before);
      },
      &store));
  std::unique_ptr<Engine> engine;
  CF_RETURN_IF_ERROR(Engine::Open(options, std::move(store), &engine));
  engine->NoteRecovery(before);
  *out = std::move(engine);
  return Status::OK();
}

}  // namespace classiflow
