// The extract stage's extractors: each built-in with what it must and must not find, custom RE2
// patterns, and hostile patterns and texts that must neither crash nor hang.
#include "extract/extractor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

namespace classiflow {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<Extractor> MakeBuiltin(std::string_view name) {
  std::unique_ptr<Extractor> extractor;
  const Status s = Extractor::Builtin(name, &extractor);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return extractor;
}

std::unique_ptr<Extractor> MakeCustom(std::string_view pattern) {
  std::unique_ptr<Extractor> extractor;
  const Status s = Extractor::Custom("field", pattern, &extractor);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return extractor;
}

std::vector<std::string> FindAll(const Extractor& extractor, std::string_view text,
                                 size_t max_matches = 100) {
  std::vector<std::string_view> views;
  extractor.FindAll(text, max_matches, &views);
  std::vector<std::string> values;
  for (const std::string_view view : views) {
    // Values are views into the text, never copies.
    EXPECT_GE(view.data(), text.data());
    EXPECT_LE(view.data() + view.size(), text.data() + text.size());
    values.emplace_back(view);
  }
  return values;
}

using Values = std::vector<std::string>;

// Each built-in must find nothing in these.
void ExpectNone(const Extractor& extractor, std::initializer_list<std::string_view> texts) {
  for (const std::string_view text : texts) {
    EXPECT_EQ(FindAll(extractor, text), Values{}) << extractor.name() << " in: " << text;
  }
}

// One value, the whole of `expected`, found in `text`.
void ExpectOne(const Extractor& extractor, std::string_view text, std::string_view expected) {
  EXPECT_EQ(FindAll(extractor, text), Values{std::string(expected)})
      << extractor.name() << " in: " << text;
}

TEST(ExtractorBuiltinTest, EveryBuiltinExists) {
  for (const char* name : {"gtin", "mpn", "email", "url", "price"}) {
    std::unique_ptr<Extractor> extractor;
    ASSERT_OK(Extractor::Builtin(name, &extractor));
    EXPECT_EQ(extractor->name(), name);
    EXPECT_TRUE(extractor->builtin());
  }
}

TEST(ExtractorBuiltinTest, UnknownNameListsTheBuiltins) {
  std::unique_ptr<Extractor> extractor;
  const Status s = Extractor::Builtin("phone", &extractor);
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("'phone'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("gtin, mpn, email, url, price"), std::string::npos) << s.message();
  EXPECT_EQ(extractor, nullptr);
  EXPECT_CODE(Extractor::Builtin("GTIN", &extractor), kInvalidArgument);
  EXPECT_CODE(Extractor::Builtin("", &extractor), kInvalidArgument);
  // A hostile name is quoted, not copied whole.
  EXPECT_LT(Extractor::Builtin(std::string(100000, 'x'), &extractor).message().size(), 200u);
}

TEST(GtinExtractTest, CodesOfEveryLengthInOrder) {
  const auto gtin = MakeBuiltin("gtin");
  EXPECT_EQ(FindAll(*gtin,
                    "EAN 4006381333931, UPC 036000291452; EAN-8 96385074 and "
                    "GTIN-14 10012345678902."),
            (Values{"4006381333931", "036000291452", "96385074", "10012345678902"}));
}

TEST(GtinExtractTest, GroupedCodesKeepTheirSeparators) {
  const auto gtin = MakeBuiltin("gtin");
  ExpectOne(*gtin, "EAN: 4 006381 333931", "4 006381 333931");
  ExpectOne(*gtin, "UPC 0 36000 29145 2.", "0 36000 29145 2");
  ExpectOne(*gtin, "ISBN 978-3-16-148410-0", "978-3-16-148410-0");
  ExpectOne(*gtin, "9638-5074", "9638-5074");
  EXPECT_EQ(NormalizeDigits("4 006381-333931"), "4006381333931");
}

TEST(GtinExtractTest, GroupsThatAreCodesWin) {
  const auto gtin = MakeBuiltin("gtin");
  EXPECT_EQ(FindAll(*gtin, "4006381333931 5901234123457"),
            (Values{"4006381333931", "5901234123457"}));
  EXPECT_EQ(FindAll(*gtin, "4006381333931-96385074"), (Values{"4006381333931", "96385074"}));
  ExpectOne(*gtin, "4006381333931 5 pcs", "4006381333931");  // a code, then a quantity
  ExpectOne(*gtin, "qty 12 4006381333931", "4006381333931");
  // Two spaces end a run.
  EXPECT_EQ(FindAll(*gtin, "9638 5074  4 006381 333931"), (Values{"9638 5074", "4 006381 333931"}));
}

TEST(GtinExtractTest, CheckDigitIsNotChecked) {
  const auto gtin = MakeBuiltin("gtin");
  ExpectOne(*gtin, "4006381333932", "4006381333932");  // the validate stage refuses it
  ExpectOne(*gtin, "00000000", "00000000");
}

TEST(GtinExtractTest, WrongLengthsAndGluedRunsAreNotCodes) {
  const auto gtin = MakeBuiltin("gtin");
  ExpectNone(*gtin,
             {"", "1234567", "123456789", "0306406152", "12345678901", "123456789012345",
              "4111 1111 1111 1111", "40063813339319876", "ABC4006381333931", "4006381333931ABC",
              "SKU_4006381333931", "é4006381333931", "4006381333931ü", "pi 3.14159265358979",
              "4006381333931.5", "4 006381 3339", "Order 12345, qty 3, price 19.99"});
}

TEST(GtinExtractTest, Utf8Text) {
  const auto gtin = MakeBuiltin("gtin");
  ExpectOne(*gtin, "Código de barras: «4006381333931» — ¡nuevo!", "4006381333931");
  ExpectOne(*gtin, "JANコード4901234567894です", "4901234567894");  // Japanese needs no spaces
  ExpectOne(*gtin, "№4006381333931", "4006381333931");
  ExpectOne(*gtin, "\xff\xfe 4006381333931 \xc3", "4006381333931");  // invalid UTF-8 around
}

TEST(GtinExtractTest, MaxMatches) {
  const auto gtin = MakeBuiltin("gtin");
  const std::string text = "4006381333931 5901234123457, 96385074; 036000291452";
  EXPECT_EQ(FindAll(*gtin, text, 0), Values{});
  EXPECT_EQ(FindAll(*gtin, text, 1), Values{"4006381333931"});
  EXPECT_EQ(FindAll(*gtin, text, 3), (Values{"4006381333931", "5901234123457", "96385074"}));
  EXPECT_EQ(FindAll(*gtin, text).size(), 4u);
  std::string_view first;
  ASSERT_TRUE(gtin->FindFirst("x 96385074 4006381333931", &first));
  EXPECT_EQ(first, "96385074");
  EXPECT_FALSE(gtin->FindFirst("no code here", &first));
}

TEST(MpnExtractTest, LabelledForms) {
  const auto mpn = MakeBuiltin("mpn");
  ExpectOne(*mpn, "MPN: ABC-123", "ABC-123");
  ExpectOne(*mpn, "MPN ABC123", "ABC123");
  ExpectOne(*mpn, "mpn:abc_123", "abc_123");
  ExpectOne(*mpn, "part number: X-99.1", "X-99.1");
  ExpectOne(*mpn, "Manufacturer Part Number: 12-345", "12-345");
  ExpectOne(*mpn, "P/N: 4711-B", "4711-B");
  ExpectOne(*mpn, "p/n 4711-B", "4711-B");
  ExpectOne(*mpn, "Part #: LM317T", "LM317T");
  ExpectOne(*mpn, "Part#LM317T", "LM317T");
  ExpectOne(*mpn, "Part No. SN74HC595N", "SN74HC595N");
  ExpectOne(*mpn, "PART NO: sn74hc595n", "sn74hc595n");
  ExpectOne(*mpn, "MPN: BLACKBOX", "BLACKBOX");  // no digit, but clearly labelled
}

TEST(MpnExtractTest, TrailingPunctuationAndOrder) {
  const auto mpn = MakeBuiltin("mpn");
  ExpectOne(*mpn, "Order MPN: ABC-123.", "ABC-123");
  ExpectOne(*mpn, "(P/N: XY-42_)", "XY-42");
  EXPECT_EQ(FindAll(*mpn, "MPN: A1-100, MPN: B2-200; Part #: C3-300"),
            (Values{"A1-100", "B2-200", "C3-300"}));
  EXPECT_EQ(FindAll(*mpn, "MPN: A1-100, MPN: B2-200", 1), Values{"A1-100"});
}

TEST(MpnExtractTest, NoLabelNoGuess) {
  const auto mpn = MakeBuiltin("mpn");
  ExpectNone(*mpn, {"", "ABC-123", "SN74HC595N in stock", "MPN: AB",
                    "MPN:", "MPN: " + std::string(41, 'A'), "MPN: -ABC", "the part number changed",
                    "This part no longer fits", "MPN BLACKBOX", "compnay mpnx ABC-123", "Part #: ?",
                    "MPN: ABCé"});
  ExpectOne(*mpn, "MPN: " + std::string(40, 'A'), std::string(40, 'A'));
}

TEST(MpnExtractTest, Utf8Text) {
  const auto mpn = MakeBuiltin("mpn");
  ExpectOne(*mpn, "Référence fabricant — MPN : ÄB-12 ou MPN : AB-12 ✓", "AB-12");
}

TEST(EmailExtractTest, AddressesInOrder) {
  const auto email = MakeBuiltin("email");
  EXPECT_EQ(FindAll(*email, "Contact john.doe+shop@example.co.uk or SALES@Example.COM."),
            (Values{"john.doe+shop@example.co.uk", "SALES@Example.COM"}));
  ExpectOne(*email, "mailto:info@shop-24.de", "info@shop-24.de");
  ExpectOne(*email, "<a_b%c@sub.domain.travel>", "a_b%c@sub.domain.travel");
  EXPECT_EQ(FindAll(*email, "a@x.io b@y.io c@z.io", 2), (Values{"a@x.io", "b@y.io"}));
}

TEST(EmailExtractTest, NotAddresses) {
  const auto email = MakeBuiltin("email");
  ExpectNone(*email, {"", "john@localhost", "@example.com", "john@", "john@example.c",
                      "john@-example.com", "john@example.123", "jöhn@example.com",
                      "john at example dot com", "user@example.comé"});
}

TEST(EmailExtractTest, Utf8Text) {
  const auto email = MakeBuiltin("email");
  ExpectOne(*email, "Écrivez à marie@exemple.fr — merci ☺", "marie@exemple.fr");
}

TEST(UrlExtractTest, UrlsInOrderWithoutTrailingPunctuation) {
  const auto url = MakeBuiltin("url");
  EXPECT_EQ(FindAll(*url, "See https://example.com/a?b=1&c=2#frag, then http://x.org."),
            (Values{"https://example.com/a?b=1&c=2#frag", "http://x.org"}));
  ExpectOne(*url, "Visit www.example.com!", "www.example.com");
  ExpectOne(*url, "HTTPS://EXAMPLE.COM/X;", "HTTPS://EXAMPLE.COM/X");
  ExpectOne(*url, "<https://example.com/path>", "https://example.com/path");
  ExpectOne(*url, "\"https://example.com/q?x=1\"", "https://example.com/q?x=1");
  ExpectOne(*url, "(see https://example.com/x)", "https://example.com/x");
  ExpectOne(*url, "really?! https://example.com/x?!...", "https://example.com/x");
}

TEST(UrlExtractTest, BracketsTheUrlOpenedStay) {
  const auto url = MakeBuiltin("url");
  ExpectOne(*url, "(see https://en.wikipedia.org/wiki/Fish_(food))",
            "https://en.wikipedia.org/wiki/Fish_(food)");
  ExpectOne(*url, "[https://example.com/a[1]]", "https://example.com/a[1]");
}

TEST(UrlExtractTest, NotUrls) {
  const auto url = MakeBuiltin("url");
  ExpectNone(*url, {"", "ftp://example.org/file", "https://", "https://.", "www.", "www.)",
                    "xhttps://example.com", "example.com", "mailto:a@b.co", "http:/x.org"});
}

TEST(UrlExtractTest, Utf8Text) {
  const auto url = MakeBuiltin("url");
  ExpectOne(*url, "«https://example.fr/été» — voilà", "https://example.fr/été");
  ExpectOne(*url, "“https://example.com/x” said", "https://example.com/x");
  ExpectOne(*url, "https://例え.jp/パス。次", "https://例え.jp/パス");
  ExpectOne(*url, "https://example.com/a\u00a0next", "https://example.com/a");  // NBSP ends it
}

TEST(PriceExtractTest, SymbolsAndCodesBeforeOrAfter) {
  const auto price = MakeBuiltin("price");
  ExpectOne(*price, "only $19.99!", "$19.99");
  ExpectOne(*price, "ab € 5", "€ 5");
  ExpectOne(*price, "19,99 €", "19,99 €");
  ExpectOne(*price, "USD 1,299.00", "USD 1,299.00");
  ExpectOne(*price, "12.50 EUR", "12.50 EUR");
  ExpectOne(*price, "usd 5 or so", "usd 5");
  ExpectOne(*price, "5 eur", "5 eur");
  ExpectOne(*price, "£1,000", "£1,000");
  ExpectOne(*price, "1.299,00 €", "1.299,00 €");
  ExpectOne(*price, "CHF 1'299.50", "CHF 1'299.50");
  ExpectOne(*price, "US$ 5", "US$ 5");
  ExpectOne(*price, "C$12", "C$12");
  ExpectOne(*price, "99¢", "99¢");
  ExpectOne(*price, "¥1200", "¥1200");
  ExpectOne(*price, "19.99$", "19.99$");
}

TEST(PriceExtractTest, PricesInOrderAndMaxMatches) {
  const auto price = MakeBuiltin("price");
  const std::string text = "was $25, now $19.99 (save 24 %) or 18 EUR";
  EXPECT_EQ(FindAll(*price, text), (Values{"$25", "$19.99", "18 EUR"}));
  EXPECT_EQ(FindAll(*price, text, 2), (Values{"$25", "$19.99"}));
  std::string_view first;
  ASSERT_TRUE(price->FindFirst(text, &first));
  EXPECT_EQ(first, "$25");
}

TEST(PriceExtractTest, APriceRightAfterANumber) {
  // "4006381333932 $" (an amount, then a symbol) is no price, as "$899" follows; the scan looks
  // again after the number instead of after the rejected match.
  const auto price = MakeBuiltin("price");
  ExpectOne(*price, "laptop gtin 4006381333932 $899", "$899");
  ExpectOne(*price, "item 12 $5.00", "$5.00");
  EXPECT_EQ(FindAll(*price, "2 x 12 $5 and 3 €4"), (Values{"$5", "€4"}));
}

TEST(PriceExtractTest, RejectedMatchesCannotMakeTheScanQuadratic) {
  // Every group of a long thousands-grouped amount before a symbol starts a match that is
  // rejected; the rescans are paid from the scan budget, and the price after it is found.
  const auto price = MakeBuiltin("price");
  std::string text = "1";
  while (text.size() < (size_t{1} << 20)) text += ",111";
  text += " $9 end $7";
  EXPECT_EQ(FindAll(*price, text).back(), "$7");
}

TEST(PriceExtractTest, NotPrices) {
  const auto price = MakeBuiltin("price");
  ExpectNone(*price, {"", "19.99", "EUR", "$", "US$", "version 1.2.3", "2 USB ports", "5 USDT",
                      "$1.5M", "1.2.3 EUR", "x$5", "EUR5x", "5 euros", "19,99€uro"});
}

TEST(PriceExtractTest, Utf8Text) {
  const auto price = MakeBuiltin("price");
  ExpectOne(*price, "Prix: 19,99 € — très bien", "19,99 €");
  ExpectOne(*price, "Preis: 1\u00a0299,00\u00a0€ inkl. MwSt.", "1\u00a0299,00\u00a0€");
  ExpectOne(*price, "価格：₩12,000です", "₩12,000");
}

TEST(ExtractorCustomTest, WholeMatchWithoutGroups) {
  const auto sku = MakeCustom(R"(SKU-\d{4})");
  EXPECT_FALSE(sku->builtin());
  EXPECT_EQ(sku->name(), "field");
  EXPECT_EQ(FindAll(*sku, "SKU-1234 and SKU-5678, not SKU-12"), (Values{"SKU-1234", "SKU-5678"}));
  EXPECT_EQ(FindAll(*MakeCustom(R"((?:SKU|ART)-\d+)"), "ART-1 SKU-2"), (Values{"ART-1", "SKU-2"}));
}

TEST(ExtractorCustomTest, FirstCaptureGroupIsTheValue) {
  EXPECT_EQ(FindAll(*MakeCustom(R"(SKU:\s*(\w+))"), "SKU: ab12, SKU:cd34"),
            (Values{"ab12", "cd34"}));
  EXPECT_EQ(FindAll(*MakeCustom(R"((\d+)-(\d+))"), "10-20 30-40"), (Values{"10", "30"}));
  EXPECT_EQ(FindAll(*MakeCustom(R"((?P<year>\d{4})-\d\d)"), "on 2024-05"), Values{"2024"});
  // An unmatched or empty group is no value; the search goes on after the match.
  EXPECT_EQ(FindAll(*MakeCustom(R"(id(?:=(\d+))?)"), "id id=42 id="), Values{"42"});
  EXPECT_EQ(FindAll(*MakeCustom(R"(x(\d*))"), "x x7 x"), Values{"7"});
}

TEST(ExtractorCustomTest, CaseAndUtf8) {
  EXPECT_EQ(FindAll(*MakeCustom(R"((?i)color:\s*(\p{L}+))"), "Color: Grün, COLOR: rouge"),
            (Values{"Grün", "rouge"}));
  EXPECT_EQ(FindAll(*MakeCustom(R"((\p{L}+)ville)"), "Théville et Abbeville"),
            (Values{"Thé", "Abbe"}));
  EXPECT_EQ(FindAll(*MakeCustom("."), "é日"), (Values{"é", "日"}));  // characters, not bytes
  EXPECT_EQ(FindAll(*MakeCustom(R"([a-z]+)"),
                    "\xff\xfe"
                    "abc\xc3"),
            Values{"abc"});
}

TEST(ExtractorCustomTest, EmptyMatchesAreSkipped) {
  EXPECT_EQ(FindAll(*MakeCustom("x*"), "aaxa xx"), (Values{"x", "xx"}));
  EXPECT_EQ(FindAll(*MakeCustom("é*"), "aéé日é"), (Values{"éé", "é"}));
  EXPECT_EQ(FindAll(*MakeCustom(R"(\b)"), "a b c"), Values{});
}

TEST(ExtractorCustomTest, MaxMatchesAppendsToWhatIsThere) {
  const auto digits = MakeCustom(R"(\d+)");
  std::vector<std::string_view> out = {"kept"};
  digits->FindAll("1 22 333 4444", 3, &out);
  EXPECT_EQ(out, (std::vector<std::string_view>{"kept", "1", "22", "333"}));
  digits->FindAll("1 22", 0, &out);
  EXPECT_EQ(out.size(), 4u);
}

TEST(ExtractorCustomTest, BadPatternCarriesRe2Error) {
  std::unique_ptr<Extractor> extractor;
  Status s = Extractor::Custom("sku", "(abc", &extractor);
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("missing )"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'sku'"), std::string::npos) << s.message();
  EXPECT_EQ(extractor, nullptr);
  s = Extractor::Custom("sku", "a{1001}", &extractor);
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("invalid repetition size"), std::string::npos) << s.message();
  s = Extractor::Custom("sku", R"((?<=a)b)", &extractor);  // no look-behind in RE2
  EXPECT_CODE(s, kInvalidArgument);
  s = Extractor::Custom("sku", "[z-a]", &extractor);
  EXPECT_NE(s.message().find("invalid character class range"), std::string::npos) << s.message();
  // A long bad pattern gives a short message.
  s = Extractor::Custom("sku", std::string(4000, 'a') + "(", &extractor);
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_LT(s.message().size(), 400u);
}

TEST(ExtractorCustomTest, SizeLimits) {
  std::unique_ptr<Extractor> extractor;
  EXPECT_CODE(Extractor::Custom("sku", "", &extractor), kInvalidArgument);
  const std::string longest(Extractor::kMaxPatternBytes, 'a');
  ASSERT_OK(Extractor::Custom("sku", longest, &extractor));
  const Status s = Extractor::Custom("sku", longest + "a", &extractor);
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("4096"), std::string::npos) << s.message();
  EXPECT_LT(s.message().size(), 200u);
  // Short to write, too large to compile: RE2's default max_mem refuses it.
  const Status big =
      Extractor::Custom("sku", R"(\pL{1000}\pL{1000}\pL{1000}\pL{1000})", &extractor);
  EXPECT_CODE(big, kInvalidArgument);
  EXPECT_NE(big.message().find("pattern too large"), std::string::npos) << big.message();
}

TEST(ExtractorCustomTest, NameLimits) {
  std::unique_ptr<Extractor> extractor;
  EXPECT_CODE(Extractor::Custom("", "a", &extractor), kInvalidArgument);
  ASSERT_OK(Extractor::Custom(std::string(Extractor::kMaxNameBytes, 'n'), "a", &extractor));
  const Status s = Extractor::Custom(std::string(100000, 'n'), "a", &extractor);
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_LT(s.message().size(), 200u);
}

// std::regex recurses per character on "(a|b)*" and overflows the stack on a megabyte; RE2
// runs in linear time and constant stack.
TEST(ExtractorCustomTest, PathologicalPatternsReturnPromptly) {
  const std::string ab(1 << 20, 'a');
  const std::string xs(1 << 20, 'x');
  const auto start = Clock::now();

  // One match, the whole megabyte; its value is the group's last repetition.
  const auto alternation = MakeCustom("(a|b)*c?");
  std::vector<std::string_view> values;
  alternation->FindAll(ab, 10, &values);
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].data(), ab.data() + ab.size() - 1);
  EXPECT_EQ(FindAll(*MakeCustom("(?:a|b)*c?"), ab, 10), Values{ab});
  values.clear();
  alternation->FindAll(xs, SIZE_MAX, &values);  // empty matches everywhere
  EXPECT_TRUE(values.empty());

  const auto nested = MakeCustom("(x+x+)+y");  // exponential for a backtracking engine
  EXPECT_EQ(FindAll(*nested, xs), Values{});
  // 2^20 DFA states: RE2's DFA runs out of memory and falls back to its (linear) NFA.
  std::string random_ab(1 << 18, 'a');
  uint32_t state = 12345;
  for (char& c : random_ab) c = ((state = state * 1103515245 + 12345) >> 16) & 1 ? 'b' : 'a';
  EXPECT_FALSE(FindAll(*MakeCustom("([ab]*a[ab]{20})c"), random_ab + "c").empty());
  // Every restart rescans to the end: the empty-match budget stops it.
  const auto rescanning = MakeCustom("(?:x*y)?");
  EXPECT_EQ(FindAll(*rescanning, xs, SIZE_MAX), Values{});

  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
}

