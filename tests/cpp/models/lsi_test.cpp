// The LSI kind: items, the index (exact on small data), search and related items, fold-in,
// removal, rebuilds beside readers, classification, persistence and corruption.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "classiflow/model.h"
#include "corpus.h"
#include "test_util.h"

namespace classiflow {
namespace {

using testing::TempDir;

std::shared_ptr<Model> NewLsi(const std::string& json = "{}") {
  return testing::MakeModel("lsi", json, 16, "lsi");
}

// Three topics, a few texts each, with ids that name them.
const std::vector<ItemInput>& Topics() {
  static const std::vector<ItemInput> kItems = {
      {"the cat sat on the mat with another cat", "pets", "cat1"},
      {"a cat and a kitten purr on the sofa", "pets", "cat2"},
      {"dogs and cats are friendly pets at home", "pets", "pet3"},
      {"the stock market fell as shares dropped", "finance", "fin1"},
      {"investors sold shares when the market dropped", "finance", "fin2"},
      {"bond yields and the stock market rose", "finance", "fin3"},
      {"the team won the football match on sunday", "sport", "sp1"},
      {"a late goal won the football match", "sport", "sp2"},
      {"the match ended after the team scored a goal", "sport", "sp3"},
  };
  return kItems;
}

std::shared_ptr<Model> Indexed(const std::string& json = R"({"rebuild_after": 0})") {
  auto model = NewLsi(json);
  Status s = model->AddItems(Topics());
  if (s.ok()) s = model->BuildIndex();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return model;
}

std::vector<std::string> IdsOf(const std::vector<SearchHit>& hits) {
  std::vector<std::string> ids;
  for (const auto& hit : hits) ids.push_back(hit.id);
  return ids;
}

TEST(LsiTest, SearchFindsTheItemsOfTheQuerysTopic) {
  auto model = Indexed();
  std::vector<SearchHit> hits;
  ASSERT_OK(model->Search("shares on the stock market", 3, &hits));
  ASSERT_EQ(hits.size(), 3u);
  for (const auto& hit : hits) {
    EXPECT_EQ(hit.label, "finance") << hit.id;
    EXPECT_GT(hit.score, 0.0);
    EXPECT_LE(hit.score, 1.0 + 1e-5);
  }
  EXPECT_GE(hits[0].score, hits[1].score);
  EXPECT_GE(hits[1].score, hits[2].score);
  // A query with no indexed word finds nothing (rather than arbitrary items).
  ASSERT_OK(model->Search("zyxxy qwv", 3, &hits));
  EXPECT_TRUE(hits.empty());
}

TEST(LsiTest, FindRelatedLeavesTheItemOutAndStaysInTopic) {
  auto model = Indexed();
  std::vector<SearchHit> hits;
  ASSERT_OK(model->FindRelated("sp1", 2, &hits));
  ASSERT_EQ(hits.size(), 2u);
  for (const auto& hit : hits) {
    EXPECT_NE(hit.id, "sp1");
    EXPECT_EQ(hit.label, "sport");
  }
  EXPECT_CODE(model->FindRelated("nope", 2, &hits), kNotFound);
  EXPECT_CODE(model->FindRelated("sp1", 0, &hits), kInvalidArgument);
}

TEST(LsiTest, ClassifiesByTheVoteOfTheNearestItems) {
  auto model = Indexed(R"({"rebuild_after": 0, "neighbors": 3})");
  Prediction p;
  ASSERT_OK(model->Classify("my kitten and my cat", &p));
  EXPECT_EQ(p.label, "pets");
  ASSERT_OK(model->Classify("a goal in the match", &p));
  EXPECT_EQ(p.label, "sport");
  EXPECT_GT(p.confidence, 0.5);
  // No indexed word: no vote, every label equally likely.
  ASSERT_OK(model->Classify("zyxxy", &p));
  EXPECT_NEAR(p.confidence, 1.0 / 3, 1e-9);
}

TEST(LsiTest, ItemsAddedAfterTheBuildAreSearchableAtOnce) {
  auto model = Indexed();
  const uint64_t version = model->version();
  std::string id;
  ASSERT_OK(model->AddItem("kitten and cat toys for pets", "pets", {}, &id));
  EXPECT_EQ(model->version(), version + 1);
  EXPECT_FALSE(id.empty());
  std::vector<SearchHit> hits;
  ASSERT_OK(model->Search("kitten and cat toys for pets", 1, &hits));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, id);
  IndexStatus status;
  ASSERT_OK(model->GetIndexStatus(&status));
  EXPECT_EQ(status.items, 10u);
  EXPECT_EQ(status.indexed_items, 9u);
  EXPECT_EQ(status.changes, 1u);
  EXPECT_FALSE(status.rebuilding);  // rebuild_after 0: never by itself
}

TEST(LsiTest, IdsAreUniqueAssignedOrGivenAndValidated) {
  auto model = NewLsi(R"({"rebuild_after": 0})");
  std::string a, b;
  ASSERT_OK(model->AddItem("first text", std::nullopt, {}, &a));
  ASSERT_OK(model->AddItem("second text", std::nullopt, "2", &b));  // takes the next number
  std::string c;
  ASSERT_OK(model->AddItem("third text", std::nullopt, {}, &c));
  EXPECT_EQ(a, "1");
  EXPECT_EQ(b, "2");
  EXPECT_NE(c, a);
  EXPECT_NE(c, b);
  const uint64_t version = model->version();
  EXPECT_CODE(model->AddItem("again", std::nullopt, "2"), kAlreadyExists);
  const std::vector<ItemInput> twice = {{"x one", "l", "dup"}, {"x two", "l", "dup"}};
  EXPECT_CODE(model->AddItems(twice), kAlreadyExists);
  EXPECT_CODE(model->AddItem("bad id", std::nullopt, std::string_view("a\nb")), kInvalidArgument);
  EXPECT_CODE(model->AddItem("", std::nullopt), kInvalidArgument);
  EXPECT_CODE(model->AddItem("empty label", std::string_view()), kInvalidArgument);
  EXPECT_EQ(model->version(), version);  // nothing changed
  EXPECT_TRUE(model->labels().empty());  // items without labels add none
}

TEST(LsiTest, RemovedItemsAreGoneAndUnknownIdsChangeNothing) {
  auto model = Indexed();
  const std::vector<std::string_view> unknown = {"fin1", "ghost"};
  const uint64_t version = model->version();
  EXPECT_CODE(model->RemoveItems(unknown), kNotFound);
  EXPECT_EQ(model->version(), version);
  ASSERT_OK(model->RemoveItem("fin1"));
  std::vector<SearchHit> hits;
  ASSERT_OK(model->Search("stock market shares", 9, &hits));
  for (const auto& hit : hits) EXPECT_NE(hit.id, "fin1");
  EXPECT_CODE(model->FindRelated("fin1", 3, &hits), kNotFound);
  EXPECT_CODE(model->RemoveItem("fin1"), kNotFound);
  // The id may be used again.
  ASSERT_OK(model->AddItem("a new text about the market", "finance", "fin1"));
  ASSERT_OK(model->BuildIndex());
  IndexStatus status;
  ASSERT_OK(model->GetIndexStatus(&status));
  EXPECT_EQ(status.items, 9u);
  EXPECT_EQ(status.indexed_items, 9u);
  EXPECT_EQ(status.changes, 0u);
}

TEST(LsiTest, TheFirstIndexComesWithTheFirstItems) {
  auto model = NewLsi();  // rebuild_after: the default
  ASSERT_OK(model->Train("pets", "the cat sat on the mat"));
  IndexStatus status;
  ASSERT_OK(model->GetIndexStatus(&status));
  EXPECT_GT(status.rank, 0u);
  std::vector<SearchHit> hits;
  ASSERT_OK(model->Search("cat", 5, &hits));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].label, "pets");
}

