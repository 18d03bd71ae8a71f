// Engine behaviour that every store backend must share, run against memory: and RocksDB.
#include <gtest/gtest.h>

#include "classiflow/open.h"
#include "memory_store.h"
#include "test_util.h"

namespace classiflow {
namespace {

using testing::TempDir;

class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    uri_ = GetParam() == "memory" ? "memory:" : "rocksdb:" + dir_.Sub("db");
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

INSTANTIATE_TEST_SUITE_P(Backends, EngineTest, ::testing::Values("memory", "rocksdb"));

// A memory store whose close reports a failure, as RocksDB's does when the log cannot be synced.
class CloseFailsStore final : public Store {
 public:
  using Store::Scan;
  Status Write(const std::vector<StoreWrite>& batch, bool sync) override {
    return inner_.Write(batch, sync);
  }
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

TEST(OpenTest, UnknownSchemesAreExplained) {
  std::unique_ptr<Engine> engine;
  EXPECT_CODE(OpenEngine("sqlite:x.db", EngineOptions(), &engine), kInvalidArgument);
  EngineOptions options;
  EXPECT_CODE(EngineOptions::FromJson(R"({"fast":true})", &options), kInvalidArgument);
  ASSERT_OK(EngineOptions::FromJson(R"({"sync":true})", &options));
  EXPECT_TRUE(options.sync);
}

}  // namespace
}  // namespace classiflow
