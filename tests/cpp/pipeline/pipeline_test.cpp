// The pipeline's behaviour through the public API, on a RocksDB data directory.
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "pipeline_fixture.h"

namespace classiflow::testing {
namespace {

TEST_F(PipelineTest, SubmitClassifiesRoutesAndStoresTheResult) {
  auto p = Create("reviews", kSentimentSpec);
  std::string id;
  ASSERT_OK(p->Submit("a good great day", "r1", R"({"user": 7})", &id));
  EXPECT_EQ(id, "r1");
  ASSERT_OK(p->Flush());
  PipelineResult r;
  ASSERT_OK(p->GetResult("r1", &r));
  EXPECT_EQ(r.route, (std::vector<std::string>{"sentiment", "happy"}));
  ASSERT_EQ(r.predictions.size(), 1u);
  EXPECT_EQ(r.predictions[0].label, "pos");
  EXPECT_EQ(r.predictions[0].model, "sentiment");
  EXPECT_GT(r.predictions[0].version, 0u);
  EXPECT_GT(r.predictions[0].confidence, 0.5);
  EXPECT_EQ(r.meta, R"({"user": 7})");
  EXPECT_EQ(r.expires_at_ms, 0);
  ASSERT_OK(p->Submit("bad awful", "r2", "", &id));
  ASSERT_OK(p->GetResult("r2", &r));  // Submit returned: the result is durable already
  EXPECT_EQ(r.route.back(), "unhappy");
  EXPECT_GT(r.expires_at_ms, r.done_at_ms);
  EXPECT_NE(r.ToJson().find("\"route\":[\"sentiment\",\"unhappy\"]"), std::string::npos)
      << r.ToJson();
}

TEST_F(PipelineTest, GeneratedIdsAreUniqueAcrossReopens) {
  auto p = Create("reviews", kSentimentSpec);
  std::vector<std::string> ids;
  std::vector<PipelineItem> items(100, PipelineItem{"", "good", ""});
  ASSERT_OK(p->SubmitMany(items, &ids));
  Reopen();
  p = Get("reviews");
  std::vector<std::string> more;
  ASSERT_OK(p->SubmitMany(items, &more));
  ids.insert(ids.end(), more.begin(), more.end());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::unique(ids.begin(), ids.end()), ids.end());
  EXPECT_EQ(ids.size(), 200u);
}

TEST_F(PipelineTest, DuplicateIdsProduceNoSecondResult) {
  auto p = Create("reviews", kSentimentSpec);
  std::string id;
  ASSERT_OK(p->Submit("good", "same", "", &id));
  PipelineResult first;
  ASSERT_OK(p->GetResult("same", &first));
  ASSERT_OK(p->Submit("bad awful", "same", "", &id));
  EXPECT_EQ(id, "same");
  std::vector<PipelineItem> items(50, PipelineItem{"x", "bad", ""});
  std::vector<std::string> ids;
  ASSERT_OK(p->SubmitMany(items, &ids));
  ASSERT_OK(p->Flush());
  PipelineResult again;
  ASSERT_OK(p->GetResult("same", &again));
  EXPECT_EQ(again.done_at_ms, first.done_at_ms);
  EXPECT_EQ(again.route, first.route);
  const PipelineStats stats = p->Stats();
  EXPECT_EQ(stats.completed, 2u);  // "same" and "x"
  EXPECT_EQ(stats.duplicates, 50u);
}

TEST_F(PipelineTest, ExtractAndValidateRouteOnCheckDigits) {
  auto p = Create("products", R"J({
    "stages": [
      {"name": "topic", "classify": "topic", "routes": {"tech": "ids", "*": "out"}},
      {"name": "ids", "extract": ["gtin", {"sku": "SKU-(\\d+)"}], "next": "check"},
      {"name": "check", "validate": ["gtin"], "on_valid": "out", "on_invalid": "review",
       "on_absent": "out"},
      {"name": "review", "sink": {}},
      {"name": "out", "sink": {}}
    ]})J");
  std::string id;
  ASSERT_OK(p->Submit("phone laptop EAN 4006381333931 SKU-42", "valid", "", &id));
  ASSERT_OK(p->Submit("phone laptop EAN 4006381333932", "invalid", "", &id));
  ASSERT_OK(p->Submit("phone laptop nothing", "absent", "", &id));
  ASSERT_OK(p->Submit("pizza bread 4006381333932", "food", "", &id));
  PipelineResult r;
  ASSERT_OK(p->GetResult("valid", &r));
  EXPECT_EQ(r.route, (std::vector<std::string>{"topic", "ids", "check", "out"}));
  ASSERT_EQ(r.fields.size(), 2u);
  EXPECT_EQ(r.fields[0].name, "gtin");
  EXPECT_EQ(r.fields[0].json, "\"4006381333931\"");
  EXPECT_EQ(r.fields[1].json, "\"42\"");
  ASSERT_EQ(r.valid.size(), 1u);
  EXPECT_TRUE(r.valid[0].second);
  ASSERT_OK(p->GetResult("invalid", &r));
  EXPECT_EQ(r.route.back(), "review");
  EXPECT_FALSE(r.valid[0].second);
  ASSERT_OK(p->GetResult("absent", &r));
  EXPECT_EQ(r.route.back(), "out");
  EXPECT_TRUE(r.valid.empty());
  ASSERT_OK(p->GetResult("food", &r));
  EXPECT_EQ(r.route, (std::vector<std::string>{"topic", "out"}));
  EXPECT_TRUE(r.fields.empty());
}

