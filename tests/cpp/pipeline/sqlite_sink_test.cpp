// The SQLite results sink ({"sink": {"sqlite": FILE}}) and ExportSqlite: rows as a user reads
// them with sqlite3, catching up from the pipeline's log after the file fell behind or a write
// failed, and the files it refuses. Kills are in crash_test.cpp.
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "pipeline/sink/sink_mirror.h"
#include "pipeline_fixture.h"
#include "sink_reader.h"

namespace classiflow::testing {
namespace {

using nlohmann::json;

// Sentiment, then a GTIN extractor for the happy ones; both sinks in one file.
const char* kSinkSpec = R"({
  "stages": [
    {"name": "sentiment", "classify": "sentiment", "routes": {"pos": "ids", "*": "unhappy"}},
    {"name": "ids", "extract": ["gtin"], "next": "happy"},
    {"name": "happy", "sink": {"sqlite": "results.db", "keep_text": true}},
    {"name": "unhappy", "sink": {"sqlite": "results.db", "ttl_s": 3600}}
  ]
})";

class SqliteSinkTest : public PipelineTest {
 protected:
  std::string SinkFile() const { return dir_.Sub("data") + "/results.db"; }
  void Submit(Pipeline& p, int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string id;
      ASSERT_OK(p.Submit(i % 2 == 0 ? "good great 4006381333931" : "bad awful poor",
                         "r" + std::to_string(i), i == 0 ? R"({"shop": "a"})" : "", &id));
    }
    ASSERT_OK(p.Flush());
  }
  Status CreateStatus(const std::string& name, const std::string& spec) {
    std::shared_ptr<Pipeline> p;
    return engine_->CreatePipeline(name, spec, &p);
  }
};

TEST_F(SqliteSinkTest, EveryResultIsARowOnceFlushReturns) {
  auto p = Create("reviews", kSinkSpec);
  Submit(*p, 0, 300);
  SinkReader sink(SinkFile());  // relative to the data directory
  ASSERT_TRUE(sink.ok());
  EXPECT_EQ(sink.Int("SELECT count(*) FROM results"), 300);
  EXPECT_EQ(sink.Int("SELECT count(*) FROM results WHERE label = 'pos'"), 150);
  EXPECT_EQ(sink.Int("SELECT count(*) FROM results WHERE sink = 'unhappy'"), 150);
  auto row = sink.Rows(
      "SELECT label, model, version, route, json_extract(fields, '$.gtin'), text, "
      "json_extract(meta, '$.shop'), attempts, expires_at IS NULL, done_at >= submitted_at, "
      "json_extract(predictions, '$.sentiment.label') FROM results WHERE id = 'r0'");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0], (std::vector<std::string>{
                        "pos", "sentiment", "1", R"(["sentiment","ids","happy"])", "4006381333931",
                        "good great 4006381333931", "a", "1", "1", "1", "pos"}));
  row = sink.Rows("SELECT text, expires_at > done_at FROM results WHERE id = 'r1'");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0], (std::vector<std::string>{"NULL", "1"}));  // no keep_text; a ttl
  // The same rows as the engine's own results.
  PipelineResult r;
  ASSERT_OK(p->GetResult("r3", &r));
  EXPECT_EQ(sink.Labels()["r3"], r.predictions.back().label);
  EXPECT_EQ(sink.Int("SELECT seq FROM classiflow_sink WHERE pipeline = 'reviews'"),
            sink.Int("SELECT max(seq) FROM classiflow_sink"));
}

TEST_F(SqliteSinkTest, AFileThatFellBehindCatchesUpFromTheLogWhenThePipelineOpens) {
  Create("reviews", kSinkSpec);
  Submit(*Get("reviews"), 0, 200);
  engine_->Close();
  engine_.reset();
  {
    // As if the process had died between commits and their rows: rows gone, cursor back.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(SinkFile().c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DELETE FROM results WHERE rowid % 3 = 0; "
                           "UPDATE results SET label = 'stale' WHERE id = 'r1'; "
                           "UPDATE classiflow_sink SET seq = 0",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  Open();
  auto p = Get("reviews");
  ASSERT_OK(p->Flush());  // waits for the sink too
  SinkReader sink(SinkFile());
  EXPECT_EQ(sink.Int("SELECT count(*) FROM results"), 200);
  EXPECT_EQ(sink.Labels()["r1"], "neg");  // replayed rows replace what is there
  Submit(*p, 200, 250);
  EXPECT_EQ(SinkReader(SinkFile()).Int("SELECT count(*) FROM results"), 250);
}

TEST_F(SqliteSinkTest, SinkStagesWriteTheirOwnFiles) {
  auto p = Create("reviews", R"({
    "stages": [
      {"name": "sentiment", "classify": "sentiment", "routes": {"pos": "happy", "*": "unhappy"}},
      {"name": "happy", "sink": {"sqlite": "happy.db"}},
      {"name": "unhappy", "sink": {}}
    ]
  })");
  const std::string absolute = dir_.Sub("elsewhere.db");
  auto q = Create("other", R"({"stages": [{"name": "s", "classify": "topic", "next": "out"},
                                          {"name": "out", "sink": {"sqlite": ")" +
                               absolute + R"("}}]})");
  Submit(*p, 0, 40);
  std::string id;
  ASSERT_OK(q->Submit("pizza bread", "x", "", &id));
  ASSERT_OK(q->Flush());
  EXPECT_EQ(SinkReader(dir_.Sub("data") + "/happy.db").Int("SELECT count(*) FROM results"), 20);
  EXPECT_EQ(SinkReader(absolute).Labels(), (std::map<std::string, std::string>{{"x", "food"}}));
}