TEST(LsiTest, AStaleIndexIsRebuiltInTheBackground) {
  auto model = NewLsi(R"({"rebuild_after": 0.5})");
  ASSERT_OK(model->AddItems(Topics()));  // the first index: 9 items
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(model->AddItem("another cat on the mat " + std::to_string(i), "pets"));
  }
  model->WaitForRebuild();
  IndexStatus status;
  ASSERT_OK(model->GetIndexStatus(&status));
  EXPECT_EQ(status.items, 14u);
  // 5 changes reached half of the 9 indexed items: a rebuild ran (and may have caught up
  // with all of them).
  EXPECT_GE(status.indexed_items, 13u);
}

TEST(LsiTest, ReadersAndWritersGoOnDuringRebuilds) {
  auto model = NewLsi(R"({"rebuild_after": 0.05})");
  ASSERT_OK(model->AddItems(Topics()));
  std::atomic<bool> done{false};
  std::atomic<int> searches{0};
  std::thread reader([&] {
    std::vector<SearchHit> hits;
    while (!done.load()) {
      Status s = model->Search("football match goal", 3, &hits);
      EXPECT_TRUE(s.ok()) << s.ToString();
      Prediction p;
      EXPECT_TRUE(model->Classify("the market", &p).ok());
      ++searches;
    }
  });
  while (searches.load() == 0) std::this_thread::yield();  // the reader is under way
  for (int i = 0; i < 300; ++i) {
    const std::string text = "item " + std::to_string(i) + " about the football match";
    ASSERT_OK(model->AddItem(text, i % 2 ? "sport" : "pets", "n" + std::to_string(i)));
    if (i % 7 == 0) ASSERT_OK(model->RemoveItem("n" + std::to_string(i)));
  }
  done = true;
  reader.join();
  EXPECT_GT(searches.load(), 0);
  model->WaitForRebuild();
  ASSERT_OK(model->BuildIndex());
  IndexStatus status;
  ASSERT_OK(model->GetIndexStatus(&status));
  EXPECT_EQ(status.items, 9u + 300 - 43);
  EXPECT_EQ(status.indexed_items, status.items);
  // Every item is there exactly once, removed ones not at all.
  std::vector<SearchHit> hits;
  ASSERT_OK(model->Search("item about the football match", 1000, &hits));
  std::set<std::string> ids;
  for (const auto& hit : hits) EXPECT_TRUE(ids.insert(hit.id).second) << hit.id;
  EXPECT_EQ(ids.count("n0"), 0u);
  EXPECT_EQ(ids.count("n1"), 1u);
}