TEST_F(PipelineTest, MinConfidenceSendsUncertainItemsToTheFallback) {
  auto p = Create("strict", R"({"stages": [
      {"name": "s", "classify": "sentiment", "next": "out", "min_confidence": 0.999999,
       "fallback": "review"},
      {"name": "review", "sink": {}}, {"name": "out", "sink": {}}]})");
  std::string id;
  ASSERT_OK(p->Submit("good bad", "unsure", "", &id));
  PipelineResult r;
  ASSERT_OK(p->GetResult("unsure", &r));
  EXPECT_EQ(r.route.back(), "review");
  EXPECT_EQ(r.predictions[0].label, "");
}

const char* kEnrichSpec = R"({
  "stages": [
    {"name": "s", "classify": "sentiment", "next": "lookup"},
    {"name": "lookup", "enrich": "crm", "next": "out"},
    {"name": "out", "sink": {}}
  ],
  "max_attempts": 3, "retry": {"initial_ms": 1, "max_ms": 5}
})";

TEST_F(PipelineTest, EnrichMergesFieldsAndRetriesFailures) {
  auto p = Create("enrich", kEnrichSpec);
  std::atomic<int> calls{0};
  ASSERT_OK(p->RegisterEnrich("crm", [&](const CallbackItem& item, std::vector<Field>* fields) {
    ++calls;
    if (item.text.find("flaky") != std::string_view::npos && item.attempt < 3) {
      return Status::Unavailable("crm is down");
    }
    if (item.text.find("poison") != std::string_view::npos) throw std::runtime_error("boom");
    fields->push_back(Field::String("customer", std::string(item.id) + "-cust"));
    EXPECT_EQ(item.predictions.size(), 1u);
    return Status::OK();
  }));
  std::string id;
  ASSERT_OK(p->Submit("good", "ok", "", &id));
  ASSERT_OK(p->Submit("good flaky", "flaky", "", &id));
  ASSERT_OK(p->Submit("good poison", "poison", "", &id));
  ASSERT_OK(p->Flush(10000));
  PipelineResult r;
  ASSERT_OK(p->GetResult("ok", &r));
  EXPECT_EQ(r.fields.at(0).json, "\"ok-cust\"");
  EXPECT_EQ(r.attempts, 1u);
  ASSERT_OK(p->GetResult("flaky", &r));
  EXPECT_EQ(r.attempts, 3u);
  EXPECT_CODE(p->GetResult("poison", &r), kNotFound);
  std::vector<DeadLetter> dead;
  ASSERT_OK(p->DeadLetters(0, &dead));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, "poison");
  EXPECT_EQ(dead[0].stage, "lookup");
  EXPECT_EQ(dead[0].attempts, 3u);
  EXPECT_NE(dead[0].error.find("boom"), std::string::npos) << dead[0].error;
  EXPECT_EQ(p->Stats().dead_letters, 1u);
  EXPECT_EQ(p->Stats().retries, 4u);
}

