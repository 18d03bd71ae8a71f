#include "extract/builtin_patterns.h"

#include <cstdint>
#include <string>

#include "analysis/utf8.h"

namespace classiflow {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAsciiWord(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Thai, kana and Han are written without spaces between words, so a number next to them
// ("JANコード4901234567894") stands on its own.
bool WrittenWithoutSpaces(uint32_t cp) {
  return (cp >= 0x0E00 && cp <= 0x0E7F) || (cp >= 0x3040 && cp <= 0x30FF) ||
         (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF);
}

// True when a letter, digit or '_' of any script starts at text[pos]. RE2's \b only knows
// ASCII, so "é4006381333931" would otherwise yield a code glued to a word.
bool WordCharAt(std::string_view text, size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return IsAsciiWord(text[pos]);
  uint32_t cp;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data()) + pos;
  return utf8::Decode(bytes, text.size() - pos, &cp) > 0 && utf8::IsWordCodePoint(cp) &&
         !WrittenWithoutSpaces(cp);
}

// The same for the character that ends just before text[end] (end > 0).
bool WordCharBefore(std::string_view text, size_t end) {
  size_t start = end - 1;
  while (start > 0 && end - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) {
    --start;
  }
  return WordCharAt(text.substr(0, end), start);
}

size_t Offset(std::string_view text, std::string_view value) {
  return static_cast<size_t>(value.data() - text.data());
}

// True when `value` continues a word, or a number through one of `joints` ("3.14159265358979"
// holds no 14-digit code, "$1.5M" no price "$1").
bool JoinsNeighbour(std::string_view text, std::string_view value, std::string_view joints) {
  const size_t begin = Offset(text, value);
  const size_t end = begin + value.size();
  if (begin > 0) {
    if (WordCharBefore(text, begin)) return true;
    if (begin >= 2 && joints.find(text[begin - 1]) != joints.npos && IsDigit(text[begin - 2])) {
      return true;
    }
  }
  if (end < text.size()) {
    if (WordCharAt(text, end)) return true;
    if (end + 1 < text.size() && joints.find(text[end]) != joints.npos && IsDigit(text[end + 1])) {
      return true;
    }
  }
  return false;
}

bool IsGtinLength(size_t digits) {
  return digits == 8 || digits == 12 || digits == 13 || digits == 14;
}

void AppendGtin(std::string_view text, std::string_view code, std::vector<std::string_view>* out) {
  if (!JoinsNeighbour(text, code, ".")) out->push_back(code);
}

// `run` is a maximal run of digits that single spaces or hyphens may group. Groups that are
// codes on their own win: "4006381333931 5901234123457" is a list, "4006381333931 5 pcs" a code
// and a quantity. Otherwise the run is one grouped code ("4 006381 333931", "978-3-16-148410-0").
void FilterGtin(std::string_view text, std::string_view run, std::vector<std::string_view>* out) {
  const size_t before = out->size();
  size_t digits = 0;
  size_t group_start = 0;
  for (size_t i = 0; i <= run.size(); ++i) {
    if (i < run.size() && IsDigit(run[i])) {
      ++digits;
      continue;
    }
    if (IsGtinLength(i - group_start)) {
      AppendGtin(text, run.substr(group_start, i - group_start), out);
    }
    group_start = i + 1;
  }
  const bool grouped = digits != run.size();
  if (out->size() == before && grouped && IsGtinLength(digits)) AppendGtin(text, run, out);
}

bool AfterPunctuatedLabel(std::string_view text, size_t begin) {
  while (begin > 0 && (text[begin - 1] == ' ' || text[begin - 1] == '\t' ||
                       text[begin - 1] == '\n' || text[begin - 1] == '\r')) {
    --begin;
  }
  return begin > 0 && std::string_view(":#=.").find(text[begin - 1]) != std::string_view::npos;
}

// `token` is the whole token after a label. Sentence punctuation after it is not part of it;
// after a bare label ("the part number changed") only a token with a digit is a part number.
void FilterMpn(std::string_view text, std::string_view token, std::vector<std::string_view>* out) {
  const size_t end = Offset(text, token) + token.size();
  if (end < text.size() && WordCharAt(text, end)) return;
  while (!token.empty() && (token.back() == '.' || token.back() == '-' || token.back() == '_')) {
    token.remove_suffix(1);
  }
  if (token.size() < 3 || token.size() > 40) return;
  const bool has_digit = token.find_first_of("0123456789") != std::string_view::npos;
  if (has_digit || AfterPunctuatedLabel(text, Offset(text, token))) out->push_back(token);
}

void FilterEmail(std::string_view text, std::string_view address,
                 std::vector<std::string_view>* out) {
  if (!JoinsNeighbour(text, address, "")) out->push_back(address);
}

// Trailing punctuation ends the sentence, not the URL; a closing bracket stays only when the
// URL opened it ("https://en.wikipedia.org/wiki/Fish_(food)").
std::string_view TrimUrl(std::string_view url) {
  int64_t parens = 0;  // closing minus opening, negated; a text may hold 2^31 of them
  int64_t brackets = 0;
  for (const char c : url) {
    parens += (c == '(') - (c == ')');
    brackets += (c == '[') - (c == ']');
  }
  while (!url.empty()) {
    const char c = url.back();
    if (c == ')' && parens < 0) {
      ++parens;
    } else if (c == ']' && brackets < 0) {
      ++brackets;
    } else if (std::string_view(".,;:!?*").find(c) == std::string_view::npos) {
      break;
    }
    url.remove_suffix(1);
  }
  return url;
}

void FilterUrl(std::string_view, std::string_view url, std::vector<std::string_view>* out) {
  url = TrimUrl(url);
  if (url.empty()) return;
  // The regex puts "www." or a scheme's "://" at the start; something must follow it.
  const size_t scheme_end = url.find("://");
  size_t prefix = scheme_end == std::string_view::npos ? url.size() : scheme_end + 3;
  if (url[0] == 'w' || url[0] == 'W') prefix = 4;
  if (url.size() > prefix) out->push_back(url);
}

void FilterPrice(std::string_view text, std::string_view price,
                 std::vector<std::string_view>* out) {
  if (!JoinsNeighbour(text, price, ".,")) out->push_back(price);
}

// The currencies: symbols, "US$"-style dollars, and the ISO codes of the most traded
// currencies. Codes that are also common words (TRY, ILS, ALL) are left out; their symbols stay.
constexpr std::string_view kDollars = R"re(\b(?:us|ca|c|au|a|nz|hk|s|r|nt|mx)\$)re";
constexpr std::string_view kSymbols = "[$€£¥₹₽₩₺₪₫₴₦₱฿₿]";
constexpr std::string_view kCodes =
    "(?:usd|eur|gbp|jpy|chf|cad|aud|nzd|cny|hkd|sgd|inr|rub|brl|mxn|zar|sek|nok|dkk|pln|czk|"
    "huf|krw|aed|sar|thb|twd|ron|bgn)";
// Thousands grouped by , . ' or a (no-break) space, then up to two decimals.
constexpr std::string_view kAmount =
    R"re((?:\d{1,3}(?:[,.' \x{a0}\x{202f}]\d{3})+|\d+)(?:[.,]\d{1,2})?)re";
constexpr std::string_view kSpace = R"re([ \t\x{a0}\x{202f}]?)re";

std::string PriceRegex() {
  const std::string dollars(kDollars), symbols(kSymbols), codes(kCodes), amount(kAmount),
      space(kSpace);
  const std::string before = "(?:" + dollars + "|" + symbols + "|\\b" + codes + ")";
  const std::string after = "(?:" + dollars + "|" + symbols + "|¢|" + codes + "\\b)";
  return "(?i)(?:" + before + space + amount + "\\b|\\b" + amount + space + after + ")";
}

// Stops at ASCII spaces and controls, Unicode spaces, quotes and brackets that never appear
// unescaped in a URL, typographic quotes and dashes, and CJK / fullwidth punctuation.
constexpr std::string_view kUrl =
    R"re((?i)\b(?:https?://|www\.))re"
    R"re([^\x00-\x20\x7f\p{Z}<>"'`{}|\\^\p{Pi}\p{Pf}\x{2013}\x{2014}\x{2026})re"
    R"re(\x{3000}-\x{303f}\x{ff01}-\x{ff0f}\x{ff1a}-\x{ff20}]+)re";

}  // namespace

const std::vector<BuiltinPattern>& BuiltinPatterns() {
  // Built on first use and never destroyed: no static destructor can race a late caller.
  static const auto* const kBuiltins = new std::vector<BuiltinPattern>{
      {"gtin", R"re(\d(?:[ -]?\d)*)re", FilterGtin},
      {"mpn",
       R"re((?i)\b(?:(?:mpn|p/n|part\s*number|part\s*no\.?)(?:\s*[:#=]+\s*|\s+))re"
       R"re(|part\s*#\s*[:=]?\s*)([a-z0-9][a-z0-9._-]*))re",
       FilterMpn},
      {"email",
       R"re((?i)\b[a-z0-9][a-z0-9._%+-]*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}\b)re",
       FilterEmail},
      {"url", std::string(kUrl), FilterUrl},
      {"price", PriceRegex(), FilterPrice, /*rescan_rejected=*/true},
  };
  return *kBuiltins;
}

}  // namespace classiflow
