// PageTable: the page pointers of one model version, shared structurally between versions.
//
// Generic over a kind's page type and the raw view of a page that scoring reads: `View
// ViewOf(const Page&)` must be declared beside Page (found by argument-dependent lookup), and a
// default-constructed View means "empty page". Bayes keeps count pages in it, the linear model
// weight pages.
//
// A top vector of blocks of kPagesPerBlock pages. A block holds the raw PageView of each of its
// pages, which is what scoring reads (measured: the hot loop is bound by cache misses on rows),
// and the page pointers in leaves of kLeafSize. Memory follows the pages that exist, not the
// feature space: an empty 2^28-feature model is a top vector of 4096 pointers to one shared
// empty block (the flat tables before cost 241 MiB for it). A version copies the top vector
// and, when it replaces a page, that page's block (views and leaf pointers) and leaf, so a
// training step never copies per-page reference counts of pages it does not touch (measured:
// per-page reference counting dominated single-document training).
//
// Empty blocks and leaves are shared static sentinels, so a reader reaches a view in two loads
// with no branch (measured: a third level of leaves for the views cost ~5 % of classify_batch).
//
// Thread-safety: a published table is immutable. Set() is for the one thread building the next
// version, on a table no reader can see yet.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

namespace classiflow {

template <class Page, class View>
class PageTable {
  struct Block;

 public:
  using PagePtr = std::shared_ptr<const Page>;

  explicit PageTable(size_t pages = 0)
      : top_((pages + kPagesPerBlock - 1) / kPagesPerBlock, EmptyBlock()), size_(pages) {}

  size_t size() const { return size_; }
  // REQUIRES: i < size().
  const Page* get(size_t i) const { return LeafOf(i).pages[i % kLeafSize].get(); }
  // All-null view for an empty page. REQUIRES: i < size().
  const View& view(size_t i) const { return top_[i / kPagesPerBlock]->views[i % kPagesPerBlock]; }

  // Read access for a hot loop: a copy of the top vector's address, which the compiler keeps in
  // a register (reading through `this` reloaded it at every feature, beside the loop's stores).
  class Reader {
   public:
    // REQUIRES: i < size() of the table, which outlives the reader.
    const View& view(size_t i) const { return top_[i / kPagesPerBlock]->views[i % kPagesPerBlock]; }

   private:
    friend class PageTable;
    explicit Reader(const std::shared_ptr<Block>* top) : top_(top) {}
    const std::shared_ptr<Block>* top_;
  };
  Reader reader() const { return Reader(top_.data()); }

  // Replaces page i, copying its block and leaf first when another table shares them.
  void Set(size_t i, PagePtr page) {
    std::shared_ptr<Block>& block = top_[i / kPagesPerBlock];
    // use_count() is 0 for the sentinels (no owner) and can only fall while we look (other
    // versions die, none is created): a stale count merely copies a node that was exclusive.
    if (block.use_count() != 1) block = std::make_shared<Block>(*block);
    std::shared_ptr<Leaf>& leaf = block->leaves[(i / kLeafSize) % kBlockSize];
    if (leaf.use_count() != 1) leaf = std::make_shared<Leaf>(*leaf);
    block->views[i % kPagesPerBlock] = page ? ViewOf(*page) : View{};
    leaf->pages[i % kLeafSize] = std::move(page);
  }

  // Calls visit(i) for every page that differs from `base` (all non-null pages when base is
  // null); blocks and leaves shared with `base` are skipped whole.
  template <class Visit>
  void ForEachChanged(const PageTable* base, Visit&& visit) const {
    for (size_t b = 0; b < top_.size(); ++b) {
      const Block* now = top_[b].get();
      const Block* before = base ? base->top_[b].get() : EmptyBlock().get();
      if (now == before) continue;
      for (size_t l = 0; l < kBlockSize; ++l) {
        const Leaf* leaf_now = now->leaves[l].get();
        const Leaf* leaf_before = before->leaves[l].get();
        if (leaf_now == leaf_before) continue;
        const size_t first = (b * kBlockSize + l) * kLeafSize;
        for (size_t k = 0; k < kLeafSize && first + k < size_; ++k) {
          if (leaf_now->pages[k] != leaf_before->pages[k]) visit(first + k);
        }
      }
    }
  }

 private:
  static constexpr size_t kLeafSize = 16;
  static constexpr size_t kBlockSize = 64;
  static constexpr size_t kPagesPerBlock = kLeafSize * kBlockSize;
  struct Leaf {
    std::array<PagePtr, kLeafSize> pages;
  };
  struct Block {
    std::array<View, kPagesPerBlock> views{};
    std::array<std::shared_ptr<Leaf>, kBlockSize> leaves;
  };

  // Sentinels: shared_ptrs that alias a static with no owner, so copying them counts nothing.
  static const std::shared_ptr<Leaf>& EmptyLeaf() {
    static Leaf leaf;
    static const std::shared_ptr<Leaf> ptr(std::shared_ptr<Leaf>(), &leaf);
    return ptr;
  }
  static const std::shared_ptr<Block>& EmptyBlock() {
    static Block block = [] {
      Block b;
      b.leaves.fill(EmptyLeaf());
      return b;
    }();
    static const std::shared_ptr<Block> ptr(std::shared_ptr<Block>(), &block);
    return ptr;
  }

  const Leaf& LeafOf(size_t i) const {
    return *top_[i / kPagesPerBlock]->leaves[(i / kLeafSize) % kBlockSize];
  }

  std::vector<std::shared_ptr<Block>> top_;  // EmptyBlock() = all its pages empty
  size_t size_;
};

}  // namespace classiflow
