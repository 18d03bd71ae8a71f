#include "models/model_records.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdio>

#include "classiflow/model_options.h"
#include "util/binary_io.h"

namespace classiflow {

std::string PageKey(size_t index) {
  char key[24];
  (void)std::snprintf(key, sizeof key, "p%08zx", index);  // 9 bytes always fit
  return key;
}

bool ParsePageKey(std::string_view key, size_t* index) {
  if (key.size() != 9 || key[0] != 'p') return false;
  size_t value = 0;
  for (char c : key.substr(1)) {
    const int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (digit < 0) return false;
    value = value * 16 + static_cast<size_t>(digit);
  }
  *index = value;
  return true;
}

Status DecodeLabels(BinaryReader* r, size_t max_labels, std::string_view what,
                    std::vector<std::string>* labels) {
  const std::string where(what);
  uint32_t n_labels = 0;
  if (!r->GetU32(&n_labels)) return Status::Corruption(where + ": bad format");
  // Each label takes at least its 4-byte length: a count the record cannot hold is refused
  // before it sizes anything.
  if (n_labels > max_labels || n_labels > r->remaining() / sizeof(uint32_t)) {
    return Status::Corruption(where + ": label count " + std::to_string(n_labels) +
                              " is over the limit of " + std::to_string(max_labels) +
                              " or larger than the record");
  }
  labels->reserve(n_labels);
  for (uint32_t i = 0; i < n_labels; ++i) {
    std::string_view label;
    if (!r->GetString(&label)) return Status::Corruption(where + ": truncated labels");
    labels->emplace_back(label);
  }
  Status s = ValidateLabels(*labels, max_labels);
  if (!s.ok()) return Status::Corruption(where + ": bad labels: " + s.message());
  return Status::OK();
}

Status HeaderRecordVersion(std::string_view sealed, uint64_t* version) {
  std::string_view payload;
  CF_RETURN_IF_ERROR(OpenRecord(sealed, "header", &payload));
  BinaryReader r(payload);
  uint32_t format = 0;
  if (!r.GetU32(&format) || format != kHeaderFormat || !r.GetU64(version)) {
    return Status::Corruption("header: bad format");
  }
  return Status::OK();
}

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
