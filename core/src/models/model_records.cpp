#include "models/model_records.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "util/binary_io.h"

namespace classiflow {

std::string SealRecord(std::string payload) {
  const uint64_t sum = XXH64(payload.data(), payload.size(), 0);
  BinaryWriter(&payload).PutU64(sum);
  return payload;
}

Status OpenRecord(std::string_view sealed, std::string_view what, std::string_view* payload) {
  if (sealed.size() < sizeof(uint64_t)) {
    return Status::Corruption(std::string(what) + ": record truncated");
  }
  std::string_view body = sealed.substr(0, sealed.size() - sizeof(uint64_t));
  uint64_t stored = 0;
  BinaryReader(sealed.substr(body.size())).GetU64(&stored);
  if (XXH64(body.data(), body.size(), 0) != stored) {
    return Status::Corruption(std::string(what) + ": checksum mismatch");
  }
  *payload = body;
  return Status::OK();
}

}  // namespace classiflow
