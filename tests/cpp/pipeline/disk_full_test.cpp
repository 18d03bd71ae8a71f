// A pipeline on a small tmpfs that fills up: accepting fails with IOError, nothing partial
// becomes visible, and the pipeline takes items again once space returns. Skipped where a
// tmpfs cannot be mounted (needs root).
#include <filesystem>
#include <fstream>

#include "classiflow/verify.h"
#include "mount_util.h"
#include "pipeline_fixture.h"

namespace classiflow::testing {
namespace {

TEST(PipelineDiskFullTest, AcceptingFailsCleanlyAndResumes) {
  TempDir tmp;
  Mount disk("tmpfs", tmp.path(), "tmpfs", 0, "size=4m");
  if (!disk.ok()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  const std::string dir = tmp.Sub("db");
  std::ofstream(tmp.Sub("filler")) << std::string(1 << 20, 'f');  // the space given back later
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(dir, EngineOptions(), &engine));
  TrainModels(*engine);
  std::shared_ptr<Pipeline> p;
  ASSERT_OK(engine->CreatePipeline("reviews", kSentimentSpec, &p));
  // Each result keeps its item's meta: 16 KB of it fills the disk after a few hundred items.
  const std::string meta = "{\"pad\": \"" + std::string(16 << 10, 'p') + "\"}";
  std::vector<std::string> accepted;
  Status failed;
  std::string id;
  for (int i = 0; i < 100000 && failed.ok(); ++i) {
    failed = p->Submit("good great", "d" + std::to_string(i), meta, &id);
    if (failed.ok()) accepted.push_back(id);
  }
  ASSERT_EQ(failed.code(), Status::Code::kIOError) << failed.ToString();
  const std::string refused = "d" + std::to_string(accepted.size());
  PipelineResult r;
  EXPECT_CODE(p->GetResult(refused, &r), kNotFound);  // nothing of it is visible
  ASSERT_OK(p->GetResult(accepted.back(), &r));

  std::filesystem::remove(tmp.Sub("filler"));  // the cause is gone
  Status resumed = p->Submit("good", "after", "", &id);
  if (!resumed.ok()) resumed = p->Submit("good", "after", "", &id);  // a reopen of the store
  ASSERT_OK(resumed);
  ASSERT_OK(p->GetResult("after", &r));
  ASSERT_OK(engine->Close());
  engine.reset();

  std::unique_ptr<Store> store;
  ASSERT_OK(OpenStore(dir, &store));
  VerifyOptions options;
  options.accepted = accepted;
  options.accepted.push_back("after");
  options.expect_idle = true;
  VerifyReport report;
  ASSERT_OK(VerifyPipeline(*store, "reviews", options, &report));
  EXPECT_TRUE(report.ok()) << report.ToString();
}

}  // namespace
}  // namespace classiflow::testing