TEST(LsiTest, ARebuildKeepsTheChangesCommittedWhileItRan) {
  // The two halves of a rebuild by hand: build from one version, change the model, rebase.
  auto model = Indexed();
  ASSERT_OK(model->AddItem("first change, a cat", "pets", "c1"));
  ASSERT_OK(model->RemoveItem("cat1"));
  ASSERT_OK(model->BuildIndex());
  std::vector<SearchHit> hits;
  ASSERT_OK(model->Search("cat", 20, &hits));
  const auto ids = IdsOf(hits);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "c1"), ids.end());
  EXPECT_EQ(std::find(ids.begin(), ids.end(), "cat1"), ids.end());
}

TEST(LsiTest, RecordsRoundTripAndAStepWritesOnlyWhatChanged) {
  auto model = Indexed();
  ModelRecords all;
  model->AllRecords(&all);
  std::map<std::string, std::string> records(all.puts.begin(), all.puts.end());
  std::shared_ptr<Model> loaded;
  ASSERT_OK(Model::FromRecords("lsi", records, &loaded));
  EXPECT_EQ(loaded->version(), model->version());
  for (const char* query : {"stock market", "a cat", "the goal"}) {
    std::vector<SearchHit> a, b;
    ASSERT_OK(model->Search(query, 4, &a));
    ASSERT_OK(loaded->Search(query, 4, &b));
    ASSERT_EQ(IdsOf(a), IdsOf(b)) << query;
    for (size_t i = 0; i < a.size(); ++i) EXPECT_FLOAT_EQ(a[i].score, b[i].score);
  }
  // One added item: the header and that item's record.
  std::vector<ModelRecords> steps;
  loaded->SetCommitHook([&](const ModelRecords& changed) {
    steps.push_back(changed);
    return Status::OK();
  });
  ASSERT_OK(loaded->AddItem("one more text", "pets", "one"));
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].puts.size(), 2u);
  EXPECT_TRUE(steps[0].deletes.empty());
  ASSERT_OK(loaded->RemoveItem("one"));
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[1].puts.size(), 1u);  // the header
  EXPECT_EQ(steps[1].deletes, std::vector<std::string>{"ione"});
}

TEST(LsiTest, SaveAndLoadKeepItemsAndIndex) {
  TempDir dir;
  auto model = Indexed();
  ASSERT_OK(model->AddItem("an unindexed cat, folded in", "pets", "late"));
  const std::string path = dir.path() + "/lsi.cfm";
  ASSERT_OK(model->Save(path));
  std::shared_ptr<Model> loaded;
  ASSERT_OK(Model::Load(path, &loaded));
  EXPECT_EQ(loaded->kind(), "lsi");
  IndexStatus a, b;
  ASSERT_OK(model->GetIndexStatus(&a));
  ASSERT_OK(loaded->GetIndexStatus(&b));
  EXPECT_EQ(a.items, b.items);
  EXPECT_EQ(a.indexed_items, b.indexed_items);
  EXPECT_EQ(a.changes, b.changes);
  EXPECT_EQ(a.rank, b.rank);
  std::vector<SearchHit> hits;
  ASSERT_OK(loaded->FindRelated("late", 2, &hits));
  EXPECT_EQ(hits.size(), 2u);
}

