#include "models/page_table.h"

#include <gtest/gtest.h>

#include <vector>

#include "models/bayes/snapshot.h"

namespace classiflow {
namespace {

std::vector<size_t> Changed(const CountPageTable& now, const CountPageTable* base) {
  std::vector<size_t> changed;
  now.ForEachChanged(base, [&](size_t p) { changed.push_back(p); });
  return changed;
}

TEST(PageTableTest, CopiesShareLeavesUntilWrittenAndDiffExactly) {
  CountPageTable v1(100);  // not a multiple of the leaf size on purpose
  auto a = std::make_shared<const CountPage>();
  auto b = std::make_shared<const CountPage>();
  v1.Set(3, a);
  v1.Set(99, a);
  EXPECT_EQ(Changed(v1, nullptr), (std::vector<size_t>{3, 99}));

  CountPageTable v2 = v1;  // the next version
  v2.Set(4, b);            // same leaf as page 3: the leaf is copied, v1 keeps its own
  v2.Set(3, nullptr);
  EXPECT_EQ(v1.get(3), a.get());
  EXPECT_EQ(v1.get(4), nullptr);
  EXPECT_EQ(v2.get(3), nullptr);
  EXPECT_EQ(v2.get(4), b.get());
  EXPECT_EQ(v2.get(99), a.get());
  EXPECT_EQ(Changed(v2, &v1), (std::vector<size_t>{3, 4}));
  EXPECT_TRUE(Changed(v1, &v1).empty());

  CountPageTable v3 = v2;
  v3.Set(50, b);
  v3.Set(51, b);  // the leaf copied for page 50 is now exclusive: written in place
  EXPECT_EQ(v2.get(50), nullptr);
  EXPECT_EQ(Changed(v3, &v2), (std::vector<size_t>{50, 51}));
  EXPECT_EQ(Changed(v3, &v1), (std::vector<size_t>{3, 4, 50, 51}));
}

TEST(PageTableTest, HugeSparseTablesCostWhatTheyHoldAndNeverWriteTheSentinels) {
  const size_t pages = (size_t{1} << 28) / kPageSize;  // hash_bits 28: 4 Mi pages
  CountPageTable empty(pages);
  CountPageTable v1 = empty;
  auto a = std::make_shared<CountPage>();
  a->BuildReadIndex();
  v1.Set(pages - 1, a);
  v1.Set(0, a);
  EXPECT_EQ(Changed(v1, nullptr), (std::vector<size_t>{0, pages - 1}));
  EXPECT_EQ(Changed(v1, &empty), (std::vector<size_t>{0, pages - 1}));
  EXPECT_EQ(v1.get(pages - 1), a.get());
  EXPECT_EQ(v1.view(pages - 1).rows, a->rows.data());
  // Every other table still reads empty pages: the shared empty nodes were copied, not written.
  EXPECT_EQ(empty.get(pages - 1), nullptr);
  EXPECT_EQ(empty.view(0).rows, nullptr);
  EXPECT_EQ(CountPageTable(pages).get(0), nullptr);
  EXPECT_EQ(v1.get(1), nullptr);
  EXPECT_EQ(v1.view(pages - 2).rows, nullptr);
  CountPageTable v2 = v1;
  v2.Set(pages - 1, nullptr);
  EXPECT_EQ(v2.view(pages - 1).rows, nullptr);
  EXPECT_EQ(v1.view(pages - 1).rows, a->rows.data());
  EXPECT_EQ(Changed(v2, &v1), (std::vector<size_t>{pages - 1}));
}

}  // namespace
}  // namespace classiflow
