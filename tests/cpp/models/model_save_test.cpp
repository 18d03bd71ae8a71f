// Model::Save is atomic per call: concurrent saves to one path never leave on disk a file whose
// save failed, bad paths are InvalidArgument, failures leave no temporary behind.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <barrier>
#include <filesystem>
#include <thread>
#include <vector>

#include "classiflow/model.h"
#include "test_util.h"

namespace classiflow {
namespace {

using testing::TempDir;

constexpr std::string_view kProbe = "probe words for the scores";

std::shared_ptr<Model> ModelNumber(int i) {
  std::shared_ptr<Model> model;
  EXPECT_TRUE(
      Model::Create(std::string("m").append(std::to_string(i)), ModelOptions(), &model).ok());
  for (int k = 0; k <= i; ++k) {  // version i + 1, scores that differ per model
    EXPECT_TRUE(model->Train(k % 2 ? "odd" : "even", "words " + std::to_string(i * 7 + k)).ok());
  }
  return model;
}

std::vector<double> Scores(const Model& model) {
  Prediction p;
  EXPECT_TRUE(model.Classify(kProbe, &p).ok());
  return p.scores;
}

size_t FilesIn(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

// 8 threads save 8 different models to one path, 20 rounds; after each round the file must
// load and be exactly one of the models whose Save() returned OK in that round.
TEST(ModelSaveTest, ConcurrentSavesToOnePathLeaveAnAcknowledgedFile) {
  constexpr int kThreads = 8, kRounds = 20;
  TempDir dir;
  const std::string path = dir.Sub("shared.cfm");
  std::vector<std::shared_ptr<Model>> models;
  for (int i = 0; i < kThreads; ++i) models.push_back(ModelNumber(i));
  std::vector<std::atomic<bool>> ok(kThreads);
  std::atomic<int> failures{0};
  auto check_round = [&]() noexcept {
    std::shared_ptr<Model> loaded;
    Status s = Model::Load(path, &loaded);
    if (!s.ok()) return void(++failures);
    const int i = std::stoi(loaded->name().substr(1));
    if (!ok[i] || loaded->version() != models[i]->version() ||
        Scores(*loaded) != Scores(*models[i])) {
      ++failures;
    }
  };
  std::barrier sync(kThreads, check_round);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int round = 0; round < kRounds; ++round) {
        ok[i] = models[i]->Save(path).ok();
        sync.arrive_and_wait();  // the completion step checks the file
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int i = 0; i < kThreads; ++i) EXPECT_TRUE(ok[i]) << "save " << i << " failed";
  EXPECT_EQ(FilesIn(dir.path()), 1u) << "a temporary file was left behind";
}

TEST(ModelSaveTest, EmptyAndNulPathsAreInvalid) {
  TempDir dir;
  auto model = ModelNumber(0);
  const std::string with_nul = dir.Sub("a") + std::string(1, '\0') + "b";
  EXPECT_CODE(model->Save(""), kInvalidArgument);
  EXPECT_CODE(model->Save(with_nul), kInvalidArgument);
  std::shared_ptr<Model> loaded;
  EXPECT_CODE(Model::Load("", &loaded), kInvalidArgument);
  EXPECT_CODE(Model::Load(with_nul, &loaded), kInvalidArgument);
  EXPECT_EQ(FilesIn(dir.path()), 0u) << "the NUL path was written cut short";
}

TEST(ModelSaveTest, FailuresAreIOErrorsAndLeaveNoTemporary) {
  TempDir dir;
  auto model = ModelNumber(1);
  EXPECT_CODE(model->Save(dir.Sub("missing/m.cfm")), kIOError);
  std::filesystem::create_directory(dir.Sub("taken"));
  std::filesystem::create_directory(dir.Sub("taken/x"));  // rename over a non-empty directory fails
  EXPECT_CODE(model->Save(dir.Sub("taken")), kIOError);
  EXPECT_EQ(FilesIn(dir.path()), 1u) << "a temporary file was left behind";
  ASSERT_OK(model->Save(dir.Sub("m.cfm")));
  struct stat st {};
  ASSERT_EQ(stat(dir.Sub("m.cfm").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

}  // namespace
}  // namespace classiflow