TEST_F(PipelineTest, RequeueRunsADeadLetterAgain) {
  auto p = Create("enrich", kEnrichSpec);
  std::atomic<bool> healthy{false};
  ASSERT_OK(p->RegisterEnrich("crm", [&](const CallbackItem&, std::vector<Field>* fields) {
    if (!healthy) return Status::Unavailable("down");
    fields->push_back(Field::String("c", "1"));
    return Status::OK();
  }));
  std::string id;
  ASSERT_OK(p->Submit("good", "a", "", &id));
  ASSERT_OK(p->Flush(10000));
  std::vector<DeadLetter> dead;
  ASSERT_OK(p->DeadLetters(0, &dead));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_CODE(p->Requeue("nope"), kNotFound);
  healthy = true;
  ASSERT_OK(p->Requeue("a"));
  ASSERT_OK(p->Flush(10000));
  PipelineResult r;
  ASSERT_OK(p->GetResult("a", &r));
  ASSERT_OK(p->DeadLetters(0, &dead));
  EXPECT_TRUE(dead.empty());
}

TEST_F(PipelineTest, ItemsWaitDurablyForACallbackRegisteredAfterReopen) {
  auto p = Create("enrich", kEnrichSpec);
  std::vector<std::string> ids;
  std::vector<PipelineItem> items(20, PipelineItem{"", "good", ""});
  ASSERT_OK(p->SubmitMany(items, &ids));
  EXPECT_CODE(p->Flush(50), kBusy);
  EXPECT_EQ(p->Stats().queue_depth, 20u);
  Reopen();
  Reopen();  // twice: waiting is not an attempt
  p = Get("enrich");
  PipelineResult r;
  EXPECT_CODE(p->GetResult(ids[0], &r), kNotFound);
  ASSERT_OK(p->RegisterEnrich("crm", [](const CallbackItem& item, std::vector<Field>* fields) {
    fields->push_back(Field::String("attempt", std::to_string(item.attempt)));
    return Status::OK();
  }));
  ASSERT_OK(p->Flush(10000));
  for (const std::string& id : ids) {
    ASSERT_OK(p->GetResult(id, &r));
    EXPECT_EQ(r.fields.at(0).json, "\"1\"");
  }
}

TEST_F(PipelineTest, ResultCallbacksSeeEveryResultOnceAndBatched) {
  auto p = Create("reviews", kSentimentSpec);
  std::atomic<int> single{0}, batched{0}, batches{0};
  p->OnResult([&](const PipelineResult&) { ++single; });
  ASSERT_OK(p->OnResults(
      [&](std::span<const PipelineResult> rs) {
        batched += static_cast<int>(rs.size());
        ++batches;
        EXPECT_LE(rs.size(), 100u);
      },
      100, 5));
  std::vector<std::string> ids;
  std::vector<PipelineItem> items(1000, PipelineItem{"", "good", ""});
  ASSERT_OK(p->SubmitMany(items, &ids));
  ASSERT_OK(p->Flush());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the last batch's delay
  EXPECT_EQ(single.load(), 1000);
  EXPECT_EQ(batched.load(), 1000);
  EXPECT_GE(batches.load(), 10);
  std::vector<PipelineResult> newest;
  ASSERT_OK(p->NewestResults(5, &newest));
  ASSERT_EQ(newest.size(), 5u);
  EXPECT_EQ(newest[0].id, ids.back());
}