TEST(LsiTest, CorruptRecordsAreRefused) {
  auto model = Indexed();
  ModelRecords all;
  model->AllRecords(&all);
  const std::map<std::string, std::string> good(all.puts.begin(), all.puts.end());
  std::shared_ptr<Model> loaded;
  ASSERT_OK(Model::FromRecords("lsi", good, &loaded));
  for (const std::string key : {"h", "icat1", "x00000000"}) {
    SCOPED_TRACE(key);
    auto bad = good;
    ASSERT_EQ(bad.count(key), 1u) << key;
    bad[key][bad[key].size() / 2] ^= 0x20;
    EXPECT_CODE(Model::FromRecords("lsi", bad, &loaded), kCorruption);
    bad.erase(key);
    EXPECT_CODE(Model::FromRecords("lsi", bad, &loaded), kCorruption);
  }
  auto extra = good;
  extra["iextra"] = good.at("icat1");  // a second item with cat1's sequence number
  EXPECT_CODE(Model::FromRecords("lsi", extra, &loaded), kCorruption);
}

TEST(LsiTest, FitAddsEveryItemAndBuildsOneIndex) {
  auto model = NewLsi(R"({"rebuild_after": 0})");
  const auto corpus = testing::MakeTinyCorpus(40);
  ASSERT_OK(model->Fit(corpus.label_views(), corpus.text_views()));
  EXPECT_EQ(model->version(), 1u);
  IndexStatus status;
  ASSERT_OK(model->GetIndexStatus(&status));
  EXPECT_EQ(status.indexed_items, 40u);
  Prediction p;
  ASSERT_OK(model->Classify("cheap pills and free money", &p));
  EXPECT_EQ(p.label, "spam");
  ASSERT_OK(model->Classify("the team meeting notes", &p));
  EXPECT_EQ(p.label, "ham");
}

TEST(LsiTest, OtherKindsHaveNoItemsAndLsiCannotUntrain) {
  ModelOptions options;
  std::shared_ptr<Model> bayes;
  ASSERT_OK(Model::Create("b", options, &bayes));
  std::vector<SearchHit> hits;
  EXPECT_CODE(bayes->AddItem("text"), kNotSupported);
  EXPECT_CODE(bayes->RemoveItem("1"), kNotSupported);
  EXPECT_CODE(bayes->BuildIndex(), kNotSupported);
  EXPECT_CODE(bayes->Search("text", 3, &hits), kNotSupported);
  EXPECT_CODE(bayes->FindRelated("1", 3, &hits), kNotSupported);
  IndexStatus status;
  EXPECT_CODE(bayes->GetIndexStatus(&status), kNotSupported);
  auto lsi = Indexed();
  EXPECT_CODE(lsi->Untrain("pets", "the cat sat on the mat with another cat"), kNotSupported);
  EXPECT_CODE(lsi->Search("", 0, &hits), kInvalidArgument);
}

TEST(LsiTest, OptionsAreValidated) {
  ModelOptions options;
  for (const char* bad :
       {R"({"rank": 0})", R"({"rank": 1001})", R"({"neighbors": 0})", R"({"min_similarity": 2})",
        R"({"rebuild_after": -1})", R"({"power_iterations": 11})", R"({"max_terms": 0})"}) {
    SCOPED_TRACE(bad);
    ASSERT_OK(ModelOptions::FromJson(bad, &options, "lsi"));
    EXPECT_CODE(options.Validate(), kInvalidArgument);
  }
  EXPECT_CODE(ModelOptions::FromJson(R"({"rank": 10})", &options, "bayes"), kInvalidArgument);
  ASSERT_OK(ModelOptions::FromJson(R"({"kind": "lsi", "rank": 12, "seed": 3})", &options));
  EXPECT_EQ(options.lsi.rank, 12);
  ModelOptions again;
  ASSERT_OK(ModelOptions::FromJson(options.ToJson(), &again));
  EXPECT_EQ(again, options);
}

TEST(LsiTest, TheSameItemsAndSeedGiveTheSameIndex) {
  auto a = Indexed(), b = Indexed();
  testing::ExpectSameRecords(*a, *b);
}

}  // namespace
}  // namespace classiflow
