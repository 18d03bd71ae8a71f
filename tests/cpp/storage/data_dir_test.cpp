// Directory identity: which directories open, which are refused untouched, one writer per
// directory whatever the spelling, and corruption that is refused instead of rolled back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "dir_test_util.h"

namespace classiflow {
namespace {

using testing::TempDir;
using testing::TreeOf;

TEST(DataDirTest, EverySpellingOfAnOpenDirectoryIsBusy) {
  TempDir tmp;
  const std::string dir = tmp.Sub("db");
  std::unique_ptr<Engine> first;
  ASSERT_OK(OpenEngine(dir, EngineOptions(), &first));
  std::filesystem::create_directory_symlink(dir, tmp.Sub("link"));
  const std::string cwd = std::filesystem::current_path().string();
  std::filesystem::current_path(tmp.path());
  for (const std::string& spelling :
       {dir + "/", dir + "//", dir + "/.", dir + "/./", tmp.path() + "//db", tmp.Sub("db/../db"),
        tmp.Sub("link"), tmp.Sub("link/"), std::string("db"), std::string("./db/"),
        "rocksdb:" + dir + "/"}) {
    std::unique_ptr<Engine> second;
    Status s = OpenEngine(spelling, EngineOptions(), &second);
    EXPECT_EQ(s.code(), Status::Code::kBusy) << spelling << ": " << s.ToString();
  }
  std::filesystem::current_path(cwd);
  std::shared_ptr<Model> model;
  ASSERT_OK(first->CreateModel("m", ModelOptions(), &model));
  ASSERT_OK(model->Train("a", "still here"));
  ASSERT_OK(first->Close());
  std::unique_ptr<Engine> again;
  ASSERT_OK(OpenEngine(tmp.Sub("link/"), EngineOptions(), &again));
  EXPECT_EQ(testing::VersionOf(*again, "m"), 1u);
}

TEST(DataDirTest, MissingAndEmptyDirectoriesAreCreatedAndMarked) {
  TempDir tmp;
  std::filesystem::create_directory(tmp.Sub("empty"));
  for (const std::string& dir : {tmp.Sub("new/nested"), tmp.Sub("empty")}) {
    std::unique_ptr<Engine> engine;
    ASSERT_OK(OpenEngine(dir, EngineOptions(), &engine));
    EXPECT_TRUE(std::filesystem::exists(dir + "/CLASSIFLOW"));
    EXPECT_FALSE(std::filesystem::exists(dir + "/LOG"))
        << "RocksDB's info log must stay off the disk";
    ASSERT_OK(engine->Close());
    ASSERT_OK(OpenEngine(dir, EngineOptions(), &engine));  // and reopens
  }
}

// Refused directories: InvalidArgument naming the directory, and not a byte changed.
void ExpectRefusedUntouched(const std::string& dir, Status::Code code) {
  const auto before = TreeOf(dir);
  for (auto mode : {EngineOptions::Mode::kWrite, EngineOptions::Mode::kRead}) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      EngineOptions options;
      options.mode = mode;
      std::unique_ptr<Engine> engine;
      Status s = OpenEngine(dir, options, &engine);
      EXPECT_EQ(s.code(), code) << s.ToString();
      EXPECT_NE(s.message().find(std::filesystem::canonical(dir).string()), std::string::npos)
          << s.ToString();
      EXPECT_EQ(engine, nullptr);
    }
  }
  EXPECT_EQ(TreeOf(dir), before);
}

TEST(DataDirTest, AnotherApplicationsRocksDBIsRefusedUntouched) {
  TempDir tmp;
  testing::MakeForeignRocksDB(tmp.Sub("theirs"));
  ExpectRefusedUntouched(tmp.Sub("theirs"), Status::Code::kInvalidArgument);
}

// A RocksDB with RocksDB's default family and `families`, one key in the default family: as an
// earlier classiflow (or another application) left it, with no mark.
void MakeUnmarkedRocksDB(const std::string& path, const std::vector<std::string>& families) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
  for (const std::string& name : families)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, descriptors, &handles, &db).ok());
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "their-key", "their-value").ok());
  for (auto* handle : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  delete db;
}

// Directories of earlier releases carry no mark; their column families are a subset of today's
// that includes models and meta. They are adopted: marked, and given the missing families.
TEST(DataDirTest, UnmarkedDirectoriesOfEarlierReleasesAreAdopted) {
  TempDir tmp;
  const std::vector<std::vector<std::string>> layouts = {{"models", "meta"},
                                                         {"meta", "queue", "models", "results"}};
  for (size_t i = 0; i < layouts.size(); ++i) {
    const std::string dir = tmp.Sub("earlier" + std::to_string(i));
    MakeUnmarkedRocksDB(dir, layouts[i]);
    std::unique_ptr<Engine> engine;
    ASSERT_OK(OpenEngine(dir, EngineOptions(), &engine));
    ASSERT_OK(engine->Close());
    EXPECT_TRUE(std::filesystem::exists(dir + "/CLASSIFLOW"));
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
    EXPECT_EQ(names.size(), kKeySpaceCount + 1);
  }
}