// Each empty match restarts the search one character on. Up to 8 KiB of text nothing is lost;
// beyond, FindAll stops once the restarts could have scanned kEmptyMatchBudget bytes.
TEST(ExtractorCustomTest, EmptyMatchBudget) {
  const auto alternation = MakeCustom("(a|b)*c?");
  std::string chunks;
  while (chunks.size() + 9 <= 8192) chunks += "abab x c ";  // "b", and 5 empty matches
  EXPECT_EQ(FindAll(*alternation, chunks, SIZE_MAX), Values(chunks.size() / 9, "b"));

  std::string mixed;
  while (mixed.size() < (1 << 20)) mixed += "abab x c ";
  const auto start = Clock::now();
  const Values found = FindAll(*alternation, mixed, SIZE_MAX);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  EXPECT_FALSE(found.empty());
  EXPECT_LT(found.size(), mixed.size() / 9);
  EXPECT_EQ(found, Values(found.size(), "b"));
}

TEST(ExtractorCustomTest, OneExtractorManyThreads) {
  const auto gtin = MakeBuiltin("gtin");
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "item 4006381333931 costs $5; ";
  std::vector<size_t> counts(4);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < counts.size(); ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::string_view> values;
      for (int round = 0; round < 20; ++round) {
        values.clear();
        gtin->FindAll(text, SIZE_MAX, &values);
      }
      counts[t] = values.size();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const size_t count : counts) EXPECT_EQ(count, 1000u);
}

TEST(ExtractorNormalizeTest, NormalizeDigits) {
  EXPECT_EQ(NormalizeDigits(""), "");
  EXPECT_EQ(NormalizeDigits(" - "), "");
  EXPECT_EQ(NormalizeDigits("978-3-16-148410-0"), "9783161484100");
  EXPECT_EQ(NormalizeDigits("0 8044 2957 X"), "080442957X");
}

}  // namespace
}  // namespace classiflow
