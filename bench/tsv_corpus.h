// Reads the "label<TAB>text" files that bench/prepare_data.py writes.
#pragma once

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace classiflow::bench {

struct Corpus {
  std::vector<std::string> labels;
  std::vector<std::string> texts;

  std::vector<std::string_view> label_views() const { return {labels.begin(), labels.end()}; }
  std::vector<std::string_view> text_views() const { return {texts.begin(), texts.end()}; }
};

// Returns false when the file cannot be read.
inline bool ReadTsv(const std::string& path, Corpus* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    out->labels.push_back(line.substr(0, tab));
    out->texts.push_back(line.substr(tab + 1));
  }
  return true;
}

}  // namespace classiflow::bench
