// Sealing of model records: each stored value carries an XXH64 checksum of its payload, so a
// flipped or missing byte in a store or file is reported as Corruption, never loaded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "classiflow/status.h"

namespace classiflow {

// Record keys inside a model (a store prefixes them with the model name).
inline constexpr std::string_view kOptionsRecord = "o";  // ModelOptions JSON
inline constexpr std::string_view kHeaderRecord = "h";   // version, labels, counters

// payload + checksum
std::string SealRecord(std::string payload);
// The version in a sealed header record (every kind's header starts with a u32 format and the
// u64 version); Corruption when its checksum or those fields fail. For recovery reports.
Status HeaderRecordVersion(std::string_view sealed, uint64_t* version);
// Verifies the checksum; `payload` views into `sealed`. Corruption names `what` on failure.
Status OpenRecord(std::string_view sealed, std::string_view what, std::string_view* payload);

}  // namespace classiflow
