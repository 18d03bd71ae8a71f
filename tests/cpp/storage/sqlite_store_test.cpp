// The SQLite backend beyond the shared Store contract (store_test.cpp): which files it opens and
// which it refuses untouched, one writer per file whatever the spelling (in this process and in
// another), readers that follow the writer, failed writes that leave nothing, and engines
// through "sqlite:FILE".
#include "sqlite_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "classiflow/open.h"
#include "dir_test_util.h"
#include "sqlite_db.h"

namespace classiflow {
namespace {

using testing::TempDir;
using testing::TreeOf;
using testing::WriteFile;

std::string Bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

// Runs `sql` on `path` with SQLite directly, as another program would.
void Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
  sqlite3_free(error);
  ASSERT_EQ(sqlite3_close(db), SQLITE_OK);
}

Status OpenSqlite(const std::string& path, bool read_only, std::unique_ptr<Store>* out) {
  StoreOptions options;
  options.read_only = read_only;
  return OpenStore("sqlite:" + path, options, out);
}

// The names in `dir`, with the sizes of the files.
std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& [name, bytes] : TreeOf(dir)) {
    names.push_back(name + " (" + std::to_string(bytes.size()) + " bytes)");
  }
  return names;
}

// Every open of `path` — writer and reader, twice — fails with `code` naming the file, and no
// byte of it changes. Nothing appears beside it but, for a database in WAL mode, the -wal and
// -shm files every SQLite reader makes (`wal`); for other files the directory is unchanged.
void ExpectRefusedUntouched(const std::string& path, Status::Code code, bool wal = false) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const std::string bytes = Bytes(path);
  const auto before = Listing(dir);
  for (bool read_only : {false, true}) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::unique_ptr<Store> store;
      Status s = OpenSqlite(path, read_only, &store);
      EXPECT_EQ(s.code(), code) << s.ToString();
      EXPECT_NE(s.message().find(std::filesystem::canonical(path).string()), std::string::npos)
          << s.ToString();
      EXPECT_EQ(store, nullptr);
    }
  }
  EXPECT_TRUE(Bytes(path) == bytes) << path << " changed";
  if (wal) {
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
  }
  EXPECT_EQ(Listing(dir), before);
}

TEST(SqliteStoreTest, MissingAndEmptyFilesAreCreatedAndMarked) {
  TempDir tmp;
  WriteFile(tmp.Sub("empty.db"), "");
  for (const std::string& path : {tmp.Sub("new/nested/x.db"), tmp.Sub("empty.db")}) {
    std::unique_ptr<Store> store;
    ASSERT_OK(OpenSqlite(path, false, &store));
    EXPECT_EQ(store->Describe(), "sqlite:" + std::filesystem::canonical(path).string());
    ASSERT_OK(store->Write({{KeySpace::kModels, "k", "v"}}, true));
    ASSERT_OK(store->Close());
    EXPECT_EQ(Bytes(path).substr(0, 16), std::string("SQLite format 3\0", 16));
    EXPECT_FALSE(std::filesystem::exists(path + "-new"));
    ASSERT_OK(OpenSqlite(path, false, &store));  // and reopens, with what was written
    std::string value;
    ASSERT_OK(store->Get(KeySpace::kModels, "k", &value));
    EXPECT_EQ(value, "v");
  }
}

TEST(SqliteStoreTest, AFileThatIsNotSqliteIsRefusedUntouched) {
  TempDir tmp;
  WriteFile(tmp.Sub("notes.txt"), "my notes, not a database\n");
  ExpectRefusedUntouched(tmp.Sub("notes.txt"), Status::Code::kInvalidArgument);
  WriteFile(tmp.Sub("page.bin"), std::string(4096, '\xff'));
  ExpectRefusedUntouched(tmp.Sub("page.bin"), Status::Code::kInvalidArgument);
  std::filesystem::create_directory(tmp.Sub("folder"));
  std::unique_ptr<Store> store;
  EXPECT_CODE(OpenSqlite(tmp.Sub("folder"), false, &store), kInvalidArgument);
}

TEST(SqliteStoreTest, AnotherProgramsSqliteDatabaseIsRefusedUntouched) {
  TempDir tmp;
  for (const char* mode : {"DELETE", "WAL"}) {
    SCOPED_TRACE(mode);
    const std::string path = tmp.Sub(std::string("theirs-") + mode + ".db");
    Sql(path, std::string("PRAGMA journal_mode=") + mode +
                  "; CREATE TABLE users(name TEXT); INSERT INTO users VALUES('ada');");
    ExpectRefusedUntouched(path, Status::Code::kInvalidArgument, std::string(mode) == "WAL");
    std::unique_ptr<Store> store;
    Status s = OpenSqlite(path, false, &store);
    EXPECT_NE(s.message().find("users"), std::string::npos) << s.ToString();
  }
  // A table of the same name is not the mark: its identity row is.
  const std::string lookalike = tmp.Sub("lookalike.db");
  Sql(lookalike,
      "CREATE TABLE classiflow_meta(name TEXT, value TEXT);"
      "INSERT INTO classiflow_meta VALUES('identity', 'something else'), ('format', '1');");
  ExpectRefusedUntouched(lookalike, Status::Code::kInvalidArgument);
}

