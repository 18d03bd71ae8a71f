// I/O faults are errors, not aborts: a full disk, EIO on a write or a sync, a failed rename —
// injected into RocksDB through FaultFS on train, open and close. Afterwards the same directory,
// opened on the healthy file system, holds every acknowledged version.
#include "fault_fs.h"

#include <gtest/gtest.h>

#include "dir_test_util.h"
#include "rocksdb_store.h"

namespace classiflow {
namespace {

using testing::FaultFS;
using testing::TempDir;

// An engine whose RocksDB does its I/O through a FaultFS. Declare before the engine it opens:
// the Env must outlive the database.
struct FaultyDisk {
  std::shared_ptr<FaultFS> fs = std::make_shared<FaultFS>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);

  Status Open(const std::string& dir, const EngineOptions& options, std::unique_ptr<Engine>* out) {
    RocksDBStoreOptions store_options;
    store_options.env = env.get();
    std::unique_ptr<Store> store;
    CF_RETURN_IF_ERROR(RocksDBStore::Open(dir, store_options, &store));
    return Engine::Open(options, std::move(store), out);
  }
};

std::string Doc(int i) {
  return "document " + std::to_string(i) + " word" + std::to_string(i % 13);
}

// Trains until a step fails or `steps` succeeded; returns the failure (OK if none).
Status TrainSteps(Model& model, int first, int steps) {
  for (int i = first; i < first + steps; ++i) {
    Status s = model.Train(i % 2 ? "spam" : "ham", Doc(i));
    if (!s.ok()) return s;
  }
  return Status::OK();
}

// Opens `dir` on the healthy file system and checks model "m" is at `version`.
void ExpectVersionOnHealthyDisk(const std::string& dir, uint64_t version) {
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(dir, EngineOptions(), &engine));
  EXPECT_EQ(testing::VersionOf(*engine, "m"), version);
  std::shared_ptr<Model> model;
  ASSERT_OK(engine->GetModel("m", &model));
  ASSERT_OK(model->Train("ham", "and it trains on"));
}

struct TrainFault {
  const char* name;
  bool sync;
  void (*inject)(FaultFS& fs);
};

class TrainFaultTest : public ::testing::TestWithParam<TrainFault> {};

TEST_P(TrainFaultTest, IsAnErrorClassifyingGoesOnAndWritesResumeWhenHealed) {
  TempDir tmp;
  const std::string dir = tmp.Sub("db");
  FaultyDisk disk;
  std::unique_ptr<Engine> engine;
  EngineOptions options;
  options.sync = GetParam().sync;
  ASSERT_OK(disk.Open(dir, options, &engine));
  std::shared_ptr<Model> model;
  ASSERT_OK(engine->CreateModel("m", ModelOptions(), &model));
  ASSERT_OK(TrainSteps(*model, 0, 5));
  const uint64_t acked = model->version();

  GetParam().inject(*disk.fs);
  Status failed = TrainSteps(*model, 5, 3);
  EXPECT_EQ(failed.code(), Status::Code::kIOError) << failed.ToString();
  EXPECT_GT(disk.fs->faults.load(), 0);
  EXPECT_EQ(model->version(), acked) << "a failed step must change nothing";
  Prediction p;
  ASSERT_OK(model->Classify(Doc(3), &p));  // classification goes on from memory
  EXPECT_EQ(p.version, acked);

  disk.fs->Heal();
  // Writes resume once the cause is gone. A step whose fsync failed had reached the log, and
  // RocksDB replays it on reopen: the first step after healing then reports that the model was
  // reloaded at that version (an honest error, not a mixed history), and the next goes through.
  Status resumed = TrainSteps(*model, 8, 2);
  if (!resumed.ok()) {
    EXPECT_NE(resumed.message().find("retry"), std::string::npos) << resumed.ToString();
    EXPECT_EQ(model->version(), acked + 1);
    ASSERT_OK(TrainSteps(*model, 8, 2));
  }
  const uint64_t final_version = model->version();
  EXPECT_GE(final_version, acked + 2);
  ASSERT_OK(engine->Close());
  engine.reset();
  ExpectVersionOnHealthyDisk(dir, final_version);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, TrainFaultTest,
    ::testing::Values(TrainFault{"NoSpace", false, [](FaultFS& fs) { fs.space_left = 0; }},
                      TrainFault{"NoSpaceAfterSomeBytes", false,
                                 [](FaultFS& fs) { fs.space_left = 100; }},
                      TrainFault{"EIOOnAppend", false, [](FaultFS& fs) { fs.fail_append_in = 1; }},
                      TrainFault{"EIOOnSync", true, [](FaultFS& fs) { fs.fail_sync_in = 1; }}),
    [](const auto& info) { return std::string(info.param.name); });

struct OpenFault {
  const char* name;
  void (*inject)(FaultFS& fs);
};

class OpenFaultTest : public ::testing::TestWithParam<OpenFault> {};

// Opening a new or an existing directory under a fault: an error or a success, never an abort;
// the directory then opens on the healthy disk with everything acknowledged.
TEST_P(OpenFaultTest, CreatingOrReopeningUnderAFaultLosesNothing) {
  TempDir tmp;
  const std::string fresh = tmp.Sub("fresh"), existing = tmp.Sub("existing");
  testing::MakeTrainedDirectory(existing, 4);
  for (const std::string& dir : {fresh, existing}) {
    FaultyDisk disk;
    GetParam().inject(*disk.fs);
    std::unique_ptr<Engine> engine;
    Status s = disk.Open(dir, EngineOptions(), &engine);
    EXPECT_TRUE(s.ok() || s.code() == Status::Code::kIOError) << dir << ": " << s.ToString();
    if (engine) {
      std::shared_ptr<Model> model;
      if (engine->GetModel("m", &model).ok()) (void)TrainSteps(*model, 0, 3);
      (void)engine->Close();  // closing under the fault: an error at most
      engine.reset();
    }
  }
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(fresh, EngineOptions(), &engine));
  ASSERT_OK(engine->Close());
  std::unique_ptr<Engine> reopened;
  ASSERT_OK(OpenEngine(existing, EngineOptions(), &reopened));
  EXPECT_GE(testing::VersionOf(*reopened, "m"), 4u);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, OpenFaultTest,
    ::testing::Values(OpenFault{"NoSpace", [](FaultFS& fs) { fs.space_left = 0; }},
                      OpenFault{"NoSpaceAfter4k", [](FaultFS& fs) { fs.space_left = 4096; }},
                      OpenFault{"EIOOnFirstAppend", [](FaultFS& fs) { fs.fail_append_in = 1; }},
                      OpenFault{"EIOOnThirdAppend", [](FaultFS& fs) { fs.fail_append_in = 3; }},
                      OpenFault{"EIOOnFirstSync", [](FaultFS& fs) { fs.fail_sync_in = 1; }},
                      OpenFault{"EIOOnSecondSync", [](FaultFS& fs) { fs.fail_sync_in = 2; }},
                      OpenFault{"FailedRenames", [](FaultFS& fs) { fs.fail_renames = true; }}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace classiflow
