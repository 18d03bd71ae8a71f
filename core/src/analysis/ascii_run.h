// Copying a run of ASCII letters and digits, lowercased, 16 bytes at a time with SSE2 (every
// x86-64 CPU has it); a scalar loop elsewhere. Words are short, so most runs end inside the
// first block: one compare-and-mask replaces a byte loop whose exit the CPU mispredicts.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace classiflow {

// Copies the run of [A-Za-z0-9] starting at text[j] (which must be one) to `out`, lowercased
// when `lowercase`. Returns the index just past the run; *out advances past the copy.
// REQUIRES: `out` has room for the run plus 16 bytes of slack.
template <class ScalarIsAlnum, class ScalarLower>
inline size_t CopyAsciiRun(const unsigned char* text, size_t n, size_t j, bool lowercase,
                           char** out, ScalarIsAlnum is_alnum, ScalarLower lower) {
  char* w = *out;
#if defined(__SSE2__)
  // Signed byte compares: bytes >= 0x80 are negative and fall outside every range below.
  auto in_range = [](__m128i v, char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  while (j + 16 <= n) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + j));
    const __m128i upper = in_range(v, 'A', 'Z');
    const __m128i alnum =
        _mm_or_si128(_mm_or_si128(upper, in_range(v, 'a', 'z')), in_range(v, '0', '9'));
    const __m128i lowered =
        lowercase ? _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(0x20))) : v;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(w), lowered);  // bytes past the run are slack
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(alnum));
    if (mask != 0xFFFF) {
      const unsigned len = static_cast<unsigned>(__builtin_ctz(~mask));
      *out = w + len;
      return j + len;
    }
    w += 16;
    j += 16;
  }
#endif
  while (j < n && is_alnum(text[j]))
    *w++ = lowercase ? lower(text[j++]) : static_cast<char>(text[j++]);
  *out = w;
  return j;
}

}  // namespace classiflow