TEST(SqliteStoreTest, AFileOfANewerFormatIsNotSupported) {
  TempDir tmp;
  const std::string path = tmp.Sub("x.db");
  std::unique_ptr<Store> store;
  ASSERT_OK(OpenSqlite(path, false, &store));
  ASSERT_OK(store->Close());
  Sql(path, "UPDATE classiflow_meta SET value = '2' WHERE name = 'format'");
  ExpectRefusedUntouched(path, Status::Code::kNotSupported, /*wal=*/true);
}

TEST(SqliteStoreTest, ASecondWriterIsBusyWhateverTheSpelling) {
  TempDir tmp;
  std::filesystem::create_directory(tmp.Sub("dir"));
  std::filesystem::create_directory(tmp.Sub("dir/sub"));
  const std::string path = tmp.Sub("dir/x.db");
  std::filesystem::create_symlink(path, tmp.Sub("link.db"));
  std::unique_ptr<Store> first;
  ASSERT_OK(OpenSqlite(path, false, &first));
  for (const std::string& spelling : {path, tmp.Sub("dir/./x.db"), tmp.Sub("dir/sub/../x.db"),
                                      tmp.Sub("link.db"), tmp.Sub("dir//x.db")}) {
    std::unique_ptr<Store> second;
    Status s = OpenSqlite(spelling, false, &second);
    EXPECT_EQ(s.code(), Status::Code::kBusy) << spelling << ": " << s.ToString();
    EXPECT_NE(s.message().find("as '" + path + "'"), std::string::npos) << s.ToString();
  }
  std::unique_ptr<Store> reader;  // a reader is no writer
  ASSERT_OK(OpenSqlite(tmp.Sub("link.db"), true, &reader));
  ASSERT_OK(first->Close());
  std::unique_ptr<Store> next;
  ASSERT_OK(OpenSqlite(tmp.Sub("link.db"), false, &next));  // released
}

TEST(SqliteStoreTest, AWriterInAnotherProcessMakesThisOneBusyUntilItDies) {
  TempDir tmp;
  const std::string path = tmp.Sub("x.db");
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // holds the file until killed
    std::unique_ptr<Store> store;
    const char byte = OpenSqlite(path, false, &store).ok() ? 'y' : 'n';
    (void)!write(ready[1], &byte, 1);
    for (;;) pause();
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');
  std::unique_ptr<Store> store;
  Status s = OpenSqlite(path, false, &store);
  EXPECT_EQ(s.code(), Status::Code::kBusy) << s.ToString();
  EXPECT_NE(s.message().find("another engine or process"), std::string::npos) << s.ToString();
  ASSERT_OK(OpenSqlite(path, true, &store));  // a reader opens it all the same
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_OK(OpenSqlite(path, false, &store));  // the lock died with the process
  close(ready[0]);
  close(ready[1]);
}

TEST(SqliteStoreTest, AReaderNeedsAFileAWriterMade) {
  TempDir tmp;
  std::unique_ptr<Store> store;
  EXPECT_CODE(OpenSqlite(tmp.Sub("missing.db"), true, &store), kNotFound);
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("missing.db")));
  WriteFile(tmp.Sub("empty.db"), "");
  EXPECT_CODE(OpenSqlite(tmp.Sub("empty.db"), true, &store), kUnavailable);
  EXPECT_EQ(TreeOf(tmp.path()).size(), 1u) << "a reader creates nothing";
}

