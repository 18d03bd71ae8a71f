// The structured input of model_file_sealed_fuzzer, and its conversion to a model file with
// valid checksums.
//
// Layout: fields separated by kSealedSeparator — the model name, the kind, then alternating
// record keys and record payloads ("o" = options JSON, "h" = header, "p%08x" = a page; see
// core/src/models/bayes/records.cpp). A key without a payload gets an empty one. Every payload
// is sealed as the store seals it (SealRecord), and the file gets its trailing XXH64, so each
// decoder sees exactly the bytes the fuzzer chose.
#pragma once

#include <string>
#include <string_view>

namespace classiflow::fuzz {

inline constexpr std::string_view kSealedSeparator = "\n@@\n";

// Structured input -> model file bytes (format 1, as Model::Save writes them).
std::string SealModelFile(std::string_view structured);

// A model file written by Model::Save -> structured input (the checksums dropped); "" when
// `file` is not a well-formed model file or a field contains kSealedSeparator.
std::string UnsealModelFile(std::string_view file);

}  // namespace classiflow::fuzz
