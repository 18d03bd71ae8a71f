// The validate stage's built-in checks. Check digits below are worked out by hand so that a
// wrong weight order or modulus shows up as a wrong expectation, not as a copied constant.
#include "extract/check_digits.h"

#include <gtest/gtest.h>

#include <string>

namespace classiflow {
namespace {

// EAN-13 4006381333931: weights 1,3,1,3,... from the left for the first 12 digits:
// 4 + 0 + 0 + 18 + 3 + 24 + 1 + 9 + 3 + 9 + 9 + 9 = 89, check digit (10 - 9) % 10 = 1.
TEST(GtinCheckDigitTest, Gtin13) {
  EXPECT_TRUE(IsValidGtin("4006381333931"));
  EXPECT_FALSE(IsValidGtin("4006381333932"));
  EXPECT_FALSE(IsValidGtin("4006381333930"));
  // A transposition of adjacent digits with a difference other than 5 is caught.
  EXPECT_FALSE(IsValidGtin("4006381339331"));
}

// UPC-A 036000291452: weights 3,1,3,... from the left for the first 11 digits:
// 0 + 3 + 18 + 0 + 0 + 0 + 6 + 9 + 3 + 4 + 15 = 58, check digit 2.
TEST(GtinCheckDigitTest, Gtin12UpcA) {
  EXPECT_TRUE(IsValidGtin("036000291452"));
  EXPECT_FALSE(IsValidGtin("036000291453"));
  // The same code as a GTIN-13 with a leading zero keeps its check digit.
  EXPECT_TRUE(IsValidGtin("0036000291452"));
}

// EAN-8 96385074: 27 + 6 + 9 + 8 + 15 + 0 + 21 = 86, check digit 4.
// EAN-8 73513537: 21 + 3 + 15 + 1 + 9 + 5 + 9 = 63, check digit 7.
TEST(GtinCheckDigitTest, Gtin8) {
  EXPECT_TRUE(IsValidGtin("96385074"));
  EXPECT_TRUE(IsValidGtin("73513537"));
  EXPECT_FALSE(IsValidGtin("96385075"));
  EXPECT_FALSE(IsValidGtin("73513538"));
}

// GTIN-14 10012345678902: weights 3,1,3,... from the left for the first 13 digits:
// 3 + 0 + 0 + 1 + 6 + 3 + 12 + 5 + 18 + 7 + 24 + 9 + 0 = 88, check digit 2.
TEST(GtinCheckDigitTest, Gtin14) {
  EXPECT_TRUE(IsValidGtin("10012345678902"));
  EXPECT_FALSE(IsValidGtin("10012345678903"));
  EXPECT_TRUE(IsValidGtin("00036000291452"));  // the UPC-A, padded to 14
}

TEST(GtinCheckDigitTest, SeparatorsAreIgnored) {
  EXPECT_TRUE(IsValidGtin("4 006381 333931"));
  EXPECT_TRUE(IsValidGtin("4-006381-333931"));
  EXPECT_TRUE(IsValidGtin("0 36000 29145 2"));
  EXPECT_TRUE(IsValidGtin(" 9638-5074 "));
  EXPECT_TRUE(IsValidGtin("978-0-306-40615-7"));
  EXPECT_FALSE(IsValidGtin("4 006381 333932"));
}

TEST(GtinCheckDigitTest, WrongLengthsAreInvalid) {
  // Every other length fails even when the mod-10 sum would work out: "0000000000" sums to 0.
  for (size_t length = 0; length <= 20; ++length) {
    const bool gtin_length = length == 8 || length == 12 || length == 13 || length == 14;
    EXPECT_EQ(IsValidGtin(std::string(length, '0')), gtin_length && length > 0) << length;
  }
  EXPECT_FALSE(IsValidGtin("40063813339310"));  // 14 digits, the 13 plus one
  EXPECT_FALSE(IsValidGtin("400638133393100000000"));
}

TEST(GtinCheckDigitTest, OtherCharactersAreInvalid) {
  EXPECT_FALSE(IsValidGtin(""));
  EXPECT_FALSE(IsValidGtin("   "));
  EXPECT_FALSE(IsValidGtin("- -"));
  EXPECT_FALSE(IsValidGtin("400638133393X"));
  EXPECT_FALSE(IsValidGtin("4006381333931."));
  EXPECT_FALSE(IsValidGtin("4006381_333931"));
  EXPECT_FALSE(IsValidGtin("4006381\t333931"));
  EXPECT_FALSE(IsValidGtin("EAN4006381333931"));
  EXPECT_FALSE(IsValidGtin("４００６３８１３３３９３１"));  // fullwidth digits are not ASCII
  EXPECT_FALSE(
      IsValidGtin(std::string("40063813\0"
                              "33931",
                              14)));
}

// ISBN-10 0306406152: 0*10 + 3*9 + 0*8 + 6*7 + 4*6 + 0*5 + 6*4 + 1*3 + 5*2 + 2*1 = 132 = 12*11.
// ISBN-10 080442957X: 0 + 72 + 0 + 28 + 24 + 10 + 36 + 15 + 14 + 10 (X) = 209 = 19*11.
TEST(IsbnCheckDigitTest, Isbn10) {
  EXPECT_TRUE(IsValidIsbn("0306406152"));
  EXPECT_TRUE(IsValidIsbn("080442957X"));
  EXPECT_TRUE(IsValidIsbn("080442957x"));
  EXPECT_TRUE(IsValidIsbn("0-306-40615-2"));
  EXPECT_TRUE(IsValidIsbn("0 8044 2957 X"));
  EXPECT_FALSE(IsValidIsbn("0306406153"));
  EXPECT_FALSE(IsValidIsbn("0306406125"));  // swapped last two: 129, not a multiple of 11
  EXPECT_FALSE(IsValidIsbn("0804429570"));
}

TEST(IsbnCheckDigitTest, XOnlyAsTheLastIsbn10Character) {
  EXPECT_FALSE(IsValidIsbn("08044295X7"));
  EXPECT_FALSE(IsValidIsbn("X80442957X"));
  EXPECT_FALSE(IsValidIsbn("080442957XX"));
  EXPECT_FALSE(IsValidIsbn("978030640615X"));  // never in an ISBN-13
  EXPECT_FALSE(IsValidIsbn("X"));
  EXPECT_FALSE(IsValidIsbn("080442957Y"));
}

// ISBN-13 9780306406157: 9 + 21 + 8 + 0 + 3 + 0 + 6 + 12 + 0 + 18 + 1 + 15 = 93, check 7.
TEST(IsbnCheckDigitTest, Isbn13) {
  EXPECT_TRUE(IsValidIsbn("9780306406157"));
  EXPECT_TRUE(IsValidIsbn("978-0-306-40615-7"));
  EXPECT_FALSE(IsValidIsbn("9780306406158"));
  // 979-10-90636-07-1: 9 + 21 + 9 + 3 + 0 + 27 + 0 + 18 + 3 + 18 + 0 + 21 = 129, check 1.
  EXPECT_TRUE(IsValidIsbn("979-10-90636-07-1"));
  EXPECT_FALSE(IsValidIsbn("9791090636079"));
}

TEST(IsbnCheckDigitTest, GtinsOutsideBooklandAreNotIsbns) {
  ASSERT_TRUE(IsValidGtin("4006381333931"));
  EXPECT_FALSE(IsValidIsbn("4006381333931"));
  // 977 is the ISSN prefix: 9 + 21 + 7 + 0 + 3 + 0 + 6 + 12 + 0 + 18 + 1 + 15 = 92, check 8.
  EXPECT_TRUE(IsValidGtin("9770306406158"));
  EXPECT_FALSE(IsValidIsbn("9770306406158"));
}

TEST(IsbnCheckDigitTest, WrongLengthsAndCharactersAreInvalid) {
  EXPECT_FALSE(IsValidIsbn(""));
  EXPECT_FALSE(IsValidIsbn("--"));
  EXPECT_FALSE(IsValidIsbn("030640615"));       // 9 digits
  EXPECT_FALSE(IsValidIsbn("03064061522"));     // 11
  EXPECT_FALSE(IsValidIsbn("036000291452"));    // a valid UPC-A, 12 digits
  EXPECT_FALSE(IsValidIsbn("97803064061570"));  // 14
  EXPECT_FALSE(IsValidIsbn("ISBN 0306406152"));
  EXPECT_FALSE(IsValidIsbn("0306406152."));
  EXPECT_FALSE(IsValidIsbn("0000000000X"));
}

TEST(CheckDigitFindCheckTest, Names) {
  bool (*check)(std::string_view) = nullptr;
  ASSERT_TRUE(FindCheck("gtin", &check));
  EXPECT_EQ(check, &IsValidGtin);
  check = nullptr;
  ASSERT_TRUE(FindCheck("ean", &check));
  EXPECT_EQ(check, &IsValidGtin);
  check = nullptr;
  ASSERT_TRUE(FindCheck("upc", &check));
  EXPECT_EQ(check, &IsValidGtin);
  ASSERT_TRUE(FindCheck("isbn", &check));
  EXPECT_EQ(check, &IsValidIsbn);
  EXPECT_TRUE(check("0306406152"));
}

TEST(CheckDigitFindCheckTest, UnknownNamesLeaveTheCheckAlone) {
  bool (*check)(std::string_view) = &IsValidIsbn;
  for (const char* name : {"", "GTIN", "Isbn", "ean13", "iban", "luhn", " gtin", "gtin "}) {
    EXPECT_FALSE(FindCheck(name, &check)) << name;
    EXPECT_EQ(check, &IsValidIsbn);
  }
  EXPECT_TRUE(FindCheck("gtin", nullptr));
  EXPECT_FALSE(FindCheck("nope", nullptr));
}

}  // namespace
}  // namespace classiflow
