// The read-only pipeline view of a mode-read engine: it lists and reads what the writer
// committed (results, dead letters, analytics, the stats snapshot), follows new commits,
// refuses every writing verb, and fails cleanly once its engine is closed.
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "pipeline_fixture.h"

namespace classiflow::testing {
namespace {

using nlohmann::json;

class PipelineViewTest : public PipelineTest {
 protected:
  std::unique_ptr<Engine> Reader() {
    EngineOptions options;
    options.mode = EngineOptions::Mode::kRead;
    std::unique_ptr<Engine> reader;
    EXPECT_OK(OpenEngine(dir_.Sub("data"), options, &reader));
    return reader;
  }
  void SubmitReviews(Pipeline& p, int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string id;
      ASSERT_OK(p.Submit(i % 3 == 0 ? "bad awful poor" : "good great fine", "r" + std::to_string(i),
                         "", &id));
    }
    ASSERT_OK(p.Flush());
  }
  // The view's analytics once they count `items` (the reader follows the writer's log).
  static json AnalyticsWhenAt(Pipeline& view, uint64_t items) {
    json doc;
    for (int i = 0; i < 500; ++i) {
      std::string text;
      EXPECT_OK(view.AnalyticsJson(&text));
      doc = json::parse(text);
      if (doc["items"] == items) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return doc;
  }
};

TEST_F(PipelineViewTest, ReadsWhatTheWriterCommittedAndFollowsIt) {
  auto writer = Create("reviews", kSentimentSpec);
  SubmitReviews(*writer, 0, 9);
  auto reader = Reader();
  std::vector<std::string> names;
  ASSERT_OK(reader->PipelineNames(&names));
  EXPECT_EQ(names, std::vector<std::string>{"reviews"});
  std::shared_ptr<Pipeline> view;
  ASSERT_OK(reader->GetPipeline("reviews", &view));
  EXPECT_EQ(view->spec_json(), writer->spec_json());

  std::string written;
  ASSERT_OK(writer->AnalyticsJson(&written));
  json seen = AnalyticsWhenAt(*view, 9);
  seen.erase("pipeline");
  json expected = json::parse(written);
  expected.erase("pipeline");
  EXPECT_EQ(seen, expected);

  PipelineResult result;
  ASSERT_OK(view->GetResult("r0", &result));
  EXPECT_EQ(result.predictions.at(0).label, "neg");
  std::vector<PipelineResult> newest;
  ASSERT_OK(view->NewestResults(3, &newest));
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_EQ(newest[0].id, "r8");
  PipelineStats stats = view->Stats();  // the writer's snapshot: within a second once idle
  for (int i = 0; i < 300 && stats.completed < 9; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stats = view->Stats();
  }
  EXPECT_EQ(stats.completed, 9u);
  EXPECT_EQ(stats.in_flight, 0u);
  ASSERT_EQ(stats.stages.size(), 3u);
  EXPECT_EQ(stats.stages[0].name, "sentiment");
  EXPECT_NE(view->MetricsText().find("classiflow_pipeline_label_total"), std::string::npos)
      << view->MetricsText();

  SubmitReviews(*writer, 9, 20);  // the view follows
  EXPECT_EQ(AnalyticsWhenAt(*view, 20)["items"], 20);
}

TEST_F(PipelineViewTest, RefusesEveryWritingVerb) {
  Create("reviews", kSentimentSpec);
  auto reader = Reader();
  std::shared_ptr<Pipeline> view;
  ASSERT_OK(reader->GetPipeline("reviews", &view));
  std::string id;
  const PipelineItem item{"", "good", ""};
  std::vector<std::string> ids;
  size_t trained = 0;
  for (const Status& s :
       {view->Submit("good", "", "", &id), view->TrySubmit("good", "", "", &id),
        view->SubmitMany({&item, 1}, &ids), view->Flush(0), view->Requeue("x"),
        view->OnResults([](auto) {}, 1, 0), view->RegisterEnrich("e", nullptr),
        view->RegisterValidator("v", nullptr), view->ResetAnalytics(), view->Recount(),
        view->Feedback("r0", "pos", {}), view->Retrain(&trained)}) {
    EXPECT_EQ(s.code(), Status::Code::kNotSupported) << s.ToString();
    EXPECT_NE(s.message().find("mode=\"read\""), std::string::npos) << s.ToString();
  }
  std::shared_ptr<Pipeline> p;
  EXPECT_EQ(reader->CreatePipeline("other", kSentimentSpec, &p).code(),
            Status::Code::kNotSupported);
  EXPECT_EQ(reader->DropPipeline("reviews").code(), Status::Code::kNotSupported);
  EXPECT_EQ(reader->GetPipeline("missing", &p).code(), Status::Code::kNotFound);
}

TEST_F(PipelineViewTest, AHandleOutlivingItsEngineIsUnavailable) {
  Create("reviews", kSentimentSpec);
  auto reader = Reader();
  std::shared_ptr<Pipeline> view;
  ASSERT_OK(reader->GetPipeline("reviews", &view));
  ASSERT_OK(reader->Close());
  std::string text;
  EXPECT_EQ(view->AnalyticsJson(&text).code(), Status::Code::kUnavailable);
  PipelineResult result;
  EXPECT_EQ(view->GetResult("r0", &result).code(), Status::Code::kUnavailable);
  EXPECT_EQ(view->Stats().completed, 0u);
}

}  // namespace
}  // namespace classiflow::testing
