// Live analytics and feedback through the public API: what the aggregates count, that they
// survive a reopen and equal a recount, the urgent and needs-review lists, feedback that is
// idempotent per id and trains the model, resets, and the Prometheus lines.
#include <nlohmann/json.hpp>

#include "pipeline_fixture.h"

namespace classiflow::testing {
namespace {

using nlohmann::json;

// Sentiment, then extraction of an e-mail address, then one sink per label.
const char* kReviewSpec = R"({
  "stages": [
    {"name": "sentiment", "classify": "sentiment", "routes": {"pos": "happy", "*": "contact"}},
    {"name": "contact", "extract": ["email"], "next": "unhappy"},
    {"name": "happy", "sink": {"keep_text": true}},
    {"name": "unhappy", "sink": {"keep_text": true}}
  ],
  "analytics": {"urgent": {"labels": ["neg"], "min_confidence": 0.5, "keep": 3},
                "review_keep": 2, "minutes": 5, "hours": 2,
                "feedback": {"train": "online", "alert_window": 4, "alert_min": 4,
                             "alert_below": 0.5}}
})";

FeedbackOptions OfStage(std::string_view stage) {
  FeedbackOptions options;
  options.stage = stage;
  return options;
}

FeedbackOptions WithText(std::string_view text) {
  FeedbackOptions options;
  options.text = text;
  return options;
}

json Analytics(Pipeline& p) {
  std::string text;
  EXPECT_OK(p.AnalyticsJson(&text));
  return json::parse(text);
}

class AnalyticsTest : public PipelineTest {
 protected:
  // 6 positive, 4 negative reviews (two with an address), ids r0..r9, flushed.
  std::shared_ptr<Pipeline> Reviews(const char* spec = kReviewSpec) {
    auto p = Create("reviews", spec);
    const char* texts[] = {
        "good great fine", "great good nice", "bad awful poor mail a@b.io", "good fine",
        "awful terrible",  "great nice good", "bad poor c@d.org awful",     "good great",
        "terrible bad",    "nice good great"};
    for (int i = 0; i < 10; ++i) {
      std::string id;
      EXPECT_OK(p->Submit(texts[i], "r" + std::to_string(i), "", &id));
    }
    EXPECT_OK(p->Flush());
    return p;
  }
};

TEST_F(AnalyticsTest, CountLabelsRoutesAndFieldsOfEveryResult) {
  auto p = Reviews();
  const json a = Analytics(*p);
  EXPECT_EQ(a["pipeline"], "reviews");
  EXPECT_EQ(a["items"], 10);
  const json& s = a["stages"]["sentiment"];
  EXPECT_EQ(s["items"], 10);
  EXPECT_EQ(s["model"], "sentiment");
  EXPECT_EQ(s["labels"]["pos"]["count"], 6);
  EXPECT_EQ(s["labels"]["neg"]["count"], 4);
  EXPECT_GT(s["labels"]["pos"]["mean_confidence"].get<double>(), 0.5);
  uint64_t in_histogram = 0;
  for (const json& c : s["histogram"]["counts"]) in_histogram += c.get<uint64_t>();
  EXPECT_EQ(in_histogram, 10u);
  EXPECT_EQ(s["histogram"]["edges"].size(), 11u);
  ASSERT_EQ(s["per_minute"].size(), 1u) << s["per_minute"].dump();
  EXPECT_EQ(s["per_minute"][0]["counts"]["pos"].get<int>() +
                s["per_minute"][0]["counts"]["neg"].get<int>(),
            10);
  ASSERT_EQ(s["per_hour"].size(), 1u);
  std::map<std::pair<std::string, std::string>, int> routes;
  for (const json& r : a["routes"]) routes[{r["from"], r["to"]}] = r["count"];
  EXPECT_EQ(routes,
            (std::map<std::pair<std::string, std::string>, int>{{{"sentiment", "happy"}, 6},
                                                                {{"sentiment", "contact"}, 4},
                                                                {{"contact", "unhappy"}, 4}}));
  EXPECT_EQ(a["fields"]["email"]["extracted"], 2);
  EXPECT_EQ(a["stages"]["contact"]["items"], 4);
  EXPECT_EQ(a["stages"]["contact"]["retries"], 0);
}

