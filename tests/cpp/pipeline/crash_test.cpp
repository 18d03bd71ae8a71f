// Crash tests: a child process (crash_child.cpp) runs the "soak" pipeline and is killed —
// SIGKILL at random moments, or abort() at each named crash point of the commit path — and
// the store is verified after every death (classiflow/verify.h). Each test runs against a
// RocksDB data directory and an SQLite file.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "classiflow/open.h"
#include "classiflow/verify.h"
#include "pipeline/records.h"
#include "sink_reader.h"
#include "test_util.h"

extern char** environ;

namespace classiflow::testing {
namespace {

constexpr int kItems = 600;

class CrashTest : public ::testing::TestWithParam<std::string> {
 protected:
  // The engine's URI: a plain directory path, or sqlite:FILE.
  std::string Uri() const {
    return GetParam() == "sqlite" ? "sqlite:" + dir_.Sub("data.sqlite") : dir_.Sub("data");
  }
  std::string AckFile() const { return dir_.Sub("acked"); }
  // The child's results sink: beside the SQLite file, or in the data directory.
  std::string SinkFile() const {
    return GetParam() == "sqlite" ? dir_.Sub("results.db") : dir_.Sub("data/results.db");
  }

  // Starts the child; `crash_at` sets CLASSIFLOW_CRASH_AT.
  pid_t Spawn(int threads, const std::string& crash_at = "", bool poison = false) {
    std::vector<std::string> args = {CF_CRASH_CHILD, Uri(), std::to_string(kItems),
                                     std::to_string(threads), AckFile()};
    if (poison) args.push_back("poison");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) {
      if (std::string(*e).rfind("CLASSIFLOW_CRASH_AT=", 0) != 0) env_strings.emplace_back(*e);
    }
    if (!crash_at.empty()) env_strings.push_back("CLASSIFLOW_CRASH_AT=" + crash_at);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = 0;
    EXPECT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data()), 0);
    return pid;
  }

  static int Wait(pid_t pid) {
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    return status;
  }

  // Runs the child to completion: every item submitted, flushed.
  void RunToEnd(int threads = 0) {
    const int status = Wait(Spawn(threads));
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }

  std::vector<std::string> Acked() const {
    std::ifstream in(AckFile());
    std::vector<std::string> ids;
    std::string line, content((std::istreambuf_iterator<char>(in)), {});
    size_t start = 0;
    for (size_t nl; (nl = content.find('\n', start)) != std::string::npos; start = nl + 1) {
      ids.push_back(content.substr(start, nl - start));
    }
    return ids;
  }

  // The store opened for reading; null (a test failure unless `quiet`) when it cannot be.
  std::unique_ptr<Store> ReadOnlyStore(bool quiet = false) const {
    StoreOptions options;
    options.read_only = true;
    std::unique_ptr<Store> store;
    Status s = OpenStore(Uri(), options, &store);
    bool changed = false;
    if (s.ok()) s = store->CatchUp(&changed);
    if (!quiet) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
    return s.ok() ? std::move(store) : nullptr;
  }

  // Verifies the store; `idle` after a run that completed.
  VerifyReport Verify(bool idle) {
    // For reading, as classiflow_verify does: a writer would first recover the log and run
    // flushes and compactions, which nothing here needs.
    if (Acked().empty() && !ReadOnlyStore(/*quiet=*/true)) return VerifyReport();  // never made
    std::unique_ptr<Store> store = ReadOnlyStore();
    if (!store) return VerifyReport();
    VerifyOptions options;
    options.accepted = Acked();
    options.expect_idle = idle;
    if (idle) {
      for (int i = 0; i < kItems; ++i) options.accepted.push_back("i" + std::to_string(i));
    }
    VerifyReport report;
    Status s = VerifyPipeline(*store, "soak", options, &report);
    if (s.code() == Status::Code::kNotFound && options.accepted.empty()) {
      return report;  // killed before it created the pipeline: nothing was accepted
    }
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(report.ok()) << report.ToString();
    // Once a commit wrote results, the stored analytics are compared with a recount.
    if (report.results > 0) {
      EXPECT_TRUE(report.analytics_checked) << report.ToString();
    }
    return report;
  }

  // The results sink after a death: every row is a stored result, and every result the log
  // committed up to the file's cursor is a row (rows and cursor move in one transaction). Once
  // the child ran to the end (`complete`), the rows are exactly the stored results.
  void ExpectSinkConsistent(bool complete) {
    if (!std::filesystem::exists(SinkFile())) {
      EXPECT_FALSE(complete) << "no sink file after a complete run";
      return;
    }
    SinkReader sink(SinkFile());
    ASSERT_TRUE(sink.ok());
    const int64_t cursor = sink.Int("SELECT seq FROM classiflow_sink WHERE pipeline = 'soak'");
    if (cursor < 0 && !complete) return;  // killed while the file was being made
    const std::map<std::string, std::string> rows = sink.Labels();
    std::unique_ptr<Store> store = ReadOnlyStore();
    ASSERT_NE(store, nullptr);
    std::set<std::string> stored;
    ASSERT_OK(store->Scan(KeySpace::kResults, ItemKey("soak", ""),
                          [&](std::string_view key, std::string_view) {
                            stored.emplace(IdOfKey("soak", key));
                            return Status::OK();
                          }));
    for (const auto& [id, label] : rows) {
      EXPECT_TRUE(stored.count(id)) << "sink row " << id << " is not a stored result";
    }
    uint64_t last_seq = 0;
    ASSERT_OK(store->Scan(KeySpace::kPipelineLog, ItemKey("soak", ""),
                          [&](std::string_view key, std::string_view value) {
                            last_seq = SeqOfKey("soak", key);
                            if (last_seq > static_cast<uint64_t>(cursor)) return Status::OK();
                            int64_t done_ms = 0;
                            std::vector<LogEntry> entries;
                            CF_RETURN_IF_ERROR(DecodeLogRecord(value, &done_ms, &entries));
                            for (const LogEntry& e : entries) {
                              if (e.kind != LogEntryKind::kResult) continue;
                              EXPECT_TRUE(rows.count(std::string(e.id)))
                                  << "result " << e.id << " of commit " << last_seq
                                  << " is not in the sink, whose cursor is " << cursor;
                            }
                            return Status::OK();
                          }));
    EXPECT_LE(static_cast<uint64_t>(cursor), last_seq);
    if (complete) {
      EXPECT_EQ(static_cast<uint64_t>(cursor), last_seq);
      EXPECT_EQ(rows.size(), stored.size());
    }
  }

  // Result callbacks: at least once across crashes. Every stored result's id is in the
  // child's delivered file.
  void ExpectEveryResultDelivered() {
    std::ifstream in(AckFile() + ".delivered");
    std::set<std::string> delivered;
    for (std::string line; std::getline(in, line);) delivered.insert(line);
    std::unique_ptr<Store> store = ReadOnlyStore();
    ASSERT_NE(store, nullptr);
    size_t results = 0;
    ASSERT_OK(store->Scan(
        KeySpace::kResults, ItemKey("soak", ""), [&](std::string_view key, std::string_view) {
          const std::string id(IdOfKey("soak", key));
          ++results;
          EXPECT_TRUE(delivered.count(id)) << "result " << id << " was never delivered";
          return Status::OK();
        }));
    EXPECT_GT(results, 0u);
  }

  TempDir dir_;
};