// The reader's view holds still between CatchUp() calls while the writer goes on writing; it
// never blocks the writer.
TEST(SqliteStoreTest, AReaderFollowsTheWritersCommits) {
  TempDir tmp;
  const std::string path = tmp.Sub("x.db");
  std::unique_ptr<Store> writer, reader;
  ASSERT_OK(OpenSqlite(path, false, &writer));
  ASSERT_OK(writer->Write({{KeySpace::kModels, "m", "1"}}, false));
  ASSERT_OK(OpenSqlite(path, true, &reader));
  std::string value;
  bool changed = true;
  for (int round = 2; round < 200; ++round) {
    ASSERT_OK(writer->Write({{KeySpace::kModels, "m", std::to_string(round)}}, round % 2 == 0));
    ASSERT_OK(reader->Get(KeySpace::kModels, "m", &value));
    ASSERT_EQ(value, std::to_string(round - 1));  // not yet
    ASSERT_OK(reader->CatchUp(&changed));
    ASSERT_TRUE(changed);
    ASSERT_OK(reader->Get(KeySpace::kModels, "m", &value));
    ASSERT_EQ(value, std::to_string(round));
    ASSERT_OK(reader->CatchUp(&changed));
    ASSERT_FALSE(changed);
  }
  // A big write while the reader holds its view: the WAL grows, nothing waits.
  std::vector<StoreWrite> batch;
  for (int i = 0; i < 5000; ++i) batch.push_back({KeySpace::kResults, std::to_string(i), "x"});
  ASSERT_OK(writer->Write(batch, false));
  EXPECT_CODE(reader->Get(KeySpace::kResults, "0", &value), kNotFound);
  ASSERT_OK(reader->CatchUp(&changed));
  ASSERT_OK(reader->Get(KeySpace::kResults, "4999", &value));
  EXPECT_CODE(reader->Write({{KeySpace::kResults, "r", "w"}}, false), kNotSupported);
  ASSERT_OK(writer->Close());
  ASSERT_OK(reader->CatchUp(&changed));  // the writer is gone; what it wrote stays readable
  ASSERT_OK(reader->Get(KeySpace::kResults, "4999", &value));
  ASSERT_OK(reader->Close());
}

// The file may not grow (RLIMIT_FSIZE): the write fails as IOError naming the file, nothing of
// its batch is visible, and writes go on once it may grow again.
TEST(SqliteStoreTest, AFailedWriteLeavesNothingOfItsBatch) {
  TempDir tmp;
  const std::string path = tmp.Sub("x.db");
  std::unique_ptr<Store> store;
  ASSERT_OK(OpenSqlite(path, false, &store));
  ASSERT_OK(store->Write({{KeySpace::kResults, "before", "1"}}, true));
  std::vector<StoreWrite> batch;
  for (int i = 0; i < 2000; ++i) {
    batch.push_back({KeySpace::kResults, "big" + std::to_string(i), std::string(4000, 'x')});
  }
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
  const auto old_handler = signal(SIGXFSZ, SIG_IGN);  // EFBIG instead of a signal
  rlimit small = old;
  small.rlim_cur = 1 << 20;  // below the batch's 8 MB
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  Status s = store->Write(batch, false);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, old_handler);
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
  EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
  std::string value;
  EXPECT_CODE(store->Get(KeySpace::kResults, "big0", &value), kNotFound);
  EXPECT_CODE(store->Get(KeySpace::kResults, "big1999", &value), kNotFound);
  ASSERT_OK(store->Get(KeySpace::kResults, "before", &value));
  ASSERT_OK(store->Write({{KeySpace::kResults, "after", "2"}}, true));
  ASSERT_OK(store->Close());
  ASSERT_OK(OpenSqlite(path, false, &store));
  EXPECT_CODE(store->Get(KeySpace::kResults, "big0", &value), kNotFound);
  ASSERT_OK(store->Get(KeySpace::kResults, "after", &value));
}

TEST(SqliteStoreTest, SqliteCodesMapToStatusCodesNamingTheFile) {
  const std::vector<std::pair<int, Status::Code>> cases = {
      {SQLITE_FULL, Status::Code::kIOError},           {SQLITE_IOERR_WRITE, Status::Code::kIOError},
      {SQLITE_IOERR_FSYNC, Status::Code::kIOError},    {SQLITE_CORRUPT, Status::Code::kCorruption},
      {SQLITE_NOTADB, Status::Code::kCorruption},      {SQLITE_BUSY, Status::Code::kBusy},
      {SQLITE_BUSY_SNAPSHOT, Status::Code::kBusy},     {SQLITE_LOCKED, Status::Code::kBusy},
      {SQLITE_TOOBIG, Status::Code::kInvalidArgument}, {SQLITE_MISUSE, Status::Code::kInternal}};
  for (const auto& [rc, code] : cases) {
    Status s = sqlite::ToStatus(rc, nullptr, "writing to", "/data/x.db");
    EXPECT_EQ(s.code(), code) << s.ToString();
    EXPECT_EQ(s.message().rfind("writing to '/data/x.db': ", 0), 0u) << s.ToString();
    EXPECT_NE(s.message().find(sqlite3_errstr(rc)), std::string::npos) << s.ToString();
  }
  EXPECT_TRUE(sqlite::ToStatus(SQLITE_DONE, nullptr, "x", "y").ok());
}

