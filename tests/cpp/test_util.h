// Small helpers shared by the C++ tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "classiflow/status.h"

#define ASSERT_OK(expr)                                       \
  do {                                                        \
    ::classiflow::Status s_ = (expr);                         \
    ASSERT_TRUE(s_.ok()) << #expr << " -> " << s_.ToString(); \
  } while (0)

#define EXPECT_OK(expr)                                       \
  do {                                                        \
    ::classiflow::Status s_ = (expr);                         \
    EXPECT_TRUE(s_.ok()) << #expr << " -> " << s_.ToString(); \
  } while (0)

#define EXPECT_CODE(expr, code_name)                                              \
  do {                                                                            \
    ::classiflow::Status s_ = (expr);                                             \
    EXPECT_EQ(s_.code(), ::classiflow::Status::Code::code_name) << s_.ToString(); \
    EXPECT_FALSE(s_.message().empty());                                           \
  } while (0)

namespace classiflow::testing {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cf-test-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace classiflow::testing
