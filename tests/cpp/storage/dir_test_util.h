// Helpers for data-directory tests: byte-for-byte pictures of a directory tree, a foreign
// RocksDB, and an engine with a trained model.
#pragma once

#include <rocksdb/db.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "classiflow/open.h"
#include "test_util.h"

namespace classiflow::testing {

// Every file under `root` (relative path -> contents); directories as "<path>/" -> "".
inline std::map<std::string, std::string> TreeOf(const std::string& root) {
  std::map<std::string, std::string> tree;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string rel = std::filesystem::relative(entry.path(), root).string();
    if (entry.is_directory()) {
      tree[rel + "/"] = "";
      continue;
    }
    std::ifstream file(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << file.rdbuf();
    tree[rel] = bytes.str();
  }
  return tree;
}

// A RocksDB made by "another application" with default options, holding one key.
inline void MakeForeignRocksDB(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, &db).ok());
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "their-key", "their-value").ok());
  delete db;
}

inline void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Opens `uri`, creates model "m" and commits `versions` training steps; closes.
inline void MakeTrainedDirectory(const std::string& uri, int versions) {
  std::unique_ptr<Engine> engine;
  ASSERT_OK(OpenEngine(uri, EngineOptions(), &engine));
  std::shared_ptr<Model> model;
  ASSERT_OK(engine->CreateModel("m", ModelOptions(), &model));
  for (int i = 0; i < versions; ++i) {
    ASSERT_OK(model->Train(i % 2 ? "spam" : "ham", "text number " + std::to_string(i) + " words"));
  }
  ASSERT_OK(engine->Close());
}

// The one file in `dir` whose name ends with `suffix` ("" when none).
inline std::string FileEndingWith(const std::string& dir, const std::string& suffix) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().string().ends_with(suffix)) return entry.path().string();
  }
  return "";
}

inline uint64_t VersionOf(Engine& engine, const std::string& model_name) {
  std::shared_ptr<Model> model;
  EXPECT_TRUE(engine.GetModel(model_name, &model).ok());
  return model ? model->version() : 0;
}

}  // namespace classiflow::testing