TEST_P(CrashTest, EveryCrashPointKeepsTheInvariant) {
  for (const char* point : {"after_accept", "before_write", "after_write", "retry_write",
                            "dead_letter_write", "before_callback"}) {
    SCOPED_TRACE(point);
    const int status = Wait(Spawn(0, std::string(point) + ":3"));
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT)
        << point << " was not reached (status " << status << ")";
    Verify(/*idle=*/false);  // acknowledged ids are somewhere; nothing partial
    ExpectSinkConsistent(/*complete=*/false);
  }
  RunToEnd();
  const VerifyReport report = Verify(/*idle=*/true);
  EXPECT_EQ(report.results + report.dead_letters, static_cast<uint64_t>(kItems));
  // Items with i % 10 == 7 always fail; a crash during an attempt also uses one up, so items
  // that fail once or twice may run out of attempts too.
  EXPECT_GE(report.dead_letters, static_cast<uint64_t>(kItems / 10));
  // after_write killed the process between a commit and the delivery of its results.
  ExpectEveryResultDelivered();
  ExpectSinkConsistent(/*complete=*/true);
}

TEST_P(CrashTest, KillNineSoak) {
  // Random SIGKILLs, some in bursts a few ms apart, alternating 1 thread and all cores.
  int kills = 20;
  if (const char* env = std::getenv("CLASSIFLOW_SOAK_KILLS")) kills = std::atoi(env);
  std::mt19937 random(12345);
  for (int round = 0; round < kills; ++round) {
    const pid_t pid = Spawn(round % 2 == 0 ? 1 : 0);
    const int ms =
        round % 4 == 3 ? static_cast<int>(random() % 20) : 20 + static_cast<int>(random() % 400);
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    kill(pid, SIGKILL);
    Wait(pid);
    Verify(/*idle=*/false);
    ExpectSinkConsistent(/*complete=*/false);
  }
  RunToEnd();
  const VerifyReport report = Verify(/*idle=*/true);
  EXPECT_EQ(report.results + report.dead_letters, static_cast<uint64_t>(kItems));
  ExpectEveryResultDelivered();
  ExpectSinkConsistent(/*complete=*/true);  // every acknowledged result, once
}

TEST_P(CrashTest, APoisonItemIsDeadLetteredInsteadOfCrashLooping) {
  int runs = 0;
  while (runs < 10) {
    ++runs;
    const int status = Wait(Spawn(0, "", /*poison=*/true));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) break;
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) << status;
  }
  EXPECT_LE(runs, 4);  // max_attempts crashes, then a clean run
  Verify(/*idle=*/true);
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(Uri(), EngineOptions(), &engine));
  std::shared_ptr<Pipeline> p;
  ASSERT_OK(engine->GetPipeline("soak", &p));
  std::vector<DeadLetter> dead;
  ASSERT_OK(p->DeadLetters(0, &dead));
  auto it =
      std::find_if(dead.begin(), dead.end(), [](const DeadLetter& d) { return d.id == "i1"; });
  ASSERT_NE(it, dead.end());
  EXPECT_EQ(it->attempts, 3u);
  EXPECT_NE(it->error.find("interrupted"), std::string::npos) << it->error;
}

TEST_P(CrashTest, ASecondProcessIsRefusedWhileTheFirstRuns) {
  // Open the directory again and again while the child runs: never OK, Busy at least once.
  const pid_t pid = Spawn(0);
  int busy = 0, status = 0;
  while (Acked().empty() && waitpid(pid, &status, WNOHANG) == 0) {  // the child holds it now
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  bool exited = false;
  while (!exited && !(exited = waitpid(pid, &status, WNOHANG) == pid)) {
    std::unique_ptr<Engine> engine;
    Status s = OpenEngine(Uri(), EngineOptions(), &engine);
    if (s.ok()) break;  // the child has closed its engine (it may still be exiting)
    EXPECT_CODE(s, kBusy);
    ++busy;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!exited) status = Wait(pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child was refused: " << status;
  EXPECT_GT(busy, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest, ::testing::Values("rocksdb", "sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace classiflow::testing
