// The Store contract every backend shares (memory:, a RocksDB directory, an SQLite file): key
// spaces, bytewise key order, range scans (prefix, start, limit, direction, chunking), visitors
// that call back into the store, Close, and for the durable backends a reader that follows the
// writer. Then RocksDB alone: directories of older releases, with fewer column families.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "dir_test_util.h"
#include "fault_fs.h"
#include "memory_store.h"
#include "rocksdb_store.h"

namespace classiflow {
namespace {

using testing::TempDir;

std::vector<std::string> Keys(Store& store, KeySpace space, const ScanRange& range) {
  std::vector<std::string> keys;
  Status s = store.Scan(space, range, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return keys;
}

ScanRange Range(std::string_view prefix, std::string_view start = "", size_t limit = 0,
                bool reverse = false) {
  ScanRange range;
  range.prefix = prefix;
  range.start = start;
  range.limit = limit;
  range.reverse = reverse;
  return range;
}

// "q\0" + a zero-padded number: keys that sort like their numbers.
std::string Item(int i) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%05d", i);
  return std::string("q\0", 2) + digits;
}

std::vector<std::string> Items(int first, int last_exclusive) {
  std::vector<std::string> keys;
  for (int i = first; i < last_exclusive; ++i) keys.push_back(Item(i));
  return keys;
}

std::vector<std::string> Reversed(std::vector<std::string> keys) {
  std::reverse(keys.begin(), keys.end());
  return keys;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { ASSERT_OK(Open()); }
  std::string Uri() const {
    if (GetParam() == "memory") return "memory:";
    return GetParam() == "sqlite" ? "sqlite:" + dir_.Sub("db.sqlite") : dir_.Sub("db");
  }
  bool durable() const { return GetParam() != "memory"; }
  Status Open() {
    store_.reset();
    return OpenStore(Uri(), &store_);
  }
  void Put(KeySpace space, const std::string& key, const std::string& value = "v") {
    ASSERT_OK(store_->Write({{space, key, value}}, false));
  }
  // Items first..last-1 in the queue space, plus neighbours just outside the "q\0" range.
  void PutItems(int first, int last_exclusive) {
    std::vector<StoreWrite> batch;
    for (int i = first; i < last_exclusive; ++i) batch.push_back({KeySpace::kQueue, Item(i), "v"});
    for (const std::string& key : std::vector<std::string>{"q", "p\xff", {"q\x01", 2}, "r"}) {
      batch.push_back({KeySpace::kQueue, key, "neighbour"});
    }
    ASSERT_OK(store_->Write(batch, false));
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreTest, APrefixSelectsItsKeysInOrder) {
  PutItems(0, 5);
  const std::string p("q\0", 2);
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p)), Items(0, 5));
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range("")).size(), 9u);
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range("nothing-here")), std::vector<std::string>{});
  // The convenience overload is the same scan, and stays visible on the backends' own types.
  std::vector<std::string> keys;
  ASSERT_OK(store_->Scan(KeySpace::kQueue, p, [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return Status::OK();
  }));
  EXPECT_EQ(keys, Items(0, 5));
  MemoryStore memory;
  ASSERT_OK(memory.Scan(KeySpace::kQueue, p, [](auto, auto) { return Status::OK(); }));
}

TEST_P(StoreTest, ABatchAppliesItsWritesInOrderAndIsReusable) {
  const std::string p("q\0", 2);
  StoreBatch batch;
  batch.Put(KeySpace::kQueue, p, "a", "1");
  batch.Put(KeySpace::kResults, p + "b", "2");
  batch.Put(KeySpace::kQueue, p, "a", "3");  // a later write of the same key wins
  batch.Delete(KeySpace::kQueue, p, "never-there");
  EXPECT_EQ(batch.size(), 4u);
  ASSERT_OK(store_->Write(batch, false));
  std::string value;
  ASSERT_OK(store_->Get(KeySpace::kQueue, p + "a", &value));
  EXPECT_EQ(value, "3");
  ASSERT_OK(store_->Get(KeySpace::kResults, p + "b", &value));
  EXPECT_EQ(value, "2");
  batch.clear();  // the same batch again: deletes and an empty value
  EXPECT_TRUE(batch.empty());
  batch.Delete(KeySpace::kQueue, p + "a");
  batch.Put(KeySpace::kResults, p, "b", "");
  ASSERT_OK(store_->WriteUnlogged(batch));
  EXPECT_CODE(store_->Get(KeySpace::kQueue, p + "a", &value), kNotFound);
  ASSERT_OK(store_->Get(KeySpace::kResults, p + "b", &value));
  EXPECT_EQ(value, "");
}