TEST_F(PipelineTest, ResultsCommittedBeforeTheFirstCallbackAreDeliveredToIt) {
  // Results committed while no callback is registered are owed to the first one, in this
  // process and after a reopen: the delivered cursor must not pass them (it once did, and a
  // crash right after lost them for good).
  auto p = Create("reviews", kSentimentSpec);
  std::vector<std::string> ids, all;
  std::vector<PipelineItem> items(30, PipelineItem{"", "good", ""});
  ASSERT_OK(p->SubmitMany(items, &ids));
  all.insert(all.end(), ids.begin(), ids.end());
  ASSERT_OK(p->Flush());
  Reopen();
  p = Get("reviews");
  ASSERT_OK(p->SubmitMany(items, &ids));  // more, committed before registration too
  all.insert(all.end(), ids.begin(), ids.end());
  ASSERT_OK(p->Flush());
  std::mutex mu;
  std::set<std::string> seen;
  p->OnResult([&](const PipelineResult& r) {
    std::lock_guard<std::mutex> lock(mu);
    seen.insert(r.id);
  });
  ASSERT_OK(p->SubmitMany(items, &ids));
  all.insert(all.end(), ids.begin(), ids.end());
  ASSERT_OK(p->Flush());
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (seen.size() == all.size()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen, std::set<std::string>(all.begin(), all.end()));
}

TEST_F(PipelineTest, TrySubmitRefusesWhenFull) {
  auto p = Create("slow", R"({"stages": [
      {"name": "e", "enrich": "slow", "next": "out"}, {"name": "out", "sink": {}}],
      "max_in_flight": 4})");
  std::string id;
  for (int i = 0; i < 4; ++i) ASSERT_OK(p->TrySubmit("x", "", "", &id));
  EXPECT_CODE(p->TrySubmit("x", "", "", &id), kBusy);
  ASSERT_OK(p->RegisterEnrich(
      "slow", [](const CallbackItem&, std::vector<Field>*) { return Status::OK(); }));
  ASSERT_OK(p->Flush(10000));
  ASSERT_OK(p->TrySubmit("x", "", "", &id));
}

// Resident memory of this process, in MB (VmRSS).
double RssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0.0;
}

TEST_F(PipelineTest, MemoryStaysBoundedWhenTheProducerOutrunsASlowCallback) {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "a sanitizer's shadow memory grows with every allocation; the Release run "
                  "measures this";
#endif
  // 40,000 items of 4 KB (160 MB in all) against an enrich callback that takes 100 µs: the
  // producer is far faster, so it must be held back at max_in_flight, not buffered. What may
  // grow: RocksDB's memtables (queue records hold the texts; 32 MB a family before a flush, and
  // an immutable one while it flushes, 64 MB in all), the 500 items in flight and the pool of
  // idle items that reuses them; 42 MB typically here, 72 MB seen when the flush lagged under
  // load. An intake without backpressure would hold all 160 MB on top of that.
  auto p = Create("slow", R"({"stages": [
      {"name": "e", "enrich": "slow", "next": "out"}, {"name": "out", "sink": {}}],
      "max_in_flight": 500, "durability": "none"})");
  ASSERT_OK(p->RegisterEnrich("slow", [](const CallbackItem&, std::vector<Field>*) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    return Status::OK();
  }));
  const std::string text(4096, 'x');
  std::vector<PipelineItem> items(100, PipelineItem{"", text, ""});
  std::vector<std::string> ids;
  ASSERT_OK(p->SubmitMany(items, &ids));  // warm up: threads, arenas, RocksDB memtables
  const double before = RssMb();
  double peak = before;
  for (int i = 0; i < 400; ++i) {
    ASSERT_OK(p->SubmitMany(items, &ids));
    peak = std::max(peak, RssMb());
  }
  ASSERT_OK(p->Flush());
  EXPECT_LT(peak - before, 100.0) << "RSS grew from " << before << " MB to " << peak << " MB";
  EXPECT_LE(p->Stats().in_flight, 500u);
}