// Without the mark, a family classiflow never made (or models / meta missing) means another
// application's database, however classiflow-like the rest looks.
TEST(DataDirTest, AnUnmarkedRocksDBWithOtherFamiliesIsRefusedUntouched) {
  TempDir tmp;
  const std::vector<std::vector<std::string>> layouts = {
      {"models", "meta", "theirs"}, {"models"}, {"queue", "results"}, {"models", "meta2"}};
  for (size_t i = 0; i < layouts.size(); ++i) {
    const std::string dir = tmp.Sub("theirs" + std::to_string(i));
    MakeUnmarkedRocksDB(dir, layouts[i]);
    ExpectRefusedUntouched(dir, Status::Code::kInvalidArgument);
  }
}

TEST(DataDirTest, AFolderOfUserFilesIsRefusedUntouched) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.Sub("mine/sub"));
  testing::WriteFile(tmp.Sub("mine/notes.txt"), "my notes\n");
  testing::WriteFile(tmp.Sub("mine/000007.sst"), "not really an sst");
  testing::WriteFile(tmp.Sub("mine/LOG"), "a log of mine");
  testing::WriteFile(tmp.Sub("mine/CURRENT"), "MANIFEST-000001\n");
  testing::WriteFile(tmp.Sub("mine/sub/photo.jpg"), std::string(1000, '\xff'));
  ExpectRefusedUntouched(tmp.Sub("mine"), Status::Code::kInvalidArgument);
}

TEST(DataDirTest, TheRootDirectoryIsRefused) {
  std::unique_ptr<Engine> engine;
  Status s = OpenEngine("/", EngineOptions(), &engine);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  EXPECT_FALSE(std::filesystem::exists("/CLASSIFLOW"));
  EXPECT_FALSE(std::filesystem::exists("/CURRENT"));
}

TEST(DataDirTest, AMarkedDirectoryThatLostCurrentIsCorruptionEveryTime) {
  TempDir tmp;
  const std::string dir = tmp.Sub("db");
  testing::MakeTrainedDirectory(dir, 10);
  {  // once more, so that the data sits in .sst files as well as in the log
    std::unique_ptr<Engine> engine;
    ASSERT_OK(OpenEngine(dir, EngineOptions(), &engine));
  }
  std::filesystem::remove(dir + "/CURRENT");
  ExpectRefusedUntouched(dir, Status::Code::kCorruption);
}

TEST(DataDirTest, UnusablePathsAreInvalidArgument) {
  std::unique_ptr<Engine> engine;
  EXPECT_CODE(OpenEngine("", EngineOptions(), &engine), kInvalidArgument);
  EXPECT_CODE(OpenEngine(std::string("/tmp/a\0b", 8), EngineOptions(), &engine), kInvalidArgument);
  EXPECT_CODE(OpenEngine("rocksdb:", EngineOptions(), &engine), kInvalidArgument);
}

TEST(DataDirTest, AFlippedByteInTheMiddleOfTheLogIsCorruptionNotARollback) {
  TempDir tmp;
  const std::string dir = tmp.Sub("db");
  testing::MakeTrainedDirectory(dir, 10);
  const std::string log = testing::FileEndingWith(dir, ".log");
  ASSERT_FALSE(log.empty());
  const auto size = std::filesystem::file_size(log);
  {
    std::fstream file(log, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(size / 2));
    file.put('\x5a' ^ static_cast<char>(file.peek()));
  }
  const auto damaged = TreeOf(dir);
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Engine> engine;
    Status s = OpenEngine(dir, EngineOptions(), &engine);
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find(".log"), std::string::npos) << s.ToString();
  }
  EXPECT_EQ(TreeOf(dir), damaged);

  // An explicit recovery open keeps the last consistent version and says what it dropped.
  EngineOptions recover;
  recover.recover = true;
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(dir, recover, &engine));
  const RecoveryReport report = engine->recovery_report();
  ASSERT_TRUE(report.performed);
  ASSERT_EQ(report.models.size(), 1u);
  EXPECT_EQ(report.models[0].model, "m");
  EXPECT_LT(report.models[0].after, 10);
  EXPECT_EQ(static_cast<uint64_t>(report.models[0].after), testing::VersionOf(*engine, "m"));
  EXPECT_NE(report.ToJson().find("\"after\""), std::string::npos);
}

TEST(DataDirTest, ATornLogTailIsWhatACrashLeavesAndOpens) {
  TempDir tmp;
  const std::string dir = tmp.Sub("db");
  testing::MakeTrainedDirectory(dir, 10);
  const std::string log = testing::FileEndingWith(dir, ".log");
  std::filesystem::resize_file(log, std::filesystem::file_size(log) - 3);
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(dir, EngineOptions(), &engine));
  EXPECT_EQ(testing::VersionOf(*engine, "m"), 9u);  // the torn last step was never acknowledged
}

}  // namespace
}  // namespace classiflow
