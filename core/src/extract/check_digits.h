// Check digits of product and book codes: the built-in checks a pipeline's validate stage runs
// on what an extract stage found ("extract" finds candidates, "validate" checks them).
//
// Every function is a pure function of its arguments and safe to call from any thread.
// Separators ' ' and '-' are ignored wherever they appear ("978-0-306-40615-7" and
// "4 006381 333931" are checked as their digits); any other character that is not a digit (or an
// ISBN-10's final X) makes a code invalid, as does an empty code.
#pragma once

#include <string_view>

namespace classiflow {

// True when `code` holds 8, 12, 13 or 14 digits (GTIN-8 / EAN-8, GTIN-12 / UPC-A,
// GTIN-13 / EAN-13, GTIN-14) and its last digit is the GS1 mod-10 check digit of the others.
bool IsValidGtin(std::string_view code);

// True for a valid ISBN-10 (ten characters, weights 10..1, sum divisible by 11; the last one may
// be 'X' or 'x' for 10) or ISBN-13 (a GTIN-13 that starts with 978 or 979).
bool IsValidIsbn(std::string_view code);

// Looks up the built-in check a validate stage names: "gtin" (also "ean" and "upc", the same
// check) or "isbn". Names are exact and lower case. On success stores the check in *check (when
// `check` is not null) and returns true; returns false, leaving *check alone, for any other name.
bool FindCheck(std::string_view name, bool (**check)(std::string_view));

}  // namespace classiflow
