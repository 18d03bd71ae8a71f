// The spec parser: what a good spec resolves to, and an error naming the stage and the key for
// every way a spec can be wrong. No engine: models are checked through a lookup.
#include "pipeline/spec.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace classiflow {
namespace {

const ModelExists kModels = [](std::string_view m) { return m == "products" || m == "spam"; };

// The error message for `json`, or "" when it parses.
std::string ErrorOf(const std::string& json) {
  PipelineSpec spec;
  Status s = ParseSpec(json, kModels, &spec);
  EXPECT_TRUE(s.ok() || s.code() == Status::Code::kInvalidArgument) << s.ToString();
  return s.ok() ? "" : s.message();
}

TEST(PipelineSpecTest, GoodSpecResolves) {
  PipelineSpec spec;
  ASSERT_OK(ParseSpec(R"J({
    "stages": [
      {"name": "category", "classify": "products", "routes": {"electronics": "ids", "*": "out"},
       "min_confidence": 0.6, "fallback": "review"},
      {"name": "ids", "extract": ["gtin", {"price": "\\$\\d+"}], "next": "check"},
      {"name": "check", "validate": ["gtin", {"field": "price", "callback": "price_ok"}],
       "on_invalid": "crm", "next": "out"},
      {"name": "crm", "enrich": "lookup", "next": "review"},
      {"name": "review", "sink": {}},
      {"name": "out", "sink": {"ttl_s": 86400}}
    ],
    "durability": "sync", "batch": {"max_items": 10, "max_delay_ms": 1},
    "max_in_flight": 100, "max_attempts": 5, "retry": {"initial_ms": 10, "max_ms": 1000}})J",
                      kModels, &spec));
  ASSERT_EQ(spec.stages.size(), 6u);
  const StageSpec& category = spec.stages[0];
  EXPECT_EQ(category.classify.routes.at(0).first, "electronics");
  EXPECT_EQ(category.classify.routes.at(0).second, spec.Find("ids"));
  EXPECT_EQ(category.classify.other, spec.Find("out"));
  EXPECT_EQ(category.classify.fallback, spec.Find("review"));
  EXPECT_DOUBLE_EQ(category.classify.min_confidence, 0.6);
  const StageSpec& check = spec.stages[2];
  EXPECT_EQ(check.validate.on_valid, spec.Find("out"));  // defaults to next
  EXPECT_EQ(check.validate.on_invalid, spec.Find("crm"));
  EXPECT_TRUE(check.is_callback());
  EXPECT_TRUE(spec.uses_validator("price_ok"));
  EXPECT_TRUE(spec.uses_enrich("lookup"));
  EXPECT_FALSE(spec.uses_enrich("price_ok"));
  EXPECT_EQ(spec.durability, Durability::kSync);
  EXPECT_EQ(spec.batch_max_items, 10u);
  EXPECT_EQ(spec.max_attempts, 5u);
  EXPECT_EQ(spec.stages[5].ttl_s, 86400);
}

