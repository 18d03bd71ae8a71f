#include "extract/check_digits.h"

#include <cstddef>
#include <cstdint>

namespace classiflow {
namespace {

// GTIN-14 is the longest code checked; a longer input is refused without reading it all.
constexpr size_t kMaxDigits = 14;
constexpr uint8_t kIsbnX = 10;

struct Digits {
  uint8_t value[kMaxDigits];
  size_t count = 0;
};

// Collects the digit values of `code`, skipping separators. With `allow_final_x`, an 'X' or 'x'
// counts as kIsbnX but nothing may follow it. False for any other character or too many digits.
bool ParseDigits(std::string_view code, bool allow_final_x, Digits* digits) {
  bool seen_x = false;
  for (const char c : code) {
    if (c == ' ' || c == '-') continue;
    const bool is_x = allow_final_x && (c == 'X' || c == 'x');
    if (seen_x || digits->count == kMaxDigits || (!is_x && (c < '0' || c > '9'))) return false;
    seen_x = is_x;
    digits->value[digits->count++] = is_x ? kIsbnX : static_cast<uint8_t>(c - '0');
  }
  return true;
}

// GS1: weights 3 and 1 alternate from the digit left of the check digit, which weighs 1, and
// the weighted sum of all digits is a multiple of 10. The same rule serves every length.
bool GtinSumOk(const Digits& digits) {
  unsigned sum = 0;
  for (size_t i = 0; i < digits.count; ++i) {
    const size_t from_right = digits.count - 1 - i;
    sum += digits.value[i] * (from_right % 2 == 1 ? 3u : 1u);
  }
  return sum % 10 == 0;
}

bool IsGtinLength(size_t count) { return count == 8 || count == 12 || count == 13 || count == 14; }

bool Isbn10SumOk(const Digits& digits) {
  unsigned sum = 0;
  for (size_t i = 0; i < 10; ++i) sum += digits.value[i] * static_cast<unsigned>(10 - i);
  return sum % 11 == 0;
}

bool HasX(const Digits& digits) { return digits.value[digits.count - 1] == kIsbnX; }

}  // namespace

bool IsValidGtin(std::string_view code) {
  Digits digits;
  return ParseDigits(code, /*allow_final_x=*/false, &digits) && IsGtinLength(digits.count) &&
         GtinSumOk(digits);
}

bool IsValidIsbn(std::string_view code) {
  Digits digits;
  if (!ParseDigits(code, /*allow_final_x=*/true, &digits)) return false;
  if (digits.count == 10) return Isbn10SumOk(digits);
  if (digits.count != 13 || HasX(digits)) return false;
  const bool bookland = digits.value[0] == 9 && digits.value[1] == 7 &&
                        (digits.value[2] == 8 || digits.value[2] == 9);
  return bookland && GtinSumOk(digits);
}

bool FindCheck(std::string_view name, bool (**check)(std::string_view)) {
  bool (*found)(std::string_view) = nullptr;
  if (name == "gtin" || name == "ean" || name == "upc") {
    found = IsValidGtin;
  } else if (name == "isbn") {
    found = IsValidIsbn;
  } else {
    return false;
  }
  if (check != nullptr) *check = found;
  return true;
}

}  // namespace classiflow