// Pages overwritten with garbage: reading them is Corruption naming the file, never a crash.
TEST(SqliteStoreTest, DamagedPagesAreCorruptionNamingTheFile) {
  TempDir tmp;
  const std::string path = tmp.Sub("x.db");
  std::unique_ptr<Store> store;
  ASSERT_OK(OpenSqlite(path, false, &store));
  std::vector<StoreWrite> batch;
  for (int i = 0; i < 2000; ++i) batch.push_back({KeySpace::kResults, std::to_string(i), "value"});
  ASSERT_OK(store->Write(batch, true));
  ASSERT_OK(store->Close());  // checkpointed into the file
  std::string bytes = Bytes(path);
  ASSERT_GT(bytes.size(), 4u * 4096);
  for (size_t i = 2 * 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(0xa5);  // page 3+
  WriteFile(path, bytes);
  Status s = OpenSqlite(path, false, &store);
  if (s.ok()) {
    std::string value;
    s = store->Get(KeySpace::kResults, "1000", &value);
    if (s.ok()) s = store->Scan(KeySpace::kResults, "", [](auto, auto) { return Status::OK(); });
  }
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
}

// Another program holds SQLite's write lock on the file: a write waits busy_timeout_ms, then
// is Busy and leaves nothing; once the lock is gone writes go on.
TEST(SqliteStoreTest, AWriteLockHeldByAnotherProgramIsBusy) {
  TempDir tmp;
  const std::string path = tmp.Sub("x.db");
  SqliteStoreOptions options;
  options.busy_timeout_ms = 50;
  std::unique_ptr<Store> store;
  ASSERT_OK(SqliteStore::Open(path, options, &store));
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Status s = store->Write({{KeySpace::kResults, "k", "v"}}, false);
  EXPECT_EQ(s.code(), Status::Code::kBusy) << s.ToString();
  EXPECT_NE(s.message().find(path), std::string::npos) << s.ToString();
  std::string value;
  EXPECT_CODE(store->Get(KeySpace::kResults, "k", &value), kNotFound);  // reads go on
  ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_close(other), SQLITE_OK);
  ASSERT_OK(store->Write({{KeySpace::kResults, "k", "v"}}, false));
  ASSERT_OK(store->Get(KeySpace::kResults, "k", &value));
}

// Models, pipelines and their results live in the one file: train, close, reopen, classify;
// a reader engine follows the writer's versions.
TEST(SqliteStoreTest, AnEngineKeepsItsModelsAndResultsInTheFile) {
  TempDir tmp;
  const std::string uri = "sqlite:" + tmp.Sub("engine.db");
  testing::MakeTrainedDirectory(uri, 3);
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(uri, EngineOptions(), &engine));
  EXPECT_EQ(testing::VersionOf(*engine, "m"), 3u);
  std::shared_ptr<Model> model;
  ASSERT_OK(engine->GetModel("m", &model));
  ASSERT_OK(model->Train("spam", "cheap pills now"));
  ASSERT_OK(model->Train("ham", "meeting notes tomorrow"));
  std::shared_ptr<Pipeline> pipeline;
  ASSERT_OK(engine->CreatePipeline(
      "p", R"({"stages": [{"name": "c", "classify": "m", "routes": {"*": "out"}},
                          {"name": "out", "sink": {}}]})",
      &pipeline));
  std::string id;
  ASSERT_OK(pipeline->Submit("cheap pills", "item-1", "", &id));
  ASSERT_OK(pipeline->Flush());
  ASSERT_OK(engine->Close());

  EngineOptions read;
  read.mode = EngineOptions::Mode::kRead;
  std::unique_ptr<Engine> reader;
  ASSERT_OK(OpenEngine(uri, read, &reader));
  EXPECT_EQ(testing::VersionOf(*reader, "m"), 5u);
  ASSERT_OK(OpenEngine(uri, EngineOptions(), &engine));
  ASSERT_OK(engine->GetModel("m", &model));
  EXPECT_EQ(model->version(), 5u);
  Prediction prediction;
  ASSERT_OK(model->Classify("cheap pills", &prediction));
  EXPECT_EQ(prediction.label, "spam");
  ASSERT_OK(engine->GetPipeline("p", &pipeline));
  PipelineResult result;
  ASSERT_OK(pipeline->GetResult("item-1", &result));
  EXPECT_EQ(result.id, "item-1");
  EXPECT_EQ(result.route, (std::vector<std::string>{"c", "out"}));
  // The reader follows the live writer's next version.
  ASSERT_OK(model->Train("spam", "more pills"));
  for (int i = 0; i < 1000 && testing::VersionOf(*reader, "m") < 6; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(testing::VersionOf(*reader, "m"), 6u);
  ASSERT_OK(engine->Close());
  ASSERT_OK(reader->Close());
}

}  // namespace
}  // namespace classiflow