TEST_F(AnalyticsTest, UrgentKeepsTheNewestAndReviewTheLeastConfident) {
  auto p = Reviews();
  const json a = Analytics(*p);
  ASSERT_EQ(a["urgent"].size(), 3u);  // keep: 3 of the 4 negatives, newest first
  EXPECT_EQ(a["urgent"][0]["id"], "r8");
  EXPECT_EQ(a["urgent"][1]["id"], "r6");
  EXPECT_EQ(a["urgent"][2]["id"], "r4");
  EXPECT_EQ(a["urgent"][0]["label"], "neg");
  // The two least confident answers of all ten, least first.
  std::vector<std::pair<double, std::string>> all;
  for (int i = 0; i < 10; ++i) {
    PipelineResult r;
    ASSERT_OK(p->GetResult("r" + std::to_string(i), &r));
    all.emplace_back(r.predictions[0].confidence, r.id);
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(a["needs_review"].size(), 2u);
  EXPECT_EQ(a["needs_review"][0]["id"], all[0].second);
  EXPECT_EQ(a["needs_review"][1]["id"], all[1].second);
}

TEST_F(AnalyticsTest, TheSameAfterAReopenAndARecount) {
  auto p = Reviews();
  ASSERT_OK(p->Feedback("r1", "neg", {}));
  const json before = Analytics(*p);
  p.reset();
  Reopen();
  p = Get("reviews");
  EXPECT_EQ(Analytics(*p), before);
  ASSERT_OK(p->Recount());
  EXPECT_EQ(Analytics(*p), before);
}

TEST_F(AnalyticsTest, FeedbackScoresEachModelVersionAndReplacesPerId) {
  auto p = Reviews();
  PipelineResult r3;
  ASSERT_OK(p->GetResult("r3", &r3));
  const std::string version = std::to_string(r3.predictions[0].version);
  ASSERT_OK(p->Feedback("r3", "pos", {}));  // right
  ASSERT_OK(p->Feedback("r4", "pos", {}));  // wrong: it answered neg
  json f = Analytics(*p)["feedback"];
  EXPECT_EQ(f["total"], 2);
  EXPECT_EQ(f["correct"], 1);
  json v = f["versions"]["sentiment"][version];
  EXPECT_EQ(v["n"], 2);
  EXPECT_DOUBLE_EQ(v["accuracy"].get<double>(), 0.5);
  EXPECT_EQ(v["labels"], json({"neg", "pos"}));
  EXPECT_EQ(v["confusion"], json({{0, 0}, {1, 1}}));  // truth pos: predicted neg once, pos once
  // A second feedback for r4 replaces the first: still two feedbacks, now both right.
  ASSERT_OK(p->Feedback("r4", "neg", {}));
  f = Analytics(*p)["feedback"];
  EXPECT_EQ(f["total"], 2);
  EXPECT_EQ(f["correct"], 2);
  v = f["versions"]["sentiment"][version];
  EXPECT_DOUBLE_EQ(v["accuracy"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(v["macro_f1"].get<double>(), 1.0);
  EXPECT_EQ(v["confusion"], json({{1, 0}, {0, 1}}));
  const json live = Analytics(*p);
  ASSERT_OK(p->Recount());
  EXPECT_EQ(Analytics(*p), live);
}

TEST_F(AnalyticsTest, AnsweredItemsLeaveTheNeedsReviewList) {
  auto p = Reviews();
  const std::string first = Analytics(*p)["needs_review"][0]["id"];
  ASSERT_OK(p->Feedback(first, "pos", {}));
  const json review = Analytics(*p)["needs_review"];
  ASSERT_EQ(review.size(), 1u);
  EXPECT_NE(review[0]["id"], first);
}

TEST_F(AnalyticsTest, OnlineFeedbackTrainsTheModelThatAnswered) {
  auto p = Reviews();
  std::shared_ptr<Model> model;
  ASSERT_OK(engine_->GetModel("sentiment", &model));
  const uint64_t before = model->version();
  ASSERT_OK(p->Feedback("r0", "neg", {}));
  EXPECT_EQ(model->version(), before + 1);
  size_t trained = 99;
  ASSERT_OK(p->Retrain(&trained));
  EXPECT_EQ(trained, 0u);  // trained already
}

TEST_F(AnalyticsTest, LaterFeedbackWaitsForRetrain) {
  std::string spec = kReviewSpec;
  spec.replace(spec.find("\"online\""), 8, "\"later\"");
  auto p = Reviews(spec.c_str());
  std::shared_ptr<Model> model;
  ASSERT_OK(engine_->GetModel("sentiment", &model));
  const uint64_t before = model->version();
  ASSERT_OK(p->Feedback("r0", "neg", {}));
  ASSERT_OK(p->Feedback("r1", "neg", {}));
  EXPECT_EQ(model->version(), before);
  size_t trained = 0;
  ASSERT_OK(p->Retrain(&trained));
  EXPECT_EQ(trained, 2u);
  EXPECT_EQ(model->version(), before + 1);  // one batch
  ASSERT_OK(p->Retrain(&trained));
  EXPECT_EQ(trained, 0u);
}

TEST_F(AnalyticsTest, BadFeedbackIsRefusedAndChangesNothing) {
  auto p = Reviews();
  const json before = Analytics(*p);
  EXPECT_CODE(p->Feedback("nope", "pos", {}), kNotFound);
  EXPECT_CODE(p->Feedback("r0", "", {}), kInvalidArgument);
  EXPECT_CODE(p->Feedback("r0", "\xff\xfe", {}), kInvalidArgument);
  EXPECT_CODE(p->Feedback("", "pos", {}), kInvalidArgument);
  EXPECT_CODE(p->Feedback("r0", "pos", OfStage("contact")), kInvalidArgument);
  EXPECT_CODE(p->Feedback("r0", "pos", OfStage("no such stage")), kInvalidArgument);
  EXPECT_EQ(Analytics(*p), before);
}

TEST_F(AnalyticsTest, OnlineTrainingNeedsAText) {
  const std::string spec = R"({"stages": [{"name": "s", "classify": "sentiment", "next": "out"},
                                {"name": "out", "sink": {}}],
                               "analytics": {"feedback": {"train": "online"}}})";
  auto p = Create("bare", spec);
  std::string id;
  ASSERT_OK(p->Submit("good great", "a", "", &id));
  ASSERT_OK(p->Flush());
  EXPECT_CODE(p->Feedback("a", "pos", {}), kInvalidArgument);
  ASSERT_OK(p->Feedback("a", "pos", WithText("good great")));
}

