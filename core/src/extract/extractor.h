// Extractor: finds one kind of value in text, for the pipeline's extract stage. An extractor
// is a built-in pattern or a user's RE2 regular expression; it needs no pipeline to be used.
//
// Matching is RE2's: linear in the text, no backtracking, no recursion, so no user pattern or
// text can crash or hang the host (std::regex overflows its stack on "(a|b)*c?" over 1 MB).
// Text is UTF-8; invalid bytes never match a character class but do no harm.
//
// Thread-safety: an Extractor is immutable after creation; any number of threads may call
// FindAll / FindFirst on one at the same time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "classiflow/status.h"
#include "extract/builtin_patterns.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace classiflow {

class Extractor {
 public:
  // Custom patterns longer than this are refused: a spec is configuration, not a corpus.
  static constexpr size_t kMaxPatternBytes = 4096;
  static constexpr size_t kMaxNameBytes = 64;
  // The work FindAll may spend on matches that give no value (see FindAll), in bytes of text.
  static constexpr size_t kEmptyMatchBudget = size_t{64} << 20;

  // Creates the built-in extractor `name`. The built-ins are case-insensitive where letters
  // matter, and a value glued to a letter or digit of any script is not one (except for
  // scripts written without spaces: Thai, kana, Han):
  //  gtin   Candidate GTIN-8/12/13/14 codes: runs of 8, 12, 13 or 14 ASCII digits, which single
  //         spaces or hyphens may group ("4 006381 333931", "978-3-16-148410-0"), not part of
  //         a longer word or decimal number. Within a longer run, the groups that have a code's
  //         length on their own are the candidates ("4006381333931 5901234123457" gives two).
  //         Check digits are not checked: that is the validate stage's IsValidGtin. ISBN-13s
  //         are GTIN-13s; ISBN-10s are not found (use a custom pattern).
  //  mpn    Manufacturer part numbers, only after a label: "MPN", "P/N", "Part Number",
  //         "Part No.", "Part #", then ':', '#', '=' or spaces ("MPN: ABC-123", "P/N 4711-B").
  //         The value is the token after the label: 3..40 ASCII letters, digits, '-', '.', '_',
  //         without trailing punctuation; after a label with no ':' / '#' / '=' / '.' it must
  //         hold a digit ("the part number changed" is prose). Unlabelled part numbers are not
  //         guessed: "ABC-123" alone looks like too many other things.
  //  email  Practical addresses, local@domain.tld with ASCII letters, digits and ._%+- in the
  //         local part and a letters-only TLD of 2+ characters. Not RFC 5322 (no quoted local
  //         parts, no IP literals, no internationalised domains).
  //  url    http:// and https:// URLs and "www." forms, up to a space, a quote (typographic
  //         ones too), an angle bracket or CJK punctuation; trailing ". , ; : ! ? *" and
  //         closing brackets the URL did not open are left out.
  //  price  An amount with a currency before or after it, at most one space between: a
  //         symbol ($ € £ ¥ ₹ ₽ ₩ ₺ ₪ ₫ ₴ ₦ ₱ ฿ ₿, ¢ after),
  //         a "US$"-style dollar, or a major ISO 4217 code (USD, EUR, GBP, JPY, CHF, ...):
  //         "$19.99", "€ 5", "19,99 €", "USD 1,299.00", "12.50 EUR". Amounts: digits,
  //         thousands grouped by , . ' or spaces, up to two decimals after . or ,. The value
  //         is the whole price text.
  // On success stores the extractor in *out. InvalidArgument naming `name` and listing the
  // built-ins when there is no such built-in. REQUIRES: out != nullptr.
  static Status Builtin(std::string_view name, std::unique_ptr<Extractor>* out);

  // Creates an extractor for a user's `pattern` (RE2 syntax, UTF-8) stored under `name`. The
  // value of a match is its first capture group when the pattern has one, else the whole match.
  // InvalidArgument for an empty `name` or one longer than kMaxNameBytes, an empty pattern, one
  // longer than kMaxPatternBytes, one RE2 refuses (the message carries RE2's error), or one
  // whose compiled program exceeds RE2's default memory budget ("pattern too large").
  // REQUIRES: out != nullptr.
  static Status Custom(std::string_view name, std::string_view pattern,
                       std::unique_ptr<Extractor>* out);

  ~Extractor();
  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;

  // Appends to *out the values found in `text`, left to right, non-overlapping, at most
  // `max_matches` of them (0 appends nothing). Values are views into `text`, valid as long as
  // it is; gtin values are the digits as written, separators included (NormalizeDigits).
  // Empty values (a pattern that matched nothing, or an empty or unmatched group) are skipped.
  // Cost: each value costs at most one pass over the rest of the text. After a match with no
  // value the search restarts one character further on, which a pattern that matches the
  // empty string everywhere would make quadratic: once such restarts have covered
  // kEmptyMatchBudget bytes of text in total, FindAll returns what it has. Built-in patterns
  // never match empty, and for texts up to 8 KiB the budget is never reached.
  // REQUIRES: out != nullptr.
  void FindAll(std::string_view text, size_t max_matches, std::vector<std::string_view>* out) const;

  // Stores the first value in *out and returns true, or returns false when there is none.
  // REQUIRES: out != nullptr.
  bool FindFirst(std::string_view text, std::string_view* out) const;

  const std::string& name() const { return name_; }
  // True for a built-in pattern, false for a user's.
  bool builtin() const { return builtin_; }

 private:
  Extractor(std::string_view name, std::unique_ptr<re2::RE2> regex, MatchFilter filter,
            bool builtin, bool rescan_rejected);

  std::string name_;
  std::unique_ptr<const re2::RE2> regex_;
  MatchFilter filter_;  // null: every non-empty value counts
  bool builtin_;
  bool rescan_rejected_;  // BuiltinPattern::rescan_rejected
  int submatches_;        // whole match, plus the first group when there is one
};

// `code` without its spaces and hyphens, e.g. a gtin value "4 006381-333931" becomes
// "4006381333931". Other characters are kept (an ISBN-10's final X stays).
std::string NormalizeDigits(std::string_view code);

}  // namespace classiflow
