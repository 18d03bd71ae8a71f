#include "classiflow/analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_util.h"

namespace classiflow {
namespace {

std::vector<std::string> TokensOf(std::string_view text, AnalyzerOptions options = {}) {
  std::vector<std::string> tokens;
  Analyzer(options).Tokens(text, &tokens);
  return tokens;
}

using Tokens = std::vector<std::string>;

TEST(AnalyzerTest, SplitsAndLowercasesAscii) {
  EXPECT_EQ(TokensOf("Hello, World! foo-bar"), (Tokens{"hello", "world", "foo", "bar"}));
}

TEST(AnalyzerTest, KeepsCaseWhenAsked) {
  AnalyzerOptions options;
  options.lowercase = false;
  EXPECT_EQ(TokensOf("Hello World", options), (Tokens{"Hello", "World"}));
}

TEST(AnalyzerTest, NonAsciiLettersAreWordCharactersAndLowercased) {
  EXPECT_EQ(TokensOf("Ärger CAFÉ Привет Ωmega"), (Tokens{"ärger", "café", "привет", "ωmega"}));
  EXPECT_EQ(TokensOf("日本語のテキスト"), (Tokens{"日本語のテキスト"}));
}

TEST(AnalyzerTest, UnicodePunctuationAndEmojiSeparate) {
  EXPECT_EQ(TokensOf("one\u2014two\u00a0three\U0001F600four"),
            (Tokens{"one", "two", "three", "four"}));
}

TEST(AnalyzerTest, InvalidUtf8BytesAreSeparatorsNeverErrors) {
  EXPECT_EQ(TokensOf("abc\xff"
                     "def\xc3(ghi\xe2\x82"),
            (Tokens{"abc", "def", "ghi"}));
  EXPECT_EQ(TokensOf("\xc0\xaf"
                     "x\xed\xa0\x80y"),
            (Tokens{"x", "y"}));  // overlong, surrogate
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  std::vector<uint32_t> features;
  Analyzer(AnalyzerOptions{}).Analyze(all_bytes + all_bytes, &features);  // must not crash
  EXPECT_FALSE(features.empty());
}

TEST(AnalyzerTest, NulBytesSeparateLikeSpaces) {
  const std::string with_nul("cheap\0pills", 11);
  EXPECT_EQ(TokensOf(with_nul), (Tokens{"cheap", "pills"}));
  std::vector<uint32_t> a, b;
  Analyzer(AnalyzerOptions{}).Analyze(with_nul, &a);
  Analyzer(AnalyzerOptions{}).Analyze("cheap pills", &b);
  EXPECT_EQ(a, b);
}

TEST(AnalyzerTest, NormalisesUrlsEmailsAndNumbers) {
  EXPECT_EQ(TokensOf("see https://x.org/a?b=1 or www.example.com, mail bob@example.com now 2024"),
            (Tokens{"see", "__url__", "or", "__url__", "mail", "__email__", "now", "__num__"}));
  AnalyzerOptions raw;
  raw.normalize_urls = raw.normalize_emails = raw.normalize_numbers = false;
  EXPECT_EQ(TokensOf("bob@example.com 42", raw), (Tokens{"bob", "example", "com", "42"}));
}

TEST(AnalyzerTest, StopWordsAndStemming) {
  AnalyzerOptions options;
  options.stop_words = true;
  options.stemmer = "english";
  EXPECT_EQ(TokensOf("The runners were running to the libraries", options),
            (Tokens{"runner", "run", "librari"}));
}

// Snowball stemmers can stem a whole word away: "porter" stems "s" (as in "it's", split at the
// apostrophe) to "", and "turkish" stems the suffix word "leri" to "". An empty stem is dropped
// like a stop word: no token, no feature of its own (it would be one feature shared by every
// such word), and n-grams join its neighbours as if it were not there.
TEST(AnalyzerTest, EmptyStemsAreDroppedLikeStopWords) {
  struct Case {
    const char* stemmer;
    const char* with;
    const char* without;
  };
  for (const Case& c :
       {Case{"porter", "it's raining cats", "it raining cats"}, Case{"porter", "s s s", ""},
        Case{"turkish", "evleri leri kitap", "evleri kitap"}}) {
    for (int ngrams = 1; ngrams <= 3; ++ngrams) {
      AnalyzerOptions options;
      options.stemmer = c.stemmer;
      options.ngrams = ngrams;
      SCOPED_TRACE(std::string(c.stemmer) + " \"" + c.with + "\" ngrams=" + std::to_string(ngrams));
      const Tokens tokens = TokensOf(c.with, options);
      EXPECT_EQ(tokens, TokensOf(c.without, options));
      EXPECT_EQ(std::count(tokens.begin(), tokens.end(), std::string()), 0);
      std::vector<uint32_t> with, without;
      Analyzer(options).Analyze(c.with, &with);
      Analyzer(options).Analyze(c.without, &without);
      EXPECT_EQ(with, without);
    }
  }
  // Stop words and empty stems together: the n-gram window skips both.
  AnalyzerOptions options;
  options.stemmer = "porter";
  options.stop_words = true;
  std::vector<uint32_t> with, without;
  Analyzer(options).Analyze("cats s the s dogs", &with);
  Analyzer(options).Analyze("cats dogs", &without);
  EXPECT_EQ(with, without);
  EXPECT_EQ(with.size(), 3u);  // cat, dog, cat_dog
}

TEST(AnalyzerTest, EmitsNgramsUpToTheConfiguredLength) {
  std::vector<uint32_t> features;
  for (int n = 1; n <= 3; ++n) {
    AnalyzerOptions options;
    options.ngrams = n;
    Analyzer(options).Analyze("a b c d", &features);
    const size_t expected[] = {0, 4, 4 + 3, 4 + 3 + 2};
    EXPECT_EQ(features.size(), expected[n]) << "ngrams=" << n;
  }
}

TEST(AnalyzerTest, FeaturesStayInsideTheHashSpace) {
  AnalyzerOptions options;
  options.hash_bits = 10;
  std::vector<uint32_t> features;
  Analyzer(options).Analyze("many different words make many different features here", &features);
  for (uint32_t f : features) EXPECT_LT(f, 1024u);
}

TEST(AnalyzerTest, EmptyAndSeparatorOnlyTextsHaveNoFeatures) {
  std::vector<uint32_t> features{1, 2};
  Analyzer(AnalyzerOptions{}).Analyze("", &features);
  EXPECT_TRUE(features.empty());
  Analyzer(AnalyzerOptions{}).Analyze(" ,.;! \t\n", &features);
  EXPECT_TRUE(features.empty());
}

TEST(AnalyzerTest, CheckEnforcesMaxTextBytes) {
  AnalyzerOptions options;
  options.max_text_bytes = 10;
  Analyzer analyzer(options);
  ASSERT_OK(analyzer.Check("0123456789"));
  EXPECT_CODE(analyzer.Check("0123456789a"), kInvalidArgument);
}

TEST(AnalyzerTest, ValidateRejectsBadOptions) {
  AnalyzerOptions options;
  options.ngrams = 4;
  EXPECT_CODE(options.Validate(), kInvalidArgument);
  options = {};
  options.hash_bits = 40;
  EXPECT_CODE(options.Validate(), kInvalidArgument);
  options = {};
  options.stemmer = "klingon";
  EXPECT_CODE(options.Validate(), kInvalidArgument);
  options = {};
  options.max_text_bytes = 0;
  EXPECT_CODE(options.Validate(), kInvalidArgument);
}

}  // namespace
}  // namespace classiflow

// Appended: the private token hash (analysis/token_hash.h).
#include "analysis/token_hash.h"

namespace classiflow {
namespace {

TEST(TokenHashTest, PaddedAndCopyingHashesAgreeAndSpreadLowBits) {
  std::string buffer(64 + 16, 'x');
  std::vector<uint64_t> seen;
  for (size_t len = 1; len <= 40; ++len) {
    for (size_t i = 0; i < len; ++i) buffer[i] = static_cast<char>('a' + (i * 7 + len) % 26);
    std::string_view token(buffer.data(), len);
    EXPECT_EQ(HashTokenPadded(token), HashToken(std::string(token))) << "len " << len;
    seen.push_back(HashToken(token) & 0xfff);
  }
  // Low bits (the feature id) must differ for these distinct tokens (no systematic collisions).
  std::sort(seen.begin(), seen.end());
  EXPECT_GT(std::unique(seen.begin(), seen.end()) - seen.begin(), 36);
  EXPECT_NE(HashToken("ab"), HashToken("ba"));
  EXPECT_NE(HashToken("abcdefgh"), HashToken("abcdefgh\x01"));
}

}  // namespace
}  // namespace classiflow
