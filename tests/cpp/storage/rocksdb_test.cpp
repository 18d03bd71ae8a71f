// Durability and exclusivity of RocksDB data directories.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "classiflow/open.h"
#include "models/corpus.h"
#include "test_util.h"

namespace classiflow {
namespace {

using testing::TempDir;

std::vector<double> ScoresOf(const Model& model, std::string_view text) {
  Prediction p;
  EXPECT_TRUE(model.Classify(text, &p).ok());
  return p.scores;
}

TEST(RocksDBTest, ModelsAndVersionsSurviveReopen) {
  TempDir dir;
  std::vector<double> scores;
  {
    std::unique_ptr<Engine> engine;
    ASSERT_OK(OpenEngine(dir.path(), EngineOptions(), &engine));
    std::shared_ptr<Model> model, dropped;
    ModelOptions options;
    options.analyzer.ngrams = 3;
    ASSERT_OK(engine->CreateModel("spam", options, &model));
    ASSERT_OK(engine->CreateModel("gone", ModelOptions(), &dropped));
    auto corpus = testing::MakeTinyCorpus(100);
    ASSERT_OK(model->TrainBatch(corpus.label_views(), corpus.text_views()));
    ASSERT_OK(model->Train("spam", "one more cheap offer"));
    ASSERT_OK(model->Untrain("spam", "one more cheap offer"));
    ASSERT_OK(model->Train("eggs", "a late label"));
    ASSERT_OK(engine->DropModel("gone"));
    scores = ScoresOf(*model, "cheap late team");
    EXPECT_EQ(model->version(), 4u);
  }
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine("rocksdb:" + dir.path(), EngineOptions(), &engine));
  std::vector<std::string> names;
  ASSERT_OK(engine->ModelNames(&names));
  EXPECT_EQ(names, (std::vector<std::string>{"spam"}));
  std::shared_ptr<Model> model;
  ASSERT_OK(engine->GetModel("spam", &model));
  EXPECT_EQ(model->version(), 4u);
  EXPECT_EQ(model->labels(), (std::vector<std::string>{"spam", "ham", "eggs"}));
  EXPECT_EQ(model->options().analyzer.ngrams, 3);
  EXPECT_EQ(ScoresOf(*model, "cheap late team"), scores);
}

TEST(RocksDBTest, ASecondOpenInThisProcessIsBusy) {
  TempDir dir;
  std::unique_ptr<Engine> first, second;
  ASSERT_OK(OpenEngine(dir.path(), EngineOptions(), &first));
  EXPECT_CODE(OpenEngine(dir.path(), EngineOptions(), &second), kBusy);
  ASSERT_OK(first->Close());
  ASSERT_OK(OpenEngine(dir.path(), EngineOptions(), &second));  // released by Close()
}

TEST(RocksDBTest, AnotherProcessGetsBusy) {
  TempDir dir;
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(dir.path(), EngineOptions(), &engine));
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::unique_ptr<Engine> other;
    Status s = OpenEngine(dir.path(), EngineOptions(), &other);
    _exit(s.code() == Status::Code::kBusy ? 0 : 1);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child did not see Busy";
}

TEST(RocksDBTest, UnwritableLocationsAreIOErrors) {
  TempDir dir;
  std::ofstream(dir.Sub("plain-file")) << "x";
  std::unique_ptr<Engine> engine;
  EXPECT_CODE(OpenEngine(dir.Sub("plain-file/db"), EngineOptions(), &engine), kIOError);
  EXPECT_CODE(OpenEngine("/proc/classiflow-test-db", EngineOptions(), &engine), kIOError);
  if (geteuid() != 0) {  // root ignores permission bits
    std::filesystem::create_directory(dir.Sub("ro"));
    std::filesystem::permissions(
        dir.Sub("ro"), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    EXPECT_CODE(OpenEngine(dir.Sub("ro/db"), EngineOptions(), &engine), kIOError);
  }
}

TEST(RocksDBTest, ADamagedStoredModelIsCorruptionAndNothingOpens) {
  TempDir dir;
  {
    std::unique_ptr<Engine> engine;
    ASSERT_OK(OpenEngine(dir.path(), EngineOptions(), &engine));
    std::shared_ptr<Model> model;
    ASSERT_OK(engine->CreateModel("m", ModelOptions(), &model));
    ASSERT_OK(model->Train("a", "text"));
  }
  {
    std::unique_ptr<Store> store;
    ASSERT_OK(OpenStore(dir.path(), &store));
    std::string header;
    const std::string key = std::string("m\0h", 3);
    ASSERT_OK(store->Get(KeySpace::kModels, key, &header));
    header[3] ^= 0x10;
    ASSERT_OK(store->Write({{KeySpace::kModels, key, header}}, true));
  }
  std::unique_ptr<Engine> engine;
  EXPECT_CODE(OpenEngine(dir.path(), EngineOptions(), &engine), kCorruption);
  EXPECT_EQ(engine, nullptr);
}

}  // namespace
}  // namespace classiflow
