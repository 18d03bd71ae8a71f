// The real thing, where the tests run as root: a small tmpfs that fills up, and a directory on
// a read-only mount. Skipped (not failed) where mounting is not allowed.
#include <gtest/gtest.h>

#include <filesystem>

#include "dir_test_util.h"
#include "mount_util.h"

namespace classiflow {
namespace {

using testing::FillDisk;
using testing::Mount;
using testing::TempDir;

std::string BigDoc(int i) {
  std::string text;
  for (int w = 0; w < 2000; ++w) text += "w" + std::to_string(i) + "x" + std::to_string(w) + " ";
  return text;
}

TEST(RealDiskTest, AFullDiskIsAnErrorAndNothingAcknowledgedIsLost) {
  TempDir tmp;
  Mount disk("tmpfs", tmp.path(), "tmpfs", 0, "size=4m");
  if (!disk.ok()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  const std::string dir = tmp.Sub("db");
  testing::WriteFile(tmp.Sub("filler"), std::string(1 << 20, 'f'));
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(dir, EngineOptions(), &engine));
  std::shared_ptr<Model> model;
  ASSERT_OK(engine->CreateModel("m", ModelOptions(), &model));
  Status failed;
  for (int i = 0; i < 10000 && failed.ok(); ++i)
    failed = model->Train(i % 2 ? "a" : "b", BigDoc(i));
  ASSERT_EQ(failed.code(), Status::Code::kIOError) << failed.ToString();
  const uint64_t acked = model->version();
  Prediction p;
  ASSERT_OK(model->Classify(BigDoc(1), &p));  // the process lives and classifies on
  EXPECT_EQ(p.version, acked);

  // save() on the full disk fails cleanly and leaves no temporary file behind.
  const auto before_save = testing::TreeOf(tmp.path());
  EXPECT_CODE(model->Save(tmp.Sub("model.cfm")), kIOError);
  EXPECT_EQ(testing::TreeOf(tmp.path()), before_save);

  std::filesystem::remove(tmp.Sub("filler"));  // the cause is gone: writes resume
  Status resumed = model->Train("a", "after the disk was freed");
  if (!resumed.ok()) ASSERT_OK(model->Train("a", "after the disk was freed"));  // see fault_fs_test
  const uint64_t final_version = model->version();
  EXPECT_GT(final_version, acked);
  ASSERT_OK(engine->Close());
  engine.reset();

  FillDisk(tmp.Sub("filler"));  // reopening on a full disk: an error or a success, never an abort
  Status reopen = OpenEngine(dir, EngineOptions(), &engine);
  EXPECT_TRUE(reopen.ok() || reopen.code() == Status::Code::kIOError) << reopen.ToString();
  engine.reset();
  std::filesystem::remove(tmp.Sub("filler"));
  ASSERT_OK(OpenEngine(dir, EngineOptions(), &engine));
  EXPECT_EQ(testing::VersionOf(*engine, "m"), final_version);
}

TEST(RealDiskTest, AReadOnlyDirectoryOpensForReading) {
  TempDir tmp;
  const std::string source = tmp.Sub("source"), target = tmp.Sub("ro");
  testing::MakeTrainedDirectory(source, 3);
  std::filesystem::create_directory(target);
  Mount bind(source, target, nullptr, MS_BIND, nullptr);
  if (!bind.ok()) GTEST_SKIP() << "cannot bind-mount here (needs root)";
  Mount read_only(source, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr);
  if (!read_only.ok()) GTEST_SKIP() << "cannot remount read-only here";
  const auto before = testing::TreeOf(source);

  std::unique_ptr<Engine> writer;
  Status s = OpenEngine(target, EngineOptions(), &writer);
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
  EXPECT_NE(s.message().find("Read-only"), std::string::npos) << s.ToString();

  EngineOptions read;
  read.mode = EngineOptions::Mode::kRead;
  std::unique_ptr<Engine> reader;
  ASSERT_OK(OpenEngine(target, read, &reader));
  std::shared_ptr<Model> model;
  ASSERT_OK(reader->GetModel("m", &model));
  EXPECT_EQ(model->version(), 3u);
  Prediction p;
  ASSERT_OK(model->Classify("text number 1 words", &p));
  EXPECT_CODE(model->Train("ham", "no writing here"), kNotSupported);
  ASSERT_OK(reader->Close());
  EXPECT_EQ(testing::TreeOf(source), before);
}

}  // namespace
}  // namespace classiflow
