#include "classiflow/open.h"

#include "memory_store.h"
#include "rocksdb_store.h"

namespace classiflow {

Status OpenStore(std::string_view uri, std::unique_ptr<Store>* out) {
  if (uri.empty() || uri == "memory:") {
    *out = std::make_unique<MemoryStore>();
    return Status::OK();
  }
  if (uri.starts_with("rocksdb:")) return RocksDBStore::Open(std::string(uri.substr(8)), out);
  for (std::string_view scheme : {"sqlite:", "redis:"}) {
    if (uri.starts_with(scheme)) {
      return Status::InvalidArgument("the " + std::string(scheme) +
                                     " engine backend is not available yet (use a directory path)");
    }
  }
  return RocksDBStore::Open(std::string(uri), out);
}

Status OpenEngine(std::string_view uri, const EngineOptions& options, std::unique_ptr<Engine>* out) {
  std::unique_ptr<Store> store;
  CF_RETURN_IF_ERROR(OpenStore(uri, &store));
  return Engine::Open(options, std::move(store), out);
}

}  // namespace classiflow
