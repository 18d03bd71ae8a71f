// An exception in a oneTBB worker thread must reach the caller as a Status (the mechanism every
// batch call of Model relies on).
#include "util/guarded.h"

#include <gtest/gtest.h>
#include <tbb/parallel_for.h>

#include <stdexcept>

namespace classiflow {
namespace {

TEST(GuardedTest, WorkerExceptionsBecomeInternalStatus) {
  Status s = Guarded([] {
    tbb::parallel_for(size_t{0}, size_t{10000}, [](size_t i) {
      if (i == 7777) throw std::runtime_error("worker failed on item 7777");
    });
    return Status::OK();
  });
  EXPECT_EQ(s.code(), Status::Code::kInternal);
  EXPECT_EQ(s.message(), "worker failed on item 7777");
  s = Guarded([]() -> Status { throw std::bad_alloc(); });
  EXPECT_EQ(s.ToString(), "Internal: out of memory");
  s = Guarded([]() -> Status { throw 42; });
  EXPECT_EQ(s.code(), Status::Code::kInternal);
  EXPECT_TRUE(Guarded([] { return Status::OK(); }).ok());
}

}  // namespace
}  // namespace classiflow