TEST_F(SqliteSinkTest, ExportWritesTheStoredResultsAndCanBeRepeated) {
  auto p = Create("reviews", kSentimentSpec);  // no sink file
  Submit(*p, 0, 120);
  size_t written = 0;
  ASSERT_OK(p->ExportSqlite("export.db", &written));
  EXPECT_EQ(written, 120u);
  Submit(*p, 120, 150);
  ASSERT_OK(p->ExportSqlite("export.db", &written));
  EXPECT_EQ(written, 150u);
  SinkReader sink(dir_.Sub("data") + "/export.db");
  EXPECT_EQ(sink.Int("SELECT count(*) FROM results"), 150);        // upserted: no duplicates
  EXPECT_EQ(sink.Int("SELECT count(*) FROM classiflow_sink"), 0);  // an export claims nothing
  // From a read view of the same directory too.
  EngineOptions options;
  options.mode = EngineOptions::Mode::kRead;
  std::unique_ptr<Engine> reader;
  ASSERT_OK(OpenEngine(dir_.Sub("data"), options, &reader));
  std::shared_ptr<Pipeline> view;
  ASSERT_OK(reader->GetPipeline("reviews", &view));
  ASSERT_OK(view->ExportSqlite(dir_.Sub("from-reader.db"), &written));
  EXPECT_EQ(written, 150u);
}

TEST_F(SqliteSinkTest, FilesThatAreNotASinksAreRefusedAndNothingIsStored) {
  const auto spec = [](const std::string& file) {
    return R"({"stages": [{"name": "s", "classify": "sentiment", "next": "out"},
                          {"name": "out", "sink": {"sqlite": )" +
           json(file).dump() + "}}]}";
  };
  { std::ofstream(dir_.Sub("notes.txt")) << "not a database, just the user's notes\n"; }
  Status s = CreateStatus("a", spec(dir_.Sub("notes.txt")));
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("is not an SQLite database"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("stage 'out'"), std::string::npos) << s.ToString();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.Sub("theirs.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE results(x INTEGER)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  s = CreateStatus("a", spec(dir_.Sub("theirs.db")));
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("not a classiflow sink's (its columns: x)"), std::string::npos)
      << s.ToString();
  ASSERT_OK(CreateStatus("first", spec("shared.db")));
  s = CreateStatus("second", spec("shared.db"));
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("is the sink of pipeline 'first'"), std::string::npos) << s.ToString();
  {
    std::unique_ptr<Engine> other;
    ASSERT_OK(OpenEngine("sqlite:" + dir_.Sub("engine.sqlite"), EngineOptions(), &other));
  }
  s = CreateStatus("a", spec(dir_.Sub("engine.sqlite")));
  EXPECT_CODE(s, kInvalidArgument);
  EXPECT_NE(s.message().find("classiflow engine file"), std::string::npos) << s.ToString();
  s = CreateStatus("a", spec(dir_.Sub("no/such/dir/x.db")));
  EXPECT_CODE(s, kIOError);
  for (const char* bad : {R"("")", "3", "null"}) {
    s = CreateStatus(
        "a", R"({"stages": [{"name": "out", "sink": {"sqlite": )" + std::string(bad) + "}}]}");
    EXPECT_CODE(s, kInvalidArgument);
    EXPECT_NE(s.message().find("sink.sqlite"), std::string::npos) << s.ToString();
  }
  // None of the refused pipelines was stored.
  std::vector<std::string> names;
  ASSERT_OK(engine_->PipelineNames(&names));
  EXPECT_EQ(names, std::vector<std::string>{"first"});
  size_t written = 0;
  EXPECT_CODE(Get("first")->ExportSqlite(dir_.Sub("notes.txt"), &written), kInvalidArgument);
}

// A sink that keeps its rows in memory and fails while `failing` is set: the mirror's retries
// and its replay from the log, without a disk to fill.
struct FlakySinkState {
  std::mutex mu;
  bool failing = false;
  bool holding = false;  // Write waits until it is cleared: a sink slower than the pipeline
  std::condition_variable released;
  uint64_t cursor = 0;
  std::map<std::string, std::string> labels;  // id -> label of the last upsert
  int failed_writes = 0;
};

