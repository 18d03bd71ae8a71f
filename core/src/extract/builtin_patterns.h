// The built-in extractors' patterns, and the rules RE2 cannot express (it has no look-around):
// what a match must not touch, which part of a digit run is a code, where a URL really ends.
// Private to extractor.cpp and its tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace classiflow {

// Turns one match of a built-in's regex into values: appends to `out` the views into `text`
// it accepts, zero or more, left to right. `value` (the first capture group, or the whole
// match when the regex has none) is itself a view into `text`, so a filter may look at the
// characters around it.
using MatchFilter = void (*)(std::string_view text, std::string_view value,
                             std::vector<std::string_view>* out);

struct BuiltinPattern {
  std::string_view name;
  std::string regex;   // RE2 syntax
  MatchFilter filter;  // null: every match is a value
  // When the filter rejects a whole match, look for the next one after the match's first word
  // instead of after the match: the rejected match may have swallowed the start of a good one
  // ("4006381333932 $899": "4006381333932 $" is no price, "$899" is).
  bool rescan_rejected = false;
};

// All built-ins, in the order error messages list them: gtin, mpn, email, url, price.
const std::vector<BuiltinPattern>& BuiltinPatterns();

}  // namespace classiflow
