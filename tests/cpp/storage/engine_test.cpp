// Engine behaviour that every store backend must share, run against memory:, RocksDB and SQLite.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <random>
#include <thread>

#include "classiflow/open.h"
#include "memory_store.h"
#include "test_util.h"

namespace classiflow {
namespace {

using testing::TempDir;

class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "memory") {
      uri_ = "memory:";
    } else {
      uri_ =
          GetParam() == "sqlite" ? "sqlite:" + dir_.Sub("db.sqlite") : "rocksdb:" + dir_.Sub("db");
    }
    ASSERT_OK(OpenEngine(uri_, EngineOptions(), &engine_));
  }
  TempDir dir_;
  std::string uri_;
  std::unique_ptr<Engine> engine_;
};

TEST_P(EngineTest, CreateGetListDrop) {
  std::shared_ptr<Model> a, b, got;
  ASSERT_OK(engine_->CreateModel("b", ModelOptions(), &b));
  ASSERT_OK(engine_->CreateModel("a", ModelOptions(), &a));
  ASSERT_OK(engine_->GetModel("a", &got));
  EXPECT_EQ(got, a);
  std::vector<std::string> names;
  ASSERT_OK(engine_->ModelNames(&names));
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
  ASSERT_OK(engine_->DropModel("a"));
  ASSERT_OK(engine_->ModelNames(&names));
  EXPECT_EQ(names, (std::vector<std::string>{"b"}));
  EXPECT_CODE(a->Train("x", "y"), kNotFound);                // the old handle knows it was dropped
  ASSERT_OK(engine_->CreateModel("a", ModelOptions(), &a));  // the name is free again
  EXPECT_EQ(a->version(), 0u);
}

TEST_P(EngineTest, BadRequestsGetClearErrors) {
  std::shared_ptr<Model> model;
  EXPECT_CODE(engine_->CreateModel("", ModelOptions(), &model), kInvalidArgument);
  EXPECT_CODE(engine_->CreateModel("no spaces", ModelOptions(), &model), kInvalidArgument);
  EXPECT_CODE(engine_->GetModel("ghost", &model), kNotFound);
  EXPECT_CODE(engine_->DropModel("ghost"), kNotFound);
  ASSERT_OK(engine_->CreateModel("m", ModelOptions(), &model));
  EXPECT_CODE(engine_->CreateModel("m", ModelOptions(), &model), kAlreadyExists);
  std::vector<std::string> names;
  ASSERT_OK(engine_->ModelNames(&names));
  EXPECT_EQ(names.size(), 1u);
}

TEST_P(EngineTest, EverythingFailsCleanlyAfterClose) {
  std::shared_ptr<Model> model;
  ASSERT_OK(engine_->CreateModel("m", ModelOptions(), &model));
  ASSERT_OK(model->Train("spam", "cheap"));
  ASSERT_OK(engine_->Close());
  ASSERT_OK(engine_->Close());  // idempotent
  EXPECT_TRUE(engine_->closed());
  EXPECT_CODE(model->Train("spam", "cheap"), kUnavailable);
  Prediction p;
  EXPECT_CODE(model->Classify("cheap", &p), kUnavailable);
  EXPECT_CODE(engine_->GetModel("m", &model), kUnavailable);
  EXPECT_CODE(engine_->CreateModel("n", ModelOptions(), &model), kUnavailable);
  std::vector<std::string> names;
  EXPECT_CODE(engine_->ModelNames(&names), kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineTest, ::testing::Values("memory", "rocksdb", "sqlite"),
                         [](const auto& info) { return info.param; });

// A memory store whose close reports a failure, as RocksDB's does when the log cannot be synced.
class CloseFailsStore final : public Store {
 public:
  using Store::Scan;
  using Store::Write;
  Status Write(const StoreBatch& batch, bool sync) override { return inner_.Write(batch, sync); }
  Status Get(KeySpace space, std::string_view key, std::string* value) override {
    return inner_.Get(space, key, value);
  }
  Status Scan(KeySpace space, const ScanRange& range, const ScanVisitor& visit) override {
    return inner_.Scan(space, range, visit);
  }
  Status SeekKey(KeySpace space, std::string_view from, std::string* key) override {
    return inner_.SeekKey(space, from, key);
  }
  std::string Describe() const override { return "close-fails:"; }
  Status Close() override {
    (void)inner_.Close();
    return Status::IOError("injected: the log could not be synced");
  }

 private:
  MemoryStore inner_;
};

TEST(EngineCloseTest, ReturnsTheStoresCloseStatus) {
  std::unique_ptr<Engine> engine;
  ASSERT_OK(Engine::Open(EngineOptions(), std::make_unique<CloseFailsStore>(), &engine));
  std::shared_ptr<Model> model;
  ASSERT_OK(engine->CreateModel("m", ModelOptions(), &model));
  Status s = engine->Close();
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
  EXPECT_NE(s.message().find("injected"), std::string::npos) << s.ToString();
  EXPECT_TRUE(engine->closed());  // released all the same
  ASSERT_OK(engine->Close());
  EXPECT_CODE(model->Train("a", "b"), kUnavailable);
}

// CPU seconds this process used (every thread).
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Cores the batch calls of `engine`'s model kept busy: process CPU time over wall time.
double BatchCores(Engine& engine) {
  std::mt19937 random(7);
  std::vector<std::string> texts(200000), labels(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    for (int w = 0; w < 12; ++w) texts[i] += "w" + std::to_string(random() % 5000) + " ";
    labels[i] = "l" + std::to_string(random() % 20);
  }
  const std::vector<std::string_view> text_views(texts.begin(), texts.end()),
      label_views(labels.begin(), labels.end());
  std::shared_ptr<Model> model;
  EXPECT_TRUE(engine.CreateModel("m", ModelOptions(), &model).ok());
  const double cpu = ProcessCpuSeconds();
  const auto wall = std::chrono::steady_clock::now();
  EXPECT_TRUE(model->TrainBatch(label_views, text_views).ok());
  BatchPredictions predictions;
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(model->ClassifyBatch(text_views, ClassifyOptions(), &predictions).ok());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  return (ProcessCpuSeconds() - cpu) / seconds;
}

TEST(EngineThreadsTest, BatchCallsRunOnTheEnginesOwnThreads) {
  // Two cores or more: unbounded, the batch calls would use them all.
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "needs 2 cores";
  // Not a process-wide setting: an engine opened before with another count changes nothing.
  EngineOptions two;
  two.threads = 2;
  std::unique_ptr<Engine> other;
  ASSERT_OK(OpenEngine("memory:", two, &other));
  EngineOptions one;
  one.threads = 1;
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine("memory:", one, &engine));
  EXPECT_LT(BatchCores(*engine), 1.25);
}

TEST(OpenTest, UnknownSchemesAreExplained) {
  std::unique_ptr<Engine> engine;
  EXPECT_CODE(OpenEngine("redis:localhost", EngineOptions(), &engine), kInvalidArgument);
  EXPECT_CODE(OpenEngine("sqlite:", EngineOptions(), &engine), kInvalidArgument);  // no file
  EngineOptions options;
  EXPECT_CODE(EngineOptions::FromJson(R"({"fast":true})", &options), kInvalidArgument);
  ASSERT_OK(EngineOptions::FromJson(R"({"sync":true})", &options));
  EXPECT_TRUE(options.sync);
}

}  // namespace
}  // namespace classiflow