TEST_P(StoreTest, AForwardScanStartsAtTheFirstKeyAtOrAfterStart) {
  PutItems(0, 10);
  const std::string p("q\0", 2);
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, Item(4))), Items(4, 10));
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, Item(4) + "a")), Items(5, 10));
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, "a")), Items(0, 10));  // before the range
  EXPECT_TRUE(Keys(*store_, KeySpace::kQueue, Range(p, "z")).empty());      // after it
}

TEST_P(StoreTest, ALimitStopsTheScan) {
  PutItems(0, 10);
  const std::string p("q\0", 2);
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, "", 3)), Items(0, 3));
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, Item(8), 5)), Items(8, 10));
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, "", 1, true)), Items(9, 10));
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, "", 100)), Items(0, 10));
}

TEST_P(StoreTest, AReverseScanIsNewestFirstAndStaysInThePrefix) {
  PutItems(0, 10);
  const std::string p("q\0", 2);
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, "", 0, true)), Reversed(Items(0, 10)));
  // "q" and "q\1" border the range on either side; "" scans the whole space backwards.
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range("q", "", 0, true)).front(),
            std::string("q\x01", 2));
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range("", "", 0, true)).front(), "r");
  // A prefix of 0xff bytes has no end key: its range runs to the end of the space.
  Put(KeySpace::kQueue,
      "\xff\xff"
      "a");
  Put(KeySpace::kQueue,
      "\xff\xff"
      "b");
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range("\xff\xff", "", 0, true)),
            (std::vector<std::string>{"\xff\xff"
                                      "b",
                                      "\xff\xff"
                                      "a"}));
}

TEST_P(StoreTest, AReverseScanStartsAtTheLastKeyAtOrBeforeStart) {
  PutItems(0, 10);
  const std::string p("q\0", 2);
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, Item(6), 0, true)), Reversed(Items(0, 7)));
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, Item(6) + "a", 3, true)),
            Reversed(Items(4, 7)));
  EXPECT_EQ(Keys(*store_, KeySpace::kQueue, Range(p, "z", 2, true)), Reversed(Items(8, 10)));
  EXPECT_TRUE(Keys(*store_, KeySpace::kQueue, Range(p, "a", 0, true)).empty());
}

TEST_P(StoreTest, PagesResumeFromTheLastKeyAcrossChunks) {
  PutItems(0, 1000);  // several of the backends' internal chunks
  const std::string p("q\0", 2);
  std::vector<std::string> all;
  std::string start;
  for (int page = 0; page < 10; ++page) {
    auto keys = Keys(*store_, KeySpace::kQueue, Range(p, start, 300));
    if (keys.empty()) break;
    all.insert(all.end(), keys.begin(), keys.end());
    start = keys.back() + std::string(1, '\0');
  }
  EXPECT_EQ(all, Items(0, 1000));
  // Backwards: start at the last key seen and skip it.
  all.clear();
  start.clear();
  for (int page = 0; page < 10; ++page) {
    auto keys = Keys(*store_, KeySpace::kQueue, Range(p, start, 301, true));
    if (!start.empty() && !keys.empty() && keys.front() == start) keys.erase(keys.begin());
    if (keys.empty()) break;
    all.insert(all.end(), keys.begin(), keys.end());
    start = keys.back();
  }
  EXPECT_EQ(all, Reversed(Items(0, 1000)));
}

TEST_P(StoreTest, EmptyRangesVisitNothing) {
  for (bool reverse : {false, true}) {
    EXPECT_TRUE(Keys(*store_, KeySpace::kResults, Range("", "", 0, reverse)).empty());
    EXPECT_TRUE(Keys(*store_, KeySpace::kResults, Range("p", "p", 5, reverse)).empty());
  }
  PutItems(0, 3);
  EXPECT_TRUE(Keys(*store_, KeySpace::kQueue, Range("q\x02", "", 0, true)).empty());
  std::string key;
  EXPECT_CODE(store_->SeekKey(KeySpace::kResults, "", &key), kNotFound);
}

