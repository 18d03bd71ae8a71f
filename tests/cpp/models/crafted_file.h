// Builders of hostile model files whose checksums are all VALID: records sealed with
// SealRecord, the file laid out as model_file.cpp documents it and closed with its XXH64. So a
// test reaches the parser's checks of counts, offsets, labels and names, not the checksum.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "models/bayes/snapshot.h"
#include "models/model_records.h"
#include "util/binary_io.h"

namespace classiflow::testing {

// One page record's payload: entry count, kPageSize + 1 offsets, (label, count) pairs.
struct CraftedPage {
  std::array<uint32_t, kPageSize + 1> offsets{};
  std::vector<std::pair<uint32_t, uint32_t>> entries;  // (label, count)
  int64_t count_override = -1;                         // >= 0: the entry count written instead

  // A page whose row `row` holds `entries` (sorted labels); other rows empty.
  static CraftedPage OneRow(uint32_t row, std::vector<std::pair<uint32_t, uint32_t>> entries) {
    CraftedPage page;
    page.entries = std::move(entries);
    for (uint32_t r = 0; r <= kPageSize; ++r) {
      page.offsets[r] = r <= row ? 0 : static_cast<uint32_t>(page.entries.size());
    }
    return page;
  }

  std::string Payload() const {
    std::string out;
    BinaryWriter w(&out);
    w.PutU32(count_override >= 0 ? static_cast<uint32_t>(count_override)
                                 : static_cast<uint32_t>(entries.size()));
    w.PutRaw(offsets.data(), sizeof(uint32_t) * offsets.size());
    for (const auto& [label, count] : entries) {
      w.PutU32(label);
      w.PutU32(count);
    }
    return out;
  }
};

// A Bayes model file, field by field. The defaults load: two labels, one trained feature.
struct CraftedModel {
  std::string kind = "bayes";
  std::string name = "crafted";
  std::string options_json = R"({"ngrams":1,"hash_bits":10})";
  int hash_bits = 10;
  uint64_t version = 1;
  std::vector<std::string> labels = {"a", "b"};
  int64_t label_count_override = -1;  // >= 0: written instead of labels.size()
  uint64_t distinct = 1;
  std::map<size_t, CraftedPage> pages = {{0, CraftedPage::OneRow(3, {{0, 1}})}};
  std::vector<std::pair<std::string, std::string>> extra_records;  // appended as is (sealed)
  int64_t record_count_override = -1;

  std::string Header() const {
    std::string out;
    BinaryWriter w(&out);
    w.PutU32(1);  // header format
    w.PutU64(version);
    w.PutU32(label_count_override >= 0 ? static_cast<uint32_t>(label_count_override)
                                       : static_cast<uint32_t>(labels.size()));
    for (const auto& label : labels) w.PutString(label);
    for (size_t i = 0; i < labels.size(); ++i) w.PutU64(1);  // documents per label
    for (size_t i = 0; i < labels.size(); ++i) w.PutU64(1);  // tokens per label
    w.PutU64(distinct);
    w.PutU32(static_cast<uint32_t>((size_t{1} << hash_bits) / kPageSize));
    return out;
  }

  std::vector<std::pair<std::string, std::string>> Records() const {
    std::vector<std::pair<std::string, std::string>> records = {
        {std::string(kOptionsRecord), SealRecord(options_json)},
        {std::string(kHeaderRecord), SealRecord(Header())}};
    for (const auto& [index, page] : pages) {
      char key[24];
      std::snprintf(key, sizeof key, "p%08zx", index);
      records.emplace_back(key, SealRecord(page.Payload()));
    }
    records.insert(records.end(), extra_records.begin(), extra_records.end());
    return records;
  }

  std::map<std::string, std::string> RecordMap() const {
    std::map<std::string, std::string> map;
    for (const auto& [key, value] : Records()) map[key] = value;
    return map;
  }

  std::string File() const {
    const auto records = Records();
    std::string bytes("CFMODEL\0", 8);
    BinaryWriter w(&bytes);
    w.PutU32(1);  // file format
    w.PutString(kind);
    w.PutString(name);
    w.PutU32(record_count_override >= 0 ? static_cast<uint32_t>(record_count_override)
                                        : static_cast<uint32_t>(records.size()));
    for (const auto& [key, value] : records) {
      w.PutString(key);
      w.PutString(value);
    }
    w.PutU64(XXH64(bytes.data(), bytes.size(), 0));
    return bytes;
  }
};

}  // namespace classiflow::testing
