// Finds model header records in the raw bytes of a data directory's RocksDB log files,
// whatever their framing or damage: how a recovery open learns the newest version a damaged log
// held (RocksDB's own readers stop at the damaged block). Candidates are not verified here; the
// caller checks each value's record checksum, which weeds out false matches.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace classiflow {

// Appends (model name, sealed header value) for every Put of a "<model>\0h" key into column
// family `family_id` found in `dir`'s *.log files.
void ScanLoggedHeaders(const std::string& dir, uint32_t family_id,
                       std::vector<std::pair<std::string, std::string>>* out);

}  // namespace classiflow