// The visitor runs with no store lock held: it drains the queue into results as it goes, reads,
// and scans, all on the same store, across chunk boundaries.
TEST_P(StoreTest, AVisitorMayWriteReadAndScanTheSameStore) {
  PutItems(0, 600);
  const std::string p("q\0", 2);
  int visited = 0;
  ASSERT_OK(store_->Scan(KeySpace::kQueue, Range(p), [&](std::string_view key, std::string_view) {
    ++visited;
    std::string value;
    CF_RETURN_IF_ERROR(store_->Get(KeySpace::kQueue, key, &value));
    CF_RETURN_IF_ERROR(store_->Write({{KeySpace::kQueue, std::string(key), std::nullopt},
                                      {KeySpace::kResults, std::string(key), "done"},
                                      {KeySpace::kQueue, "a-behind-the-cursor", "x"}},
                                     false));
    size_t nested = 0;
    CF_RETURN_IF_ERROR(store_->Scan(KeySpace::kQueue, Range(p, "", 2), [&](auto, auto) {
      ++nested;
      return Status::OK();
    }));
    EXPECT_LE(nested, 2u);
    return Status::OK();
  }));
  EXPECT_EQ(visited, 600);
  EXPECT_TRUE(Keys(*store_, KeySpace::kQueue, Range(p)).empty());
  EXPECT_EQ(Keys(*store_, KeySpace::kResults, Range(p)), Items(0, 600));
}

// Keys written ahead of the cursor may or may not be visited; the scan ends either way, and
// every key that was there from the start is visited exactly once.
TEST_P(StoreTest, KeysWrittenAheadOfTheCursorDoNotStopTheScan) {
  PutItems(0, 600);
  const std::string p("q\0", 2);
  std::map<std::string, int> seen;
  ASSERT_OK(store_->Scan(KeySpace::kQueue, Range(p), [&](std::string_view key, std::string_view) {
    if (++seen[std::string(key)] == 1 && key.size() == Item(0).size()) {
      return store_->Write({{KeySpace::kQueue, std::string(key) + "+later", "x"}}, false);
    }
    return Status::OK();
  }));
  for (const std::string& key : Items(0, 600)) EXPECT_EQ(seen[key], 1) << key;
  for (const auto& [key, count] : seen) EXPECT_EQ(count, 1) << key;
}

TEST_P(StoreTest, AVisitorErrorStopsTheScanAndIsReturned) {
  PutItems(0, 600);
  for (int stop_at : {3, 300}) {  // within the first chunk and past it
    int visited = 0;
    Status s = store_->Scan(
        KeySpace::kQueue, Range(std::string("q\0", 2)), [&](std::string_view, std::string_view) {
          return ++visited == stop_at ? Status::Corruption("stop here") : Status::OK();
        });
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
    EXPECT_EQ(s.message(), "stop here");
    EXPECT_EQ(visited, stop_at);
  }
}

TEST_P(StoreTest, EveryKeySpaceIsIndependentAndPersists) {
  std::vector<StoreWrite> batch;
  for (const KeySpaceInfo& info : kKeySpaces) batch.push_back({info.space, "k", info.name});
  ASSERT_OK(store_->Write(batch, true));
  ASSERT_OK(store_->Write({{KeySpace::kQueue, "k", std::nullopt}}, true));
  if (durable()) ASSERT_OK(Open());
  for (const KeySpaceInfo& info : kKeySpaces) {
    std::string value;
    if (info.space == KeySpace::kQueue) {
      EXPECT_CODE(store_->Get(info.space, "k", &value), kNotFound);
      continue;
    }
    ASSERT_OK(store_->Get(info.space, "k", &value));
    EXPECT_EQ(value, info.name);
    std::vector<std::string> values;
    ASSERT_OK(store_->Scan(info.space, "", [&](std::string_view, std::string_view v) {
      values.emplace_back(v);
      return Status::OK();
    }));
    EXPECT_EQ(values, std::vector<std::string>{info.name});
  }
}

TEST_P(StoreTest, AKeySpaceOutsideTheTableIsInvalidArgument) {
  const auto bogus = static_cast<KeySpace>(kKeySpaceCount);
  std::string value;
  EXPECT_CODE(store_->Write({{KeySpace::kMeta, "a", "b"}, {bogus, "k", "v"}}, false),
              kInvalidArgument);
  EXPECT_CODE(store_->Get(KeySpace::kMeta, "a", &value), kNotFound);  // nothing was written
  EXPECT_CODE(store_->Get(bogus, "k", &value), kInvalidArgument);
  EXPECT_CODE(store_->Scan(bogus, "", [](auto, auto) { return Status::OK(); }), kInvalidArgument);
}

