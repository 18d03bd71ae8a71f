// PageTable: the page pointers of one model version, shared structurally between versions.
//
// Pointers sit in leaves of kLeafSize; a version copies the leaf vector (one pointer per
// kLeafSize pages) and, when it replaces a page, only that page's leaf. A training step on one
// document therefore touches a few hundred pointers instead of every page's (measured: the
// per-page reference counting dominated single-document training).
//
// Thread-safety: a published table is immutable. Set() is for the one thread building the next
// version, on a table no reader can see yet.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

namespace classiflow {

struct CountPage;

class PageTable {
 public:
  using PagePtr = std::shared_ptr<const CountPage>;

  explicit PageTable(size_t pages = 0) : leaves_((pages + kLeafSize - 1) / kLeafSize), size_(pages) {}

  size_t size() const { return size_; }
  const CountPage* get(size_t i) const {
    const Leaf* leaf = leaves_[i / kLeafSize].get();
    return leaf ? leaf->pages[i % kLeafSize].get() : nullptr;
  }

  // Replaces page i, copying its leaf first when another table shares it.
  void Set(size_t i, PagePtr page) {
    std::shared_ptr<Leaf>& leaf = leaves_[i / kLeafSize];
    // use_count() can only fall while we look (other versions die, none is created): a stale
    // count merely copies a leaf that was already exclusive.
    if (!leaf) {
      leaf = std::make_shared<Leaf>();
    } else if (leaf.use_count() > 1) {
      leaf = std::make_shared<Leaf>(*leaf);
    }
    leaf->pages[i % kLeafSize] = std::move(page);
  }

  // Calls visit(i) for every page that differs from `base` (all non-null pages when base is
  // null); leaves shared with `base` are skipped whole.
  template <class Visit>
  void ForEachChanged(const PageTable* base, Visit&& visit) const {
    for (size_t l = 0; l < leaves_.size(); ++l) {
      const Leaf* now = leaves_[l].get();
      const Leaf* before = base ? base->leaves_[l].get() : nullptr;
      if (now == before) continue;
      for (size_t k = 0; k < kLeafSize && l * kLeafSize + k < size_; ++k) {
        const CountPage* a = now ? now->pages[k].get() : nullptr;
        const CountPage* b = before ? before->pages[k].get() : nullptr;
        if (a != b) visit(l * kLeafSize + k);
      }
    }
  }

 private:
  static constexpr size_t kLeafSize = 16;
  struct Leaf {
    std::array<PagePtr, kLeafSize> pages;
  };

  std::vector<std::shared_ptr<Leaf>> leaves_;  // null = all its pages empty
  size_t size_;
};

}  // namespace classiflow
