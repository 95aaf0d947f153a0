#include "aws/ini_file.h"

#include <gtest/gtest.h>

namespace wc::aws {
namespace {

TEST(IniFile, SectionsKeysAndValuesAreTrimmedAndKeysLowerCased) {
  IniFile file = parse_ini("[ one ]\n  Key =  a value  \n[two]\nk2:v2\n");
  ASSERT_NE(file.section("one"), nullptr);
  EXPECT_EQ(file.section("one")->at("key"), "a value");
  EXPECT_EQ(file.section("two")->at("k2"), "v2");
  EXPECT_EQ(file.section("three"), nullptr);
}

TEST(IniFile, FullLineCommentsAreSkippedButHashInValuesIsKept) {
  IniFile file = parse_ini("# c1\n[s]\n; c2\n  # c3\nk = a#b ;c\n");
  ASSERT_NE(file.section("s"), nullptr);
  EXPECT_EQ(file.section("s")->size(), 1u);
  EXPECT_EQ(file.section("s")->at("k"), "a#b ;c");
}

TEST(IniFile, NestedSettingsAfterAnEmptyValueBecomeDottedKeys) {
  IniFile file = parse_ini(
      "[services local]\ns3 =\n  endpoint_url = http://h:1\n"
      "dynamodb =\n  endpoint_url = http://h:2\nafter = x\n");
  const IniSection* section = file.section("services local");
  ASSERT_NE(section, nullptr);
  EXPECT_EQ(section->at("s3.endpoint_url"), "http://h:1");
  EXPECT_EQ(section->at("dynamodb.endpoint_url"), "http://h:2");
  EXPECT_EQ(section->at("after"), "x");
}

TEST(IniFile, IndentedLineAfterAValueContinuesIt) {
  IniFile file = parse_ini("[s]\nk = first\n  second\n");
  EXPECT_EQ(file.section("s")->at("k"), "first\nsecond");
}

TEST(IniFile, RepeatedSectionAddsToTheFirstAndLaterKeysWin) {
  IniFile file = parse_ini("[s]\na = 1\nb = 1\n[t]\n[s]\nb = 2\n");
  EXPECT_EQ(file.section("s")->at("a"), "1");
  EXPECT_EQ(file.section("s")->at("b"), "2");
}

TEST(IniFile, KeysOutsideSectionsAndJunkLinesAreIgnored) {
  IniFile file = parse_ini("orphan = 1\n[s]\nnot a pair\n= novalue\nk = v");
  EXPECT_EQ(file.sections.size(), 1u);
  EXPECT_EQ(file.section("s")->size(), 1u);
  EXPECT_EQ(file.section("s")->at("k"), "v");
}

TEST(IniFile, MissingFileIsNullopt) {
  EXPECT_FALSE(read_ini_file("/nonexistent/wc/ini/file").has_value());
}

}  // namespace
}  // namespace wc::aws