TEST_P(StoreTest, CloseReturnsOkAndThenEveryCallIsUnavailable) {
  Put(KeySpace::kResults, "k");
  ASSERT_OK(store_->Close());
  ASSERT_OK(store_->Close());  // a second close is OK
  std::string value;
  EXPECT_CODE(store_->Get(KeySpace::kResults, "k", &value), kUnavailable);
  EXPECT_CODE(store_->Write({{KeySpace::kResults, "k", "v"}}, false), kUnavailable);
  EXPECT_CODE(store_->Write(StoreBatch(), false), kUnavailable);
  EXPECT_CODE(store_->Scan(KeySpace::kResults, "", [](auto, auto) { return Status::OK(); }),
              kUnavailable);
  EXPECT_CODE(store_->SeekKey(KeySpace::kResults, "", &value), kUnavailable);
  if (durable()) {  // the directory or file is released: another writer opens it
    std::unique_ptr<Store> next;
    ASSERT_OK(OpenStore(Uri(), &next));
    ASSERT_OK(next->Get(KeySpace::kResults, "k", &value));
  }
}

// Close from inside a visitor: it waits for no scan, and the scan ends with Unavailable.
TEST_P(StoreTest, ClosingDuringAScanEndsTheScan) {
  PutItems(0, 600);
  int visited = 0;
  Status s = store_->Scan(KeySpace::kQueue, "", [&](std::string_view, std::string_view) {
    return ++visited == 10 ? store_->Close() : Status::OK();
  });
  EXPECT_EQ(s.code(), Status::Code::kUnavailable) << s.ToString();
  EXPECT_LT(visited, 604);
}

// Keys are compared as unsigned bytes, shorter first on a tie (RocksDB's bytewise order): 0x00
// and 0xff bytes anywhere, an empty key, prefixes of 0xff.
TEST_P(StoreTest, KeysSortAsUnsignedBytes) {
  std::vector<std::string> keys = {
      "",         {"\0", 1},   {"\0\0", 2},   {"\0\xff", 2}, "\x01",        "a",
      {"a\0", 2}, {"a\0b", 3}, "a\x7f",       "a\x80",       "a\xff",       "\x7f",
      "\x80",     "\xff",      {"\xff\0", 2}, "\xff\xff",    "\xff\xff\xff"};
  std::vector<StoreWrite> batch;
  for (const std::string& key : keys) batch.push_back({KeySpace::kResults, key, "v" + key});
  ASSERT_OK(store_->Write(batch, false));
  std::sort(keys.begin(), keys.end());  // std::string compares as unsigned char
  EXPECT_EQ(Keys(*store_, KeySpace::kResults, Range("")), keys);
  EXPECT_EQ(Keys(*store_, KeySpace::kResults, Range("", "", 0, true)), Reversed(keys));
  EXPECT_EQ(Keys(*store_, KeySpace::kResults, Range("a")),
            (std::vector<std::string>{"a", {"a\0", 2}, {"a\0b", 3}, "a\x7f", "a\x80", "a\xff"}));
  EXPECT_EQ(Keys(*store_, KeySpace::kResults, Range("\xff", "", 0, true)),
            (std::vector<std::string>{"\xff\xff\xff", "\xff\xff", {"\xff\0", 2}, "\xff"}));
  EXPECT_EQ(Keys(*store_, KeySpace::kResults, Range(std::string("\0", 1))),
            (std::vector<std::string>{{"\0", 1}, {"\0\0", 2}, {"\0\xff", 2}}));
  EXPECT_EQ(Keys(*store_, KeySpace::kResults, Range("", std::string("\0\x01", 2), 2)),
            (std::vector<std::string>{{"\0\xff", 2}, "\x01"}));
  std::string key, value;
  ASSERT_OK(store_->SeekKey(KeySpace::kResults, "\x80\x01", &key));
  EXPECT_EQ(key, "\xff");
  ASSERT_OK(store_->Get(KeySpace::kResults, std::string("\0\xff", 2), &value));
  EXPECT_EQ(value, std::string("v\0\xff", 3));
  ASSERT_OK(store_->Get(KeySpace::kResults, "", &value));
  EXPECT_EQ(value, "v");
}

