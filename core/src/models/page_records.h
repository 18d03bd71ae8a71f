// Records of a kind that keeps its state in a PageTable: a header record, then one record per
// non-empty page keyed "p" + 8 hex digits. The parts every such kind shares live here; the
// kind encodes and decodes its own header fields and pages.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/snapshot.h"
#include "classiflow/status.h"
#include "models/model_records.h"
#include "util/binary_io.h"

namespace classiflow {

// Starts a header payload: format, version, labels. The kind appends its own fields.
inline void BeginHeader(uint64_t version, const std::vector<std::string>& labels, BinaryWriter* w) {
  w->PutU32(kHeaderFormat);
  w->PutU64(version);
  w->PutU32(static_cast<uint32_t>(labels.size()));
  for (const auto& label : labels) w->PutString(label);
}

// Opens the header record of `records` and reads what BeginHeader wrote; `r` is left at the
// kind's own fields (it reads from the records, which must outlive it). Corruption names
// `what` ("bayes header") for a missing or bad record.
inline Status OpenHeader(const std::map<std::string, std::string>& records, std::string_view what,
                         size_t max_labels, BinaryReader* r, uint64_t* version,
                         std::vector<std::string>* labels) {
  const std::string where(what);
  auto header = records.find(std::string(kHeaderRecord));
  if (header == records.end()) return Status::Corruption(where + " record missing");
  std::string_view payload;
  CF_RETURN_IF_ERROR(OpenRecord(header->second, what, &payload));
  *r = BinaryReader(payload);
  uint32_t format = 0;
  if (!r->GetU32(&format) || format != kHeaderFormat || !r->GetU64(version)) {
    return Status::Corruption(where + ": bad format");
  }
  return DecodeLabels(r, max_labels, what, labels);
}

// Appends the header record, then a put for every page of `now` that differs from `base` (all
// pages when base is null) and a delete for every page that became empty: a snapshot's
// RecordsSince.
template <class Table, class Encode>
void AppendRecords(std::string header, const Table& now, const Table* base, Encode&& encode,
                   ModelRecords* out) {
  out->puts.emplace_back(std::string(kHeaderRecord), std::move(header));
  now.ForEachChanged(base, [&](size_t p) {
    if (const auto* page = now.get(p)) {
      out->puts.emplace_back(PageKey(p), encode(*page));
    } else {
      out->deletes.push_back(PageKey(p));
    }
  });
}

// Decodes every page record of `records` into `pages` (sized already) with
// decode(payload, Page*) -> Status; `count` receives the pages read. Corruption names `what`
// ("bayes page") and the key for an index out of range, a bad checksum or a page decode refuses.
template <class Page, class Table, class Decode>
Status DecodePageRecords(const std::map<std::string, std::string>& records, std::string_view what,
                         Table* pages, Decode&& decode, uint64_t* count) {
  *count = 0;
  std::string_view payload;
  for (const auto& [key, value] : records) {
    size_t index = 0;
    if (!ParsePageKey(key, &index)) continue;
    if (index >= pages->size()) {
      return Status::Corruption(std::string(what) + " " + key + ": index out of range");
    }
    CF_RETURN_IF_ERROR(OpenRecord(value, what, &payload));
    auto page = std::make_shared<Page>();
    CF_RETURN_IF_ERROR(decode(payload, page.get()).WithContext("page " + key));
    pages->Set(index, std::move(page));
    ++*count;
  }
  return Status::OK();
}

}  // namespace classiflow
