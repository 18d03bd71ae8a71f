// PerThread<T>(): the calling thread's own T, for scratch buffers reused across calls.
//
// Hot code reads thread-locals through this rather than naming a `thread_local` itself: in a
// shared object (the Python module, libclassiflow.so) the compiler rematerialises a
// thread-local's address with a call to __tls_get_addr after every call in a loop, where a
// reference returned by a function it cannot inline stays in a register (measured: 585 such
// calls per classified text, 6.5 % of the Python module's classify_batch).
//
// T must be a type of its own user (a struct in that file's anonymous namespace or a private
// nested type), so that two users never share, and so never clobber, one instance.
#pragma once

namespace classiflow {

template <class T>
[[gnu::noinline]] T& PerThread() {
  thread_local T value;
  return value;
}

}  // namespace classiflow