// A reader (read_only) opens what a writer holds; its view moves at CatchUp(), which tells
// whether anything changed, and it cannot write.
TEST_P(StoreTest, AReaderFollowsTheWriterAtCatchUp) {
  if (!durable()) GTEST_SKIP() << "an in-memory store has no readers";
  ASSERT_OK(store_->Write({{KeySpace::kResults, "a", "1"}}, true));
  StoreOptions read;
  read.read_only = true;
  std::unique_ptr<Store> reader;
  ASSERT_OK(OpenStore(Uri(), read, &reader));
  EXPECT_TRUE(reader->read_only());
  EXPECT_FALSE(store_->read_only());
  std::string value;
  ASSERT_OK(reader->Get(KeySpace::kResults, "a", &value));
  EXPECT_EQ(value, "1");
  bool changed = true;
  ASSERT_OK(reader->CatchUp(&changed));
  EXPECT_FALSE(changed);
  ASSERT_OK(store_->Write({{KeySpace::kResults, "b", "2"}, {KeySpace::kResults, "a", "3"}}, false));
  ASSERT_OK(reader->CatchUp(&changed));
  EXPECT_TRUE(changed);
  ASSERT_OK(reader->Get(KeySpace::kResults, "b", &value));
  EXPECT_EQ(value, "2");
  EXPECT_EQ(Keys(*reader, KeySpace::kResults, Range("")), (std::vector<std::string>{"a", "b"}));
  ASSERT_OK(reader->CatchUp(&changed));
  EXPECT_FALSE(changed);
  EXPECT_CODE(reader->Write({{KeySpace::kResults, "c", "4"}}, false), kNotSupported);
  ASSERT_OK(reader->Close());
  EXPECT_CODE(reader->CatchUp(&changed), kUnavailable);
  ASSERT_OK(store_->Get(KeySpace::kResults, "a", &value));  // the writer goes on
  EXPECT_EQ(value, "3");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("memory", "rocksdb", "sqlite"),
                         [](const auto& info) { return info.param; });

// After a failed write the next write reopens the database under the store's exclusive lock;
// a visitor that writes must not be holding the shared one then.
TEST(RocksDBStoreTest, AVisitorWritesWhileTheStoreRecoversFromAFailedWrite) {
  TempDir tmp;
  auto fs = std::make_shared<testing::FaultFS>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksDBStoreOptions options;
  options.env = env.get();
  std::unique_ptr<Store> store;
  ASSERT_OK(RocksDBStore::Open(tmp.Sub("db"), options, &store));
  ASSERT_OK(store->Write({{KeySpace::kQueue, "a", "1"}, {KeySpace::kQueue, "b", "2"}}, false));
  fs->fail_append_in = 1;
  EXPECT_CODE(store->Write({{KeySpace::kQueue, "c", "3"}}, false), kIOError);
  fs->Heal();
  int visited = 0;
  ASSERT_OK(store->Scan(KeySpace::kQueue, "", [&](std::string_view key, std::string_view) {
    ++visited;
    Status s = store->Write({{KeySpace::kResults, std::string(key), "done"}}, false);
    if (s.code() == Status::Code::kUnavailable) {  // reopened: nothing written, write again
      s = store->Write({{KeySpace::kResults, std::string(key), "done"}}, false);
    }
    return s;
  }));
  EXPECT_GE(visited, 2);
  std::string value;
  ASSERT_OK(store->Get(KeySpace::kResults, "b", &value));
  ASSERT_OK(store->Close());
}

