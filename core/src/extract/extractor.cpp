#include "extract/extractor.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "util/json_options.h"

namespace classiflow {
namespace {

// RE2's messages quote the pattern, which may be 4 KiB: the error keeps the start of it.
constexpr size_t kMaxRe2ErrorBytes = 200;

std::string BuiltinNames() {
  std::string names;
  for (const BuiltinPattern& pattern : BuiltinPatterns()) {
    if (!names.empty()) names += ", ";
    names += pattern.name;
  }
  return names;
}

std::string CutUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

// Compiles `pattern`; the caller's name goes into the error. RE2 logs nothing (the error is
// returned) and keeps its default max_mem, which bounds the compiled program's size.
Status Compile(std::string_view name, std::string_view pattern, std::unique_ptr<re2::RE2>* out) {
  RE2::Options options;
  options.set_log_errors(false);
  auto regex =
      std::make_unique<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!regex->ok()) {
    return Status::InvalidArgument("bad regex for " + QuotePrefix(name) + ": " +
                                   CutUtf8(regex->error(), kMaxRe2ErrorBytes));
  }
  *out = std::move(regex);
  return Status::OK();
}

Status CheckName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("an extractor needs a non-empty name");
  if (name.size() > Extractor::kMaxNameBytes) {
    return Status::InvalidArgument("extractor name " + QuotePrefix(name) + " is longer than " +
                                   std::to_string(Extractor::kMaxNameBytes) + " bytes");
  }
  return Status::OK();
}

std::string_view View(const re2::StringPiece& piece) {
  return std::string_view(piece.data(), piece.size());
}

// Bytes in the UTF-8 character at text[pos] (1 for a stray byte), so that a restart after an
// empty match never lands inside a character.
size_t CharLength(std::string_view text, size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  size_t length = 1;
  if (lead >= 0xF0) {
    length = 4;
  } else if (lead >= 0xE0) {
    length = 3;
  } else if (lead >= 0xC0) {
    length = 2;
  }
  return std::min(length, text.size() - pos);
}

// Where the first word of `match` (a view into `text`) ends: after its leading run of ASCII
// letters and digits, or after its first character when it starts with neither. Always past
// the match's start, so a rescan makes progress.
size_t AfterFirstWord(std::string_view text, std::string_view match) {
  size_t pos = static_cast<size_t>(match.data() - text.data());
  const size_t end = pos + match.size();
  const size_t start = pos;
  while (pos < end && std::isalnum(static_cast<unsigned char>(text[pos])) != 0) ++pos;
  return pos > start ? pos : start + CharLength(text, start);
}

}  // namespace

Extractor::Extractor(std::string_view name, std::unique_ptr<re2::RE2> regex, MatchFilter filter,
                     bool builtin, bool rescan_rejected)
    : name_(name),
      regex_(std::move(regex)),
      filter_(filter),
      builtin_(builtin),
      rescan_rejected_(rescan_rejected),
      submatches_(regex_->NumberOfCapturingGroups() > 0 ? 2 : 1) {}

Extractor::~Extractor() = default;

Status Extractor::Builtin(std::string_view name, std::unique_ptr<Extractor>* out) {
  for (const BuiltinPattern& pattern : BuiltinPatterns()) {
    if (pattern.name != name) continue;
    std::unique_ptr<re2::RE2> regex;
    const Status s = Compile(name, pattern.regex, &regex);
    if (!s.ok()) return Status::Internal("built-in extractor: " + s.message());
    out->reset(new Extractor(name, std::move(regex), pattern.filter, /*builtin=*/true,
                             pattern.rescan_rejected));
    return Status::OK();
  }
  return Status::InvalidArgument("unknown extractor " + QuotePrefix(name) +
                                 " (built-ins: " + BuiltinNames() + ")");
}

Status Extractor::Custom(std::string_view name, std::string_view pattern,
                         std::unique_ptr<Extractor>* out) {
  CF_RETURN_IF_ERROR(CheckName(name));
  if (pattern.empty()) {
    return Status::InvalidArgument("bad regex for " + QuotePrefix(name) + ": empty pattern");
  }
  if (pattern.size() > kMaxPatternBytes) {
    return Status::InvalidArgument("bad regex for " + QuotePrefix(name) + ": " +
                                   std::to_string(pattern.size()) + " bytes, more than " +
                                   std::to_string(kMaxPatternBytes));
  }
  std::unique_ptr<re2::RE2> regex;
  CF_RETURN_IF_ERROR(Compile(name, pattern, &regex));
  out->reset(new Extractor(name, std::move(regex), /*filter=*/nullptr, /*builtin=*/false,
                           /*rescan_rejected=*/false));
  return Status::OK();
}

void Extractor::FindAll(std::string_view text, size_t max_matches,
                        std::vector<std::string_view>* out) const {
  const size_t first = out->size();
  const re2::StringPiece subject(text.data(), text.size());
  size_t pos = 0;
  size_t budget = kEmptyMatchBudget;
  re2::StringPiece match[2];
  while (out->size() - first < max_matches && pos <= text.size()) {
    if (!regex_->Match(subject, pos, text.size(), RE2::UNANCHORED, match, submatches_)) break;
    const std::string_view whole = View(match[0]);
    const std::string_view value = View(match[submatches_ - 1]);
    const size_t end = static_cast<size_t>(whole.data() - text.data()) + whole.size();
    if (!value.empty()) {
      const size_t before = out->size();
      if (filter_ != nullptr) {
        filter_(text, value, out);
      } else {
        out->push_back(value);
      }
      pos = end;
      if (rescan_rejected_ && out->size() == before) {
        // What is scanned twice is paid from the same budget as empty matches: a text made of
        // rejected matches cannot make the scan quadratic.
        const size_t resume = AfterFirstWord(text, whole);
        if (end - resume <= budget) {
          budget -= end - resume;
          pos = resume;
        }
      }
      continue;
    }
    const size_t cost = text.size() - pos;  // what this restart may scan, at most
    if (cost > budget) break;
    budget -= cost;
    if (!whole.empty()) {
      pos = end;
    } else if (end < text.size()) {
      pos = end + CharLength(text, end);
    } else {
      break;
    }
  }
  if (out->size() - first > max_matches) out->resize(first + max_matches);
}

bool Extractor::FindFirst(std::string_view text, std::string_view* out) const {
  std::vector<std::string_view> values;
  FindAll(text, 1, &values);
  if (values.empty()) return false;
  *out = values.front();
  return true;
}

std::string NormalizeDigits(std::string_view code) {
  std::string normal;
  normal.reserve(code.size());
  for (const char c : code) {
    if (c != ' ' && c != '-') normal.push_back(c);
  }
  return normal;
}

}  // namespace classiflow