TEST_F(PipelineTest, BadInputIsRefusedAndChangesNothing) {
  auto p = Create("reviews", kSentimentSpec);
  std::string id;
  EXPECT_CODE(p->Submit("", "", "", &id), kInvalidArgument);
  EXPECT_CODE(p->Submit("\xff\xfe", "", "", &id), kInvalidArgument);
  EXPECT_CODE(p->Submit("ok", std::string(300, 'a'), "", &id), kInvalidArgument);
  EXPECT_CODE(p->Submit("ok", "a\nb", "", &id), kInvalidArgument);
  EXPECT_CODE(p->Submit("ok", "", "[1]", &id), kInvalidArgument);
  EXPECT_CODE(p->Submit("ok", "", "{bad", &id), kInvalidArgument);
  std::vector<PipelineItem> items = {{"a", "good", ""}, {"b", "", ""}};
  std::vector<std::string> ids;
  Status s = p->SubmitMany(items, &ids);
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("items[1]"), std::string::npos) << s.ToString();
  PipelineResult r;
  EXPECT_CODE(p->GetResult("a", &r), kNotFound);
  EXPECT_EQ(p->Stats().submitted, 0u);
}

TEST_F(PipelineTest, PipelinesPersistAndSpecsAreCompared) {
  auto p = Create("reviews", kSentimentSpec);
  std::shared_ptr<Pipeline> again;
  ASSERT_OK(engine_->CreatePipeline("reviews", kSentimentSpec, &again));
  EXPECT_EQ(again, p);
  EXPECT_CODE(
      engine_->CreatePipeline("reviews", R"({"stages": [{"name": "o", "sink": {}}]})", &again),
      kAlreadyExists);
  Reopen();
  std::vector<std::string> names;
  ASSERT_OK(engine_->PipelineNames(&names));
  EXPECT_EQ(names, std::vector<std::string>{"reviews"});
  ASSERT_OK(engine_->DropPipeline("reviews"));
  EXPECT_CODE(engine_->GetPipeline("reviews", &again), kNotFound);
  Reopen();
  ASSERT_OK(engine_->PipelineNames(&names));
  EXPECT_TRUE(names.empty());
}

TEST_F(PipelineTest, DropDeletesEveryResultOfABigPipeline) {
  // More results than one delete chunk (10,000): each chunk resumes where the last one ended.
  auto p = Create("big", kSentimentSpec);
  std::vector<std::string> ids;
  std::vector<PipelineItem> items(25000, PipelineItem{"", "good", ""});
  ASSERT_OK(p->SubmitMany(items, &ids));
  ASSERT_OK(p->Flush());
  p.reset();
  ASSERT_OK(engine_->DropPipeline("big"));
  Reopen();
  p = Create("big", kSentimentSpec);
  PipelineResult r;
  size_t found = 0;
  for (const std::string& id : ids) found += p->GetResult(id, &r).ok() ? 1 : 0;
  EXPECT_EQ(found, 0u);
  EXPECT_EQ(p->Stats().completed, 0u);
}

TEST_F(PipelineTest, DurabilityNoneKeepsResultsThroughACleanClose) {
  auto p = Create("fast", R"({"stages": [
      {"name": "s", "classify": "sentiment", "next": "out"}, {"name": "out", "sink": {}}],
      "durability": "none"})");
  std::vector<std::string> ids;
  std::vector<PipelineItem> items(500, PipelineItem{"", "good", ""});
  ASSERT_OK(p->SubmitMany(items, &ids));
  PipelineResult r;
  ASSERT_OK(p->GetResult(ids.back(), &r));
  Reopen();
  p = Get("fast");
  for (const std::string& id : ids) ASSERT_OK(p->GetResult(id, &r));
}

TEST_F(PipelineTest, StatsAndMetricsText) {
  auto p = Create("reviews", kSentimentSpec);
  std::vector<std::string> ids;
  std::vector<PipelineItem> items(100, PipelineItem{"", "good", ""});
  ASSERT_OK(p->SubmitMany(items, &ids));
  ASSERT_OK(p->Flush());
  const std::string metrics = p->MetricsText();
  EXPECT_NE(metrics.find("classiflow_pipeline_completed_total{pipeline=\"reviews\"} 100"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("stage=\"sentiment\""), std::string::npos);
  EXPECT_NE(p->StatsJson().find("\"completed\":100"), std::string::npos) << p->StatsJson();
}

}  // namespace
}  // namespace classiflow::testing
