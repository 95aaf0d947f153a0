#include "app/log_text.h"

#include <gtest/gtest.h>

namespace wc::app {
namespace {

TEST(EscapeForLog, PlainTextIsUnchanged) {
  EXPECT_EQ(escape_for_log("1612306368338 create w1 created 3.2 ms"),
            "1612306368338 create w1 created 3.2 ms");
}

TEST(EscapeForLog, LineBreaksCannotStartANewLine) {
  EXPECT_EQ(escape_for_log("0001\n2026-01-01 ERROR forged\r"), "0001\\n2026-01-01 ERROR forged\\r");
}

TEST(EscapeForLog, OtherControlCharactersAreHexEscaped) {
  EXPECT_EQ(escape_for_log(std::string("a\x1b[31mb\x7f\0c", 10)), "a\\x1b[31mb\\x7f\\x00c");
}

TEST(EscapeForLog, TabsAndBackslashesReadAsWritten) {
  EXPECT_EQ(escape_for_log("0011\ttab \\..\\back"), "0011\ttab \\..\\back");
}

TEST(EscapeForLog, NonAsciiBytesPassUnchanged) {
  EXPECT_EQ(escape_for_log("Zoë \xff"), "Zoë \xff");
}

}  // namespace
}  // namespace wc::app
