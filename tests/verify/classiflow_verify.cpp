// classiflow_verify: checks a pipeline's data directory (classiflow/verify.h).
//
//   classiflow_verify DIR PIPELINE [--accepted FILE] [--idle]
//
// FILE lists ids acknowledged to callers, one per line (a last line without a newline, cut
// by a crash, is ignored). --idle: the pipeline was flushed, nothing may wait in its queue.
// Exit status: 0 every check held, 1 a check failed, 2 the directory could not be read.
// Open it after the writer has ended (or while it runs: the store is opened for reading).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "classiflow/open.h"
#include "classiflow/verify.h"

namespace {

int Usage() {
  std::cerr << "usage: classiflow_verify DIR PIPELINE [--accepted FILE] [--idle]\n";
  return 2;
}

bool ReadIds(const std::string& path, std::vector<std::string>* ids) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t start = 0;
  for (size_t nl; (nl = content.find('\n', start)) != std::string::npos; start = nl + 1) {
    if (nl > start) ids->push_back(content.substr(start, nl - start));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Usage();
  classiflow::VerifyOptions options;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--idle") {
      options.expect_idle = true;
    } else if (arg == "--accepted" && i + 1 < argc) {
      if (!ReadIds(argv[++i], &options.accepted)) {
        std::cerr << "cannot read " << argv[i] << "\n";
        return 2;
      }
    } else {
      return Usage();
    }
  }
  classiflow::StoreOptions store_options;
  store_options.read_only = true;
  std::unique_ptr<classiflow::Store> store;
  classiflow::Status s = classiflow::OpenStore(argv[1], store_options, &store);
  if (s.ok()) {
    bool changed = false;
    s = store->CatchUp(&changed);
  }
  classiflow::VerifyReport report;
  if (s.ok()) s = classiflow::VerifyPipeline(*store, argv[2], options, &report);
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 2;
  }
  std::cout << report.ToString();
  return report.ok() ? 0 : 1;
}
