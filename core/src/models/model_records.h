// Sealing of model records: each stored value carries an XXH64 checksum of its payload, so a
// flipped or missing byte in a store or file is reported as Corruption, never loaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/status.h"

namespace classiflow {

// Record keys inside a model (a store prefixes them with the model name).
inline constexpr std::string_view kOptionsRecord = "o";  // ModelOptions JSON
inline constexpr std::string_view kHeaderRecord = "h";   // version, labels, counters

// Every kind's header record starts with this u32, then the u64 version.
inline constexpr uint32_t kHeaderFormat = 1;

class BinaryReader;

// Page records: "p" + 8 hex digits of the page index.
std::string PageKey(size_t index);
bool ParsePageKey(std::string_view key, size_t* index);
// Reads a header's label list (u32 count, then strings): at most `max_labels` (checked before
// anything is allocated), each valid and distinct, as at create. Corruption names `what`.
Status DecodeLabels(BinaryReader* r, size_t max_labels, std::string_view what,
                    std::vector<std::string>* labels);

// payload + checksum
std::string SealRecord(std::string payload);
// The version in a sealed header record (every kind's header starts with a u32 format and the
// u64 version); Corruption when its checksum or those fields fail. For recovery reports.
Status HeaderRecordVersion(std::string_view sealed, uint64_t* version);
// Verifies the checksum; `payload` views into `sealed`. Corruption names `what` on failure.
Status OpenRecord(std::string_view sealed, std::string_view what, std::string_view* payload);

}  // namespace classiflow
