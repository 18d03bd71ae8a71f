// What opening a data directory costs, and how much of it is classiflow's directory checks
// (identity mark, canonical path, registry, lock) rather than RocksDB's own open.
//
//   build/bench/classiflow_bench_open [MODELS] [ROUNDS]      (defaults: 100 models, 30 rounds)
//
// Prints the median and 90th percentile, in ms, of: the checks alone (DataDir::Open and its
// release), RocksDB's DB::Open + Close of the same column families, a writer engine's open +
// close (checks, RocksDB, loading every model), and a reader engine's.
#include <rocksdb/db.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "classiflow/open.h"
#include "data_dir.h"
#include "memory_logger.h"

namespace {

using classiflow::Status;
using Clock = std::chrono::steady_clock;

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

void MakeDirectory(const std::string& dir, int models) {
  std::unique_ptr<classiflow::Engine> engine;
  Check(classiflow::OpenEngine(dir, {}, &engine), "open");
  for (int i = 0; i < models; ++i) {
    std::shared_ptr<classiflow::Model> model;
    Check(engine->CreateModel("model" + std::to_string(i), {}, &model), "create");
    Check(model->Train("a", "some words of model " + std::to_string(i)), "train");
    Check(model->Train("b", "other words " + std::to_string(i)), "train");
  }
  Check(engine->Close(), "close");
}

// Median and 90th percentile of `rounds` timings of `step`, in ms.
void Report(const char* what, int rounds, const std::function<void()>& step) {
  std::vector<double> ms;
  for (int r = 0; r < rounds; ++r) {
    const auto start = Clock::now();
    step();
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("| %-44s | %8.3f | %8.3f |\n", what, ms[ms.size() / 2], ms[ms.size() * 9 / 10]);
}

}  // namespace

int main(int argc, char** argv) {
  const int models = argc > 1 ? std::atoi(argv[1]) : 100;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 30;
  std::string tmpl = (std::filesystem::temp_directory_path() / "cf-open-bench-XXXXXX").string();
  const std::string dir = std::string(mkdtemp(tmpl.data())) + "/db";
  MakeDirectory(dir, models);
  std::printf("%d models in %s, %d rounds\n\n", models, dir.c_str(), rounds);
  std::printf("| %-44s | %8s | %8s |\n|---|---:|---:|\n", "open + close", "p50 ms", "p90 ms");
  Report("directory checks (mark, path, registry, lock)", rounds, [&] {
    std::unique_ptr<classiflow::DataDir> held;
    Check(classiflow::DataDir::Open(dir, classiflow::DataDir::Access::kWrite, &held), "checks");
  });
  Report("RocksDB DB::Open alone", rounds, [&] {
    rocksdb::DBOptions options;
    options.info_log = std::make_shared<classiflow::MemoryLogger>();  // no LOG file on disk
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {rocksdb::kDefaultColumnFamilyName.c_str(), "models", "meta"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    if (!rocksdb::DB::Open(options, dir, families, &handles, &db).ok()) std::exit(1);
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
    delete db;
  });
  Report("writer engine (checks + RocksDB + models)", rounds, [&] {
    std::unique_ptr<classiflow::Engine> engine;
    Check(classiflow::OpenEngine(dir, {}, &engine), "writer");
  });
  Report("reader engine (mode=read)", rounds, [&] {
    classiflow::EngineOptions read;
    read.mode = classiflow::EngineOptions::Mode::kRead;
    std::unique_ptr<classiflow::Engine> engine;
    Check(classiflow::OpenEngine(dir, read, &engine), "reader");
  });
  std::filesystem::remove_all(std::filesystem::path(dir).parent_path());
  return 0;
}