TEST_F(AnalyticsTest, AnAlertLineAppearsWhenRecentAccuracyDrops) {
  auto p = Reviews();
  EXPECT_EQ(p->MetricsText().find("classiflow_pipeline_feedback_alert"), std::string::npos);
  for (const char* id : {"r0", "r1", "r3", "r5"}) ASSERT_OK(p->Feedback(id, "neg", {}));
  const std::string text = p->MetricsText();
  EXPECT_NE(text.find("classiflow_pipeline_feedback_alert{pipeline=\"reviews\""), std::string::npos)
      << text;
  EXPECT_NE(text.find("classiflow_pipeline_label_total{pipeline=\"reviews\",stage=\"sentiment\","
                      "label=\"pos\"} 6"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("classiflow_pipeline_route_total{pipeline=\"reviews\",from=\"sentiment\","
                      "to=\"happy\"} 6"),
            std::string::npos);
  EXPECT_TRUE(Analytics(*p)["feedback"]["recent"]["alert"].get<bool>());
}

TEST_F(AnalyticsTest, ResetCountsFromTheNextCommit) {
  auto p = Reviews();
  ASSERT_OK(p->Feedback("r2", "neg", {}));
  ASSERT_OK(p->ResetAnalytics());
  json a = Analytics(*p);
  EXPECT_EQ(a["items"], 0);
  EXPECT_EQ(a["urgent"].size(), 0u);
  EXPECT_EQ(a["feedback"]["total"], 0);
  std::string id;
  ASSERT_OK(p->Submit("bad awful", "late", "", &id));
  ASSERT_OK(p->Flush());
  // Feedback for an id answered before the reset counts once, with nothing to replace.
  ASSERT_OK(p->Feedback("r2", "pos", {}));
  a = Analytics(*p);
  EXPECT_EQ(a["items"], 1);
  EXPECT_EQ(a["feedback"]["total"], 1);
  ASSERT_OK(p->Recount());
  EXPECT_EQ(Analytics(*p), a);
}

TEST_F(AnalyticsTest, ASpecCanTurnThemOff) {
  auto p = Create("quiet", R"({"stages": [{"name": "s", "classify": "sentiment", "next": "o"},
                                          {"name": "o", "sink": {}}], "analytics": false})");
  std::string out;
  EXPECT_CODE(p->AnalyticsJson(&out), kNotSupported);
  EXPECT_EQ(p->MetricsText().find("label_total"), std::string::npos);
}

TEST_F(AnalyticsTest, BadSettingsNameTheKey) {
  std::shared_ptr<Pipeline> p;
  const auto spec = [](const std::string& analytics) {
    return R"({"stages": [{"name": "s", "classify": "sentiment", "next": "o"},
                          {"name": "o", "sink": {}}], "analytics": )" +
           analytics + "}";
  };
  for (const auto& [analytics, key] : std::vector<std::pair<std::string, std::string>>{
           {R"({"minutes": -1})", "analytics.minutes"},
           {R"({"bogus": 1})", "analytics.bogus"},
           {R"({"urgent": {"labels": []}})", "analytics.urgent.labels"},
           {R"({"urgent": {"labels": ["neg"], "stage": "o"}})", "analytics.urgent.stage"},
           {R"({"feedback": {"train": "sometimes"}})", "analytics.feedback.train"},
           {R"({"feedback": {"alert_below": 2}})", "analytics.feedback.alert_below"},
           {R"("yes")", "analytics"}}) {
    Status s = engine_->CreatePipeline("bad", spec(analytics), &p);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << analytics;
    EXPECT_NE(s.message().find(key), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace classiflow::testing
