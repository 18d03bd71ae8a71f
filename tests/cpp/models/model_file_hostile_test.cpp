// Model files crafted by a hostile hand, with every checksum valid: each must be refused with
// Corruption (or, where documented, load), never crash, read out of bounds or allocate by a
// count it was told instead of the bytes it holds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>

#include "classiflow/model.h"
#include "models/crafted_file.h"
#include "test_util.h"

namespace classiflow {
namespace {

using testing::CraftedModel;
using testing::CraftedPage;
using testing::TempDir;

Status LoadBytes(const std::string& bytes, std::shared_ptr<Model>* out) {
  TempDir dir;
  const std::string path = dir.Sub("m.cfm");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return Model::Load(path, out);
}

Status LoadCrafted(const CraftedModel& crafted, std::shared_ptr<Model>* out = nullptr) {
  std::shared_ptr<Model> model;
  return LoadBytes(crafted.File(), out ? out : &model);
}

// Corruption, with a message short enough to log (no 1 MB name or label quoted back).
#define EXPECT_CORRUPT(crafted)                                          \
  do {                                                                   \
    const Status s_ = LoadCrafted(crafted);                              \
    EXPECT_EQ(s_.code(), Status::Code::kCorruption) << s_.ToString();    \
    EXPECT_LT(s_.message().size(), 600u) << s_.message().substr(0, 600); \
  } while (0)

TEST(ModelFileHostileTest, TheDefaultCraftedFileLoads) {
  // The baseline every other test changes one field of: it must load, or they prove nothing.
  std::shared_ptr<Model> model;
  ASSERT_OK(LoadCrafted(CraftedModel(), &model));
  EXPECT_EQ(model->labels(), (std::vector<std::string>{"a", "b"}));
  ASSERT_OK(Model::FromRecords("crafted", CraftedModel().RecordMap(), &model));
}

TEST(ModelFileHostileTest, AnUnknownKindIsCorruptAndNamesTheKnownOnes) {
  CraftedModel crafted;
  crafted.kind = "svm";
  const Status s = LoadCrafted(crafted);
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("'svm'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("known: bayes"), std::string::npos) << s.message();
  ModelOptions options;  // the same table answers at creation
  options.kind = "svm";
  std::shared_ptr<Model> model;
  const Status created = Model::Create("m", options, &model);
  EXPECT_EQ(created.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(created.message().find("known: bayes"), std::string::npos) << created.message();
}

TEST(ModelFileHostileTest, LabelsOverTheCapAreCorrupt) {
  CraftedModel crafted;
  crafted.labels.clear();
  for (size_t i = 0; i <= kMaxBayesLabels; ++i)
    crafted.labels.push_back(std::to_string(i).append("l"));
  crafted.pages = {{0, CraftedPage::OneRow(0, {{65535, 1}})}};  // label 65535 would wrap to 0
  EXPECT_CORRUPT(crafted);
  crafted.labels.pop_back();  // exactly the cap: loads
  crafted.pages = {{0, CraftedPage::OneRow(0, {{65534, 1}})}};
  std::shared_ptr<Model> model;
  ASSERT_OK(LoadCrafted(crafted, &model));
  EXPECT_EQ(model->labels().size(), kMaxBayesLabels);
}

TEST(ModelFileHostileTest, BadLabelsAreCorrupt) {
  for (const std::string& bad :
       {std::string("\xff"), std::string("a\xc0\xaf"), std::string("a\xc2\x85"),  // bad UTF-8, NEL
        std::string("a\xe2\x80\xae"), std::string("a\xe2\x80\xa8"),               // U+202E, U+2028
        std::string("\xef\xbb\xbf"
                    "a"),
        std::string("a\nb"), std::string(""),  // BOM, LF, empty
        std::string(300, 'x')}) {
    CraftedModel crafted;
    crafted.labels = {"a", bad};
    EXPECT_CORRUPT(crafted);
  }
  CraftedModel duplicate;
  duplicate.labels = {"a", "b", "a"};
  EXPECT_CORRUPT(duplicate);
}

TEST(ModelFileHostileTest, BadNamesAreCorrupt) {
  for (const std::string& name : {std::string("../../etc/passwd"), std::string(1 << 20, 'n'),
                                  std::string(""), std::string(".hidden"), std::string("a/b")}) {
    CraftedModel crafted;
    crafted.name = name;
    EXPECT_CORRUPT(crafted);
  }
  std::shared_ptr<Model> model;
  EXPECT_CODE(Model::FromRecords("../x", CraftedModel().RecordMap(), &model), kCorruption);
}

TEST(ModelFileHostileTest, HugeKindIsQuotedShort) {
  CraftedModel crafted;
  crafted.kind = std::string(1 << 20, 'k');
  EXPECT_CORRUPT(crafted);
}

TEST(ModelFileHostileTest, LastVersionLoadsButNeverWraps) {
  CraftedModel crafted;
  crafted.version = std::numeric_limits<uint64_t>::max() - 1;
  std::shared_ptr<Model> model;
  ASSERT_OK(LoadCrafted(crafted, &model));
  ASSERT_OK(model->Train("a", "one more"));  // reaches 2^64-1
  EXPECT_EQ(model->version(), std::numeric_limits<uint64_t>::max());
  EXPECT_CODE(model->Train("a", "and another"), kInvalidArgument);
  EXPECT_EQ(model->version(), std::numeric_limits<uint64_t>::max());
  Prediction p;
  ASSERT_OK(model->Classify("one more", &p));  // still serves
  EXPECT_EQ(p.label, "a");
}

TEST(ModelFileHostileTest, OptionsLabelsMustAgreeWithTheHeader) {
  CraftedModel crafted;
  crafted.options_json = R"({"ngrams":1,"hash_bits":10,"labels":["a","c"]})";
  EXPECT_CORRUPT(crafted);
  crafted.options_json = R"({"ngrams":1,"hash_bits":10,"labels":["b","a"]})";  // order matters
  EXPECT_CORRUPT(crafted);
  crafted.options_json = R"({"ngrams":1,"hash_bits":10,"labels":["a","b"]})";
  ASSERT_OK(LoadCrafted(crafted));
}

TEST(ModelFileHostileTest, BadOptionsAreCorrupt) {
  for (const std::string& json :
       {std::string(R"({"ngrams":1,"hash_bits":4294967306})"), std::string(R"({"alpha":1e308})"),
        std::string(R"({"alpha":NaN})"), std::string(R"({"labels":["a","a"]})"),
        "{\"labels\":" + std::string(100000, '[') + std::string(100000, ']') + "}"}) {
    CraftedModel crafted;
    crafted.options_json = json;
    EXPECT_CORRUPT(crafted);
  }
}

TEST(ModelFileHostileTest, PageOffsetsAreCheckedBeforeEntriesAreRead) {
  CraftedModel crafted;
  CraftedPage page = CraftedPage::OneRow(3, {{0, 1}});
  page.offsets[1] = 100000;  // row 0 would reach far past the one entry
  crafted.pages = {{0, page}};
  EXPECT_CORRUPT(crafted);

  page = CraftedPage::OneRow(3, {{0, 1}, {1, 1}});
  page.offsets[5] = 0;  // not monotone: row 4 would run backwards
  crafted.pages = {{0, page}};
  EXPECT_CORRUPT(crafted);

  page = CraftedPage::OneRow(3, {{0, 1}});
  page.offsets[kPageSize] = 7;  // end disagrees with the entry count
  crafted.pages = {{0, page}};
  EXPECT_CORRUPT(crafted);
}

TEST(ModelFileHostileTest, PageEntriesAreChecked) {
  for (const auto& entries : std::vector<std::vector<std::pair<uint32_t, uint32_t>>>{
           {{2, 1}},             // label out of range (two labels)
           {{0xFFFFFFFF, 1}},    // far out of range
           {{0, 0}},             // zero count
           {{1, 1}, {0, 1}},     // labels not increasing within the row
           {{1, 1}, {1, 1}}}) {  // repeated label within the row
    CraftedModel crafted;
    crafted.pages = {{0, CraftedPage::OneRow(3, entries)}};
    EXPECT_CORRUPT(crafted);
  }
  CraftedModel out_of_range;
  out_of_range.pages = {{16, CraftedPage::OneRow(3, {{0, 1}})}};  // hash_bits 10: 16 pages
  EXPECT_CORRUPT(out_of_range);
}

TEST(ModelFileHostileTest, HugeCountsAllocateNothing) {
  const auto start = std::chrono::steady_clock::now();
  CraftedModel records;
  records.record_count_override = 0xFFFFFFFF;
  EXPECT_CORRUPT(records);
  CraftedModel labels;
  labels.label_count_override = 0xFFFFFFFF;
  EXPECT_CORRUPT(labels);
  CraftedModel labels_under_cap;  // under the cap but more than the record holds
  labels_under_cap.label_count_override = 60000;
  EXPECT_CORRUPT(labels_under_cap);
  CraftedModel entries;
  CraftedPage page = CraftedPage::OneRow(3, {{0, 1}});
  page.count_override = 0xFFFFFFFF;
  page.offsets[kPageSize] = 0xFFFFFFFF;
  for (uint32_t r = 4; r < kPageSize; ++r) page.offsets[r] = 0xFFFFFFFF;
  entries.pages = {{0, page}};
  EXPECT_CORRUPT(entries);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(ModelFileHostileTest, DuplicateRecordsAreCorrupt) {
  CraftedModel crafted;
  crafted.extra_records.emplace_back("h", SealRecord(crafted.Header()));
  EXPECT_CORRUPT(crafted);
}

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t total = 0, resident = 0;
  statm >> total >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// 2^28 features are 4 Mi pages: loading a file that touches one of them, or creating an empty
// model, must cost memory for what is there, not for the feature space (241 MiB before).
TEST(ModelFileHostileTest, MemoryFollowsContentNotHashBits) {
  CraftedModel crafted;
  crafted.options_json = R"({"ngrams":1,"hash_bits":28})";
  crafted.hash_bits = 28;
  crafted.pages = {{(size_t{1} << 28) / kPageSize - 1, CraftedPage::OneRow(63, {{1, 3}})}};
  const std::string bytes = crafted.File();
  const size_t before = ResidentBytes();
  std::shared_ptr<Model> loaded, empty;
  ASSERT_OK(LoadBytes(bytes, &loaded));
  ModelOptions options;
  options.analyzer.hash_bits = 28;
  ASSERT_OK(Model::Create("empty", options, &empty));
  ASSERT_OK(empty->Train("x", "a few words to train"));
  ASSERT_OK(loaded->Train("a", "a few words to train"));
  const size_t grown = ResidentBytes() - std::min(before, ResidentBytes());
  EXPECT_LT(grown, size_t{16} << 20) << "resident memory grew by " << (grown >> 20) << " MiB";
  Prediction p;
  ASSERT_OK(loaded->Classify("a few words", &p));
  EXPECT_EQ(p.label, "a");
}

}  // namespace
}  // namespace classiflow