// A full disk fails the write and then the reopen that follows it. Once space returns, the next
// call reopens the database, whatever it is: a caller that reads before it writes gets going.
TEST(RocksDBStoreTest, AnyCallReopensTheDatabaseOnceTheDiskHasSpaceAgain) {
  TempDir tmp;
  auto fs = std::make_shared<testing::FaultFS>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksDBStoreOptions options;
  options.env = env.get();
  std::unique_ptr<Store> store;
  ASSERT_OK(RocksDBStore::Open(tmp.Sub("db"), options, &store));
  ASSERT_OK(store->Write({{KeySpace::kResults, "a", "1"}}, true));
  fs->space_left = 0;
  EXPECT_CODE(store->Write({{KeySpace::kResults, "b", "2"}}, false), kIOError);
  EXPECT_FALSE(store->Write({{KeySpace::kResults, "b", "2"}}, false).ok());  // reopen fails
  std::string value;
  EXPECT_FALSE(store->Get(KeySpace::kResults, "a", &value).ok());  // still no space
  fs->Heal();
  ASSERT_OK(store->Get(KeySpace::kResults, "a", &value));
  EXPECT_EQ(value, "1");
  EXPECT_GE(store->generation(), 1u);
  ASSERT_OK(store->Write({{KeySpace::kResults, "c", "3"}}, true));
  ASSERT_OK(store->Close());
}

// A directory as an earlier release left it: the families default, models and meta only. It is
// made from a real trained directory whose newer families are dropped; `marked` keeps the
// CLASSIFLOW mark (the current release) or removes it (the first release, adopted unmarked).
void MakeOldDirectory(const std::string& dir, bool marked) {
  testing::MakeTrainedDirectory(dir, 3);
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir, descriptors, &handles, &db).ok());
  for (auto* handle : handles) {
    const std::string& name = handle->GetName();
    if (name != "default" && name != "models" && name != "meta") {
      ASSERT_TRUE(db->DropColumnFamily(handle).ok()) << name;
    }
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  ASSERT_TRUE(db->Close().ok());
  delete db;
  names.clear();
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, dir, &names).ok());
  ASSERT_EQ(names.size(), 3u);
  if (!marked) std::filesystem::remove(dir + "/CLASSIFLOW");
}

class OldDirectoryTest : public ::testing::TestWithParam<bool> {};

// A reader opens what is there and sees the newer spaces as empty; a writer creates their
// families; the reader then follows them too. Engines open the directory either way.
TEST_P(OldDirectoryTest, OpensForAReaderAndAWriter) {
  TempDir tmp;
  const std::string dir = tmp.Sub("old");
  MakeOldDirectory(dir, GetParam());
  StoreOptions read;
  read.read_only = true;
  std::unique_ptr<Store> reader, writer;
  ASSERT_OK(OpenStore(dir, read, &reader));
  std::string value;
  ASSERT_OK(reader->Get(KeySpace::kModels, std::string("m\0h", 3), &value));
  EXPECT_CODE(reader->Get(KeySpace::kResults, "k", &value), kNotFound);
  EXPECT_TRUE(Keys(*reader, KeySpace::kQueue, Range("")).empty());
  EXPECT_TRUE(Keys(*reader, KeySpace::kPipelineLog, Range("", "", 0, true)).empty());
  EXPECT_CODE(reader->SeekKey(KeySpace::kDeadLetters, "", &value), kNotFound);

  ASSERT_OK(OpenStore(dir, &writer));
  ASSERT_OK(writer->Write({{KeySpace::kResults, "k", "result"}}, true));
  bool changed = false;
  ASSERT_OK(reader->CatchUp(&changed));
  EXPECT_TRUE(changed);
  ASSERT_OK(reader->Get(KeySpace::kResults, "k", &value));
  EXPECT_EQ(value, "result");
  ASSERT_OK(reader->Get(KeySpace::kModels, std::string("m\0h", 3), &value));  // still there
  ASSERT_OK(writer->Close());
  ASSERT_OK(reader->Close());
  EXPECT_CODE(reader->Write({{KeySpace::kResults, "k", "v"}}, false), kUnavailable);

  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(dir, EngineOptions(), &engine));
  EXPECT_EQ(testing::VersionOf(*engine, "m"), 3u);
  ASSERT_OK(engine->Close());
}

TEST_P(OldDirectoryTest, AReaderEngineOpensItUntouched) {
  TempDir tmp;
  const std::string dir = tmp.Sub("old");
  MakeOldDirectory(dir, GetParam());
  EngineOptions read;
  read.mode = EngineOptions::Mode::kRead;
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(dir, read, &engine));
  EXPECT_EQ(testing::VersionOf(*engine, "m"), 3u);
  ASSERT_OK(engine->Close());
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  EXPECT_EQ(names.size(), 3u) << "a reader creates nothing";
}

INSTANTIATE_TEST_SUITE_P(MarkedOrNot, OldDirectoryTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Marked" : "Unmarked"; });

}  // namespace
}  // namespace classiflow
