// Symbol visibility for classiflow's C++ libraries. The libraries are built with hidden
// visibility; CLASSIFLOW_EXPORT marks the declarations that form the public C++ API.
#pragma once

#if defined(_WIN32)
#define CLASSIFLOW_EXPORT
#else
#define CLASSIFLOW_EXPORT __attribute__((visibility("default")))
#endif
