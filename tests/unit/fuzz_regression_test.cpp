// Inputs the fuzzers in fuzz/ found to break a property, kept as plain tests so that the
// ordinary build (without clang or libFuzzer) guards against their return.

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include <string>
#include <vector>

#include "aws/s3_xml.h"
#include "model/bounded_json.h"
#include "model/request.h"
#include "model/widget_json.h"

namespace {

std::vector<std::string> keys_as_a_server_reads_them(const std::string& body) {
  pugi::xml_document document;
  EXPECT_TRUE(
      document.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata));
  std::vector<std::string> keys;
  for (pugi::xml_node object : document.child("Delete").children("Object")) {
    keys.emplace_back(object.child_value("Key"));
  }
  return keys;
}

// fuzz_s3_delete_request, corpus file carriage-return-in-key: a conforming XML parser turns
// a raw '\r' into '\n', so the key S3 deleted was not the one asked for.
TEST(FuzzRegression, DeleteRequestKeepsACarriageReturnInAKey) {
  std::vector<std::string> keys{"1v\r5728864574", "a\r\nb", "tail\r", "plain"};
  EXPECT_EQ(keys_as_a_server_reads_them(wc::aws::build_delete_request(keys)), keys);
}

TEST(FuzzRegression, DeleteRequestKeepsLineFeedsTabsAndMarkup) {
  std::vector<std::string> keys{"a\nb", "\ttab", " space ", "a&b<c>\"d'"};
  EXPECT_EQ(keys_as_a_server_reads_them(wc::aws::build_delete_request(keys)), keys);
}

}  // namespace

namespace {

// fuzz_request_parser and fuzz_dynamodb_item: nlohmann throws out_of_range, not parse_error,
// for a number no double can hold, and it escaped parse_bounded_json: a request, a stored
// widget or an item carrying one ended the process.
TEST(FuzzRegression, NumberTooLargeForADoubleIsRejectedNotThrown) {
  auto json = wc::model::parse_bounded_json("[1e999]");
  ASSERT_FALSE(json.has_value());
  EXPECT_NE(json.error().find("number"), std::string::npos) << json.error();
}

TEST(FuzzRegression, RequestWithAHugeNumberInAnIgnoredFieldIsRejected) {
  auto request = wc::model::parse_request(
      R"({"type":"create","requestId":"r","widgetId":"w","owner":"Ann","x":-1e999})");
  ASSERT_FALSE(request.has_value());
  EXPECT_NE(request.error().reason.find("1e999"), std::string::npos) << request.error().reason;
}

TEST(FuzzRegression, StoredWidgetWithAHugeNumberIsAnErrorNotACrash) {
  EXPECT_FALSE(wc::model::widget_from_json(R"({"widgetId":"w","owner":"Ann","n":1E400})"));
}

}  // namespace
