// Latent semantic indexing: items (texts with an id and an optional label) in a concept space,
// for "find related", search and classification by meaning.
//
// A model of kind "lsi" keeps its items' term counts. build_index() weights them by TF-IDF
// (sub-linear term frequency, smoothed IDF, each item of unit length) and takes a truncated SVD
// of the term × item matrix (a randomized SVD with power iterations, exact when the rank
// reaches the matrix's); each item is then its unit-length projection on the top `rank` left
// singular vectors, and two items are as related as the cosine of their projections.
//
// Items added after a build are projected on the index that exists ("folded in"), so they are
// searchable at once; once the items changed by `rebuild_after` of the indexed count, a new index
// is built on a background thread while readers keep using the last one. Classification is a
// vote of the `neighbors` most similar labelled items, each weighted by its similarity.
#pragma once

#include <cstdint>
#include <string>

#include "classiflow/export.h"
#include "classiflow/status.h"

namespace classiflow {

struct CLASSIFLOW_EXPORT LsiOptions {
  // Dimensions of the concept space. REQUIRES: 1..1000. Default: 100.
  int rank = 100;
  // Terms (hashed features) the index keeps: the ones in the most items. Terms outside the index
  // are ignored by searches and projections. REQUIRES: 1..2^24. Default: 65536.
  uint32_t max_terms = 65536;
  // Labelled items that vote when classifying. REQUIRES: 1..1000. Default: 10.
  int neighbors = 10;
  // Items whose similarity (cosine) is not above this neither vote nor show in find_related /
  // search. The default leaves out unrelated items, whose cosine is zero up to float noise.
  // REQUIRES: -1..1. Default: 0.01.
  double min_similarity = 0.01;
  // An automatic rebuild starts (in the background) once the items added or removed since the
  // last build reach this share of the items it indexed. 0 = only build_index() builds.
  // The first index of a model is built with the training call that brings its first items.
  // REQUIRES: 0..100. Default: 0.25.
  double rebuild_after = 0.25;
  // Power iterations of the randomized SVD: more is closer to the exact SVD and slower.
  // REQUIRES: 0..10. Default: 2.
  int power_iterations = 2;
  // Seeds the randomized SVD: the same items and seed give the same index. Default: 42.
  uint64_t seed = 42;

  Status Validate() const;
  bool operator==(const LsiOptions&) const = default;
};

// One item found by Model::Search / FindRelated.
struct SearchHit {
  std::string id;
  double score = 0;   // cosine similarity in the concept space, -1..1
  std::string label;  // the item's label; empty for an item added without one
};

// The state of an LSI model's index (Model::GetIndexStatus).
struct IndexStatus {
  uint64_t items = 0;          // items in the model
  uint64_t indexed_items = 0;  // items the current index was built on
  uint64_t changes = 0;        // items added or removed since that build (folded in)
  uint32_t rank = 0;           // dimensions of the current index (0: no index yet)
  uint32_t terms = 0;          // terms in the current index
  bool rebuilding = false;     // a background rebuild is under way
};

}  // namespace classiflow
