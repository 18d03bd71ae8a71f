#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>

#include "classiflow/model.h"
#include "models/corpus.h"
#include "test_util.h"

namespace classiflow {
namespace {

using testing::MakeTinyCorpus;
using testing::TempDir;

std::shared_ptr<Model> Trained() {
  std::shared_ptr<Model> model;
  EXPECT_TRUE(Model::Create("spam", ModelOptions(), &model).ok());
  auto corpus = MakeTinyCorpus(50);
  EXPECT_TRUE(model->TrainBatch(corpus.label_views(), corpus.text_views()).ok());
  return model;
}

std::vector<double> ScoresOf(const Model& model, std::string_view text) {
  Prediction p;
  EXPECT_TRUE(model.Classify(text, &p).ok());
  return p.scores;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::map<std::string, std::string> ToMap(const ModelRecords& records) {
  std::map<std::string, std::string> map;
  for (const auto& [key, value] : records.puts) map[key] = value;
  return map;
}

TEST(ModelFileTest, SaveLoadRoundTrip) {
  TempDir dir;
  auto model = Trained();
  ASSERT_OK(model->Save(dir.Sub("m.cfm")));
  std::shared_ptr<Model> loaded;
  ASSERT_OK(Model::Load(dir.Sub("m.cfm"), &loaded));
  EXPECT_EQ(loaded->name(), "spam");
  EXPECT_EQ(loaded->version(), model->version());
  EXPECT_EQ(loaded->labels(), model->labels());
  EXPECT_EQ(loaded->options(), model->options());
  EXPECT_EQ(ScoresOf(*loaded, "cheap team notes"), ScoresOf(*model, "cheap team notes"));
  ASSERT_OK(loaded->Train("ham", "more notes"));  // a loaded model keeps learning
  EXPECT_EQ(loaded->version(), model->version() + 1);
}

TEST(ModelFileTest, CorruptedOrTruncatedFilesAreRefused) {
  TempDir dir;
  ASSERT_OK(Trained()->Save(dir.Sub("m.cfm")));
  const std::string good = ReadFile(dir.Sub("m.cfm"));
  std::shared_ptr<Model> loaded;
  for (size_t pos : {size_t{3}, size_t{20}, good.size() / 2, good.size() - 1}) {
    std::string bad = good;
    bad[pos] ^= 0x5a;
    WriteFile(dir.Sub("bad.cfm"), bad);
    EXPECT_CODE(Model::Load(dir.Sub("bad.cfm"), &loaded), kCorruption);
  }
  for (size_t len : {size_t{0}, size_t{5}, size_t{16}, good.size() / 2, good.size() - 1}) {
    WriteFile(dir.Sub("short.cfm"), good.substr(0, len));
    EXPECT_CODE(Model::Load(dir.Sub("short.cfm"), &loaded), kCorruption);
  }
  EXPECT_EQ(loaded, nullptr);
  EXPECT_CODE(Model::Load(dir.Sub("missing.cfm"), &loaded), kNotFound);
  EXPECT_CODE(Trained()->Save(dir.Sub("no/such/dir/m.cfm")), kIOError);
  EXPECT_CODE(Model::Load(dir.path(), &loaded), kIOError);
}

TEST(ModelRecordsTest, IncrementalRecordsRebuildTheLatestVersion) {
  auto model = Trained();
  ModelRecords all;
  model->AllRecords(&all);
  std::map<std::string, std::string> stored = ToMap(all);
  model->SetCommitHook([&](const ModelRecords& changed) {
    for (const auto& [key, value] : changed.puts) stored[key] = value;
    for (const auto& key : changed.deletes) stored.erase(key);
    return Status::OK();
  });
  ASSERT_OK(model->Train("spam", "brand new words appear"));
  ASSERT_OK(model->Untrain("spam", "brand new words appear"));
  ASSERT_OK(model->Train("eggs", "a third label"));
  std::shared_ptr<Model> rebuilt;
  ASSERT_OK(Model::FromRecords("spam", stored, &rebuilt));
  EXPECT_EQ(rebuilt->version(), model->version());
  EXPECT_EQ(rebuilt->labels(), model->labels());
  EXPECT_EQ(ScoresOf(*rebuilt, "brand new cheap label"), ScoresOf(*model, "brand new cheap label"));
}

TEST(ModelRecordsTest, AFailingCommitHookChangesNothing) {
  auto model = Trained();
  const auto before = ScoresOf(*model, "cheap");
  model->SetCommitHook([](const ModelRecords&) { return Status::IOError("disk full"); });
  EXPECT_CODE(model->Train("spam", "cheap cheap"), kIOError);
  EXPECT_EQ(model->version(), 1u);
  EXPECT_EQ(ScoresOf(*model, "cheap"), before);
}

TEST(ModelRecordsTest, MissingOrDamagedRecordsAreCorruption) {
  ModelRecords all;
  Trained()->AllRecords(&all);
  auto records = ToMap(all);
  std::shared_ptr<Model> model;
  auto without_page = records;
  for (auto it = without_page.begin(); it != without_page.end(); ++it) {
    if (it->first[0] == 'p') {
      without_page.erase(it);
      break;
    }
  }
  EXPECT_CODE(Model::FromRecords("m", without_page, &model), kCorruption);
  auto damaged = records;
  damaged["h"][4] ^= 1;
  EXPECT_CODE(Model::FromRecords("m", damaged, &model), kCorruption);
  auto no_options = records;
  no_options.erase("o");
  EXPECT_CODE(Model::FromRecords("m", no_options, &model), kCorruption);
}

}  // namespace
}  // namespace classiflow
