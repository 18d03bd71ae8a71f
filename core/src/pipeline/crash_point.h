// Named crash points on the commit path, for the crash tests (tests/cpp/pipeline/crash_test.cpp).
//
// In builds with CLASSIFLOW_CRASH_POINTS defined (the default for a source build; packaged
// builds turn it off), CLASSIFLOW_CRASH_AT="<point>[:<n>]" in the environment makes the n-th
// (default first) pass through <point> abort the process. Points: after_accept, before_write,
// after_write, retry_write, dead_letter_write, before_callback.
#pragma once

namespace classiflow {

#ifdef CLASSIFLOW_CRASH_POINTS
void CrashPoint(const char* point);
#else
inline void CrashPoint(const char*) {}
#endif

}  // namespace classiflow
