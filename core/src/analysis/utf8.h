// UTF-8 decoding and the character classes the tokenizer needs. No locale, no ICU: the rules
// are small and fixed so that a model analyses text identically on every machine.
#pragma once

#include <cstddef>
#include <cstdint>

namespace classiflow::utf8 {

// Decodes the code point starting at s[0] (a non-ASCII lead byte). Returns its length in bytes,
// or 0 when the bytes are not valid UTF-8 (bad lead, missing continuation, overlong form,
// surrogate, > U+10FFFF, or cut off by `avail`).
size_t Decode(const unsigned char* s, size_t avail, uint32_t* code_point);

// True when s[0..n) is valid UTF-8 (Decode's rules). ASCII is checked 8 bytes at a time.
bool IsValid(const char* s, size_t n);

// True for code points that belong inside words: letters, marks and digits of any script.
// Punctuation, symbols, spaces, arrows, box drawing, emoji and private-use characters are
// separators. Only meaningful for code points >= 0x80.
bool IsWordCodePoint(uint32_t code_point);

// Simple lowercase mapping for Latin-1, Latin Extended-A, Greek and Cyrillic capitals; other
// code points are returned unchanged.
uint32_t ToLower(uint32_t code_point);

// Writes the UTF-8 encoding of `code_point` (1..4 bytes) at `out`; returns the end.
char* Write(uint32_t code_point, char* out);

}  // namespace classiflow::utf8
