// Model's item verbs (kinds with items: lsi) and the index rebuild that runs beside training.
//
// A rebuild has two halves: the index is built from one version's items with no lock held
// (readers and writers go on), then, under the training lock, the versions committed meanwhile
// are rebased on it (their new items folded in, their removals applied) and published.
#include <chrono>

#include "classiflow/model.h"
#include "models/kinds.h"
#include "models/trainable_snapshot.h"
#include "util/guarded.h"

namespace classiflow {

Status Model::CheckItems() const {
  CF_RETURN_IF_ERROR(status());
  if (!kind_->can.items) {
    return Status::NotSupported("model '" + name_ + "' is of kind '" + options_.kind +
                                "', which keeps no items (kind 'lsi' does)");
  }
  return Status::OK();
}

Status Model::AddItem(std::string_view text, std::optional<std::string_view> label,
                      std::string_view id, std::string* assigned_id) {
  const ItemInput item{text, label, id};
  std::vector<std::string> ids;
  CF_RETURN_IF_ERROR(AddItems({&item, 1}, &ids));
  if (assigned_id != nullptr && !ids.empty()) *assigned_id = std::move(ids.front());
  return Status::OK();
}

Status Model::AddItems(std::span<const ItemInput> items, std::vector<std::string>* ids) {
  CF_RETURN_IF_ERROR(CheckItems());
  std::vector<std::string_view> texts(items.size()), labels(items.size()), given(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].label && items[i].label->empty()) {
      // An empty label would mean "none" below: refuse it as Train does.
      Status s = ValidateLabel(*items[i].label);
      return items.size() == 1 ? s : s.WithContext("items[" + std::to_string(i) + "]");
    }
    texts[i] = items[i].text;
    labels[i] = items[i].label.value_or(std::string_view());
    given[i] = items[i].id;
  }
  std::vector<std::string> assigned;
  Status s;
  RunBatch([&] {
    s = Guarded([&] { return Commit(labels, texts, Step::kAddItems, nullptr, given, &assigned); });
  });
  if (s.ok() && ids != nullptr) *ids = std::move(assigned);
  return s;
}

Status Model::RemoveItems(std::span<const std::string_view> ids) {
  CF_RETURN_IF_ERROR(CheckItems());
  if (ids.empty()) return Status::OK();
  return Guarded([&] {
    std::lock_guard<std::mutex> lock(train_mu_);
    CF_RETURN_IF_ERROR(status());
    const std::shared_ptr<const TrainableSnapshot> base = current_.load();
    CF_RETURN_IF_ERROR(CheckVersionRoom(*base));
    std::shared_ptr<const TrainableSnapshot> next;
    CF_RETURN_IF_ERROR(base->RemoveItems({ids.begin(), ids.end()}, base->version() + 1, &next));
    return Publish(base, std::move(next));
  });
}

Status Model::BuildIndex() {
  CF_RETURN_IF_ERROR(CheckItems());
  Status s;
  RunBatch([&] { s = Guarded([&] { return RebuildIndex(); }); });
  return s;
}

Status Model::RebuildIndex() {
  const std::shared_ptr<const TrainableSnapshot> from = current_.load();
  const IndexStatus before = from->index_status();
  if (before.rank > 0 && before.changes == 0) return Status::OK();  // the index is current
  std::shared_ptr<const TrainableSnapshot> built;
  CF_RETURN_IF_ERROR(from->Rebuild(stop_rebuild_, &built));
  std::lock_guard<std::mutex> lock(train_mu_);
  CF_RETURN_IF_ERROR(status());
  const std::shared_ptr<const TrainableSnapshot> base = current_.load();
  CF_RETURN_IF_ERROR(CheckVersionRoom(*base));
  std::shared_ptr<const TrainableSnapshot> next;
  CF_RETURN_IF_ERROR(base->Rebase(*built, base->version() + 1, &next));
  if (!next) return Status::OK();  // a build at least as recent was published meanwhile
  return Publish(base, std::move(next));
}

void Model::StartRebuild() {
  if (rebuilding_.load() || !status().ok()) return;
  if (rebuild_thread_.joinable()) rebuild_thread_.join();  // the last one, finished
  rebuilding_.store(true);
  rebuild_thread_ = std::thread([this] {
    // A failed background rebuild changes nothing; the next change past the threshold retries.
    RunBatch([this] { (void)Guarded([this] { return RebuildIndex(); }); });
    rebuilding_.store(false);
  });
}

void Model::WaitForRebuild() {
  while (rebuilding_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

Status Model::GetIndexStatus(IndexStatus* out) const {
  CF_RETURN_IF_ERROR(CheckItems());
  *out = current_.load()->index_status();
  out->rebuilding = rebuilding_.load();
  return Status::OK();
}

Status Model::Search(std::string_view query, size_t n, std::vector<SearchHit>* out) const {
  CF_RETURN_IF_ERROR(CheckItems());
  if (n == 0) return Status::InvalidArgument("n must be at least 1");
  CF_RETURN_IF_ERROR(CheckText(query));
  return Guarded([&] {
    std::vector<uint32_t> features;
    analyzer_.Analyze(query, &features);
    return current_.load()->Search(features.data(), features.size(), n, out);
  });
}

Status Model::FindRelated(std::string_view id, size_t n, std::vector<SearchHit>* out) const {
  CF_RETURN_IF_ERROR(CheckItems());
  if (n == 0) return Status::InvalidArgument("n must be at least 1");
  return Guarded([&] { return current_.load()->FindRelated(id, n, out); });
}

}  // namespace classiflow