TEST(PipelineSpecTest, EveryErrorNamesTheStageAndTheKey) {
  const struct {
    const char* json;
    const char* expected;  // a substring of the message
  } cases[] = {
      {R"({"stages": [{"name": "a", "classify": "nope", "next": "o"}, {"name": "o", "sink": {}}]})",
       "stage 'a': classify: unknown model 'nope'"},
      {R"({"stages": [{"name": "a", "classify": "spam", "next": "x"}, {"name": "o", "sink": {}}]})",
       "stage 'a': next: unknown stage 'x'"},
      {R"({"stages": [{"name": "a", "classify": "spam", "routes": {"ham": "b"}},
                      {"name": "b", "sink": {}}]})",
       "stage 'a': routes: needs \"*\" or next"},
      {R"({"stages": [{"name": "a", "extract": ["gtin"], "next": "b"},
                      {"name": "b", "extract": ["mpn"], "next": "a"}]})",
       "is part of a cycle"},
      {R"({"stages": [{"name": "a", "sink": {}}, {"name": "b", "sink": {}}]})",
       "stage 'b': is unreachable from the entry stage 'a'"},
      {R"J({"stages": [{"name": "a", "extract": [{"bad": "(unclosed"}], "next": "o"},
                       {"name": "o", "sink": {}}]})J",
       "stage 'a': extract: bad regex for 'bad'"},
      {R"({"stages": [{"name": "a", "extract": ["phone"], "next": "o"}, {"name": "o", "sink": {}}]})",
       "stage 'a': extract:"},
      {R"({"stages": [{"name": "a", "validate": ["luhn"], "next": "o"}, {"name": "o", "sink": {}}]})",
       "stage 'a': validate: unknown check 'luhn'"},
      {R"({"stages": [{"name": "a", "sink": {}, "next": "a"}]})", "a sink is the end"},
      {R"({"stages": [{"name": "a", "sink": {}, "colour": "red"}]})",
       "stage 'a': colour: unknown key"},
      {R"({"stages": [{"name": "a", "classify": "spam", "extract": ["gtin"]}]})", "exactly one of"},
      {R"({"stages": [{"name": "a", "sink": {}}, {"name": "a", "sink": {}}]})", "two stages"},
      {R"({"stages": [{"name": "a", "classify": "spam", "next": "o", "min_confidence": 2,
                       "fallback": "o"}, {"name": "o", "sink": {}}]})",
       "stage 'a': min_confidence: must be a number in [0, 1]"},
      {R"({"stages": [{"name": "a", "classify": "spam", "next": "o", "min_confidence": 0.5},
                      {"name": "o", "sink": {}}]})",
       "min_confidence needs a fallback"},
      {R"({"stages": [{"name": "o", "sink": {"ttl_s": -1}}]})", "sink.ttl_s"},
      {R"({"stages": [{"name": "o", "sink": {}}], "durability": "maybe"})", "durability"},
      {R"({"stages": [{"name": "o", "sink": {}}], "batch": {"max_items": 0}})", "batch.max_items"},
      {R"({"stages": [{"name": "o", "sink": {}}], "max_attempts": 0})", "max_attempts"},
      {R"({"stages": [{"name": "o", "sink": {}}], "entry": "x"})", "entry: unknown stage 'x'"},
      {R"({"stages": [{"name": "o", "sink": {}}], "speed": 1})", "speed: unknown key"},
      {R"({"stages": []})", "stages: must be a non-empty list"},
      {R"({})", "stages: missing"},
      {R"([1, 2])", "must be a JSON object"},
      {R"({"stages": [{"name": "o", "sink": {}}]} trailing)", "not valid JSON"},
      {R"({"stages": [{"name": "e", "enrich": "f", "next": "v"},
                      {"name": "v", "validate": [{"field": "x", "callback": "f"}], "next": "o"},
                      {"name": "o", "sink": {}}]})",
       "also an enrich callback"},
  };
  for (const auto& c : cases) {
    const std::string error = ErrorOf(c.json);
    EXPECT_NE(error.find(c.expected), std::string::npos)
        << "spec: " << c.json << "\nerror: " << error << "\nexpected: " << c.expected;
  }
}

TEST(PipelineSpecTest, HostileNestingIsRefused) {
  const std::string deep =
      "{\"stages\": " + std::string(10000, '[') + std::string(10000, ']') + "}";
  EXPECT_NE(ErrorOf(deep).find("nested deeper"), std::string::npos);
}

TEST(PipelineSpecTest, PipelineNames) {
  EXPECT_TRUE(CheckPipelineName("reviews-2.v1_x").ok());
  for (const char* bad : {"", "a b", "a/b", "a\nb", "ü"}) {
    EXPECT_CODE(CheckPipelineName(bad), kInvalidArgument);
  }
  EXPECT_CODE(CheckPipelineName(std::string(129, 'a')), kInvalidArgument);
}

}  // namespace
}  // namespace classiflow