class FlakySink final : public ResultsSink {
 public:
  explicit FlakySink(std::shared_ptr<FlakySinkState> state) : state_(std::move(state)) {}
  Status Cursor(uint64_t* seq) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    *seq = state_->cursor;
    return Status::OK();
  }
  Status Write(std::span<const ResultRow> rows, uint64_t seq) override {
    std::unique_lock<std::mutex> lock(state_->mu);
    state_->released.wait(lock, [&] { return !state_->holding; });
    if (state_->failing) {
      ++state_->failed_writes;
      return Status::IOError("writing 'flaky': database or disk is full (SQLITE_FULL, code 13)");
    }
    for (const ResultRow& r : rows) state_->labels[std::string(r.id)] = std::string(r.label);
    if (seq > 0) state_->cursor = seq;
    return Status::OK();
  }
  std::string Describe() const override { return "flaky"; }

 private:
  std::shared_ptr<FlakySinkState> state_;
};

// A pipeline on memory: whose sink file is a FlakySink sharing `state_`.
class FlakySinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineServices services;
    services.open_results_sink = [state = state_](const std::string&, std::string_view, bool,
                                                  std::unique_ptr<ResultsSink>* out) {
      *out = std::make_unique<FlakySink>(state);
      return Status::OK();
    };
    std::unique_ptr<Store> store;
    ASSERT_OK(OpenStore("memory:", &store));
    ASSERT_OK(Engine::Open(EngineOptions(), std::move(store), services, &engine_));
    TrainModels(*engine_);
    ASSERT_OK(engine_->CreatePipeline("reviews", kSinkSpec, &p_));
  }

  std::shared_ptr<FlakySinkState> state_ = std::make_shared<FlakySinkState>();
  std::unique_ptr<Engine> engine_;
  std::shared_ptr<Pipeline> p_;
};

TEST_F(FlakySinkTest, AFailingSinkIsReportedByFlushAndCatchesUpOnceItWritesAgain) {
  const auto submit = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      std::string id;
      ASSERT_OK(p_->Submit(i % 2 ? "bad awful" : "good great", "r" + std::to_string(i), "", &id));
    }
  };
  submit(0, 100);
  ASSERT_OK(p_->Flush());
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    EXPECT_EQ(state_->labels.size(), 100u);
    state_->failing = true;
  }
  submit(100, 200);
  Status s = p_->Flush();  // the results are stored; the sink's error is reported
  EXPECT_CODE(s, kIOError);
  EXPECT_NE(s.message().find("the results are stored"), std::string::npos) << s.ToString();
  PipelineResult r;
  ASSERT_OK(p_->GetResult("r150", &r));
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    EXPECT_GT(state_->failed_writes, 0);
    EXPECT_EQ(state_->labels.size(), 100u);
    state_->failing = false;
  }
  submit(200, 250);
  ASSERT_OK(p_->Flush());  // the retry replays the failed commits from the log
  std::lock_guard<std::mutex> lock(state_->mu);
  EXPECT_EQ(state_->labels.size(), 250u);
  EXPECT_EQ(state_->labels["r151"], "neg");
}

TEST_F(FlakySinkTest, MoreRowsThanTheMirrorQueuesAreReadBackFromTheLog) {
  // A sink slower than the pipeline: the mirror queues at most kMaxQueuedRecords records in
  // memory, and reads the commits past that bound back from the pipeline's log.
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->holding = true;
  }
  const size_t total = SinkMirror::kMaxQueuedRecords + 40000;
  std::vector<std::string> ids(total);
  std::vector<PipelineItem> items(total);
  for (size_t i = 0; i < total; ++i) {
    ids[i] = "r";  // not "r" + ...: GCC 12 warns falsely (-Wrestrict) on that
    ids[i] += std::to_string(i);
    items[i] = {ids[i], i % 2 ? "bad awful" : "good great", ""};
  }
  std::vector<std::string> given;
  ASSERT_OK(p_->SubmitMany(items, &given));  // acknowledged: stored, whatever the sink does
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    EXPECT_TRUE(state_->labels.empty());
    state_->holding = false;
  }
  state_->released.notify_all();
  ASSERT_OK(p_->Flush());
  std::lock_guard<std::mutex> lock(state_->mu);
  EXPECT_EQ(state_->labels.size(), total);
  EXPECT_EQ(state_->labels["r1"], "neg");
  EXPECT_EQ(state_->labels[ids[total - 2]], "pos");
}

TEST(SinkMirrorTest, WithoutTheStorageLayerASinkFileIsNotSupported) {
  std::unique_ptr<Store> store;
  ASSERT_OK(OpenStore("memory:", &store));
  std::unique_ptr<Engine> engine;
  ASSERT_OK(Engine::Open(EngineOptions(), std::move(store), &engine));  // no services
  TrainModels(*engine);
  std::shared_ptr<Pipeline> p;
  Status s = engine->CreatePipeline("reviews", kSinkSpec, &p);
  EXPECT_CODE(s, kNotSupported);
  EXPECT_NE(s.message().find("storage layer"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace classiflow::testing
