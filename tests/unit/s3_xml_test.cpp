#include "aws/s3_xml.h"

#include <gtest/gtest.h>

#include <pugixml.hpp>

namespace wc::aws {
namespace {

// Shaped like the ListObjectsV2 answers of the S3 API reference (namespace, Owner-less
// Contents, quoted ETags as &quot; entities).
constexpr const char* k_truncated_page = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>requests</Name>
  <Prefix></Prefix>
  <KeyCount>2</KeyCount>
  <MaxKeys>2</MaxKeys>
  <EncodingType>url</EncodingType>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>incoming/a+b%2Bc.json</Key>
    <LastModified>2024-05-01T10:00:00.000Z</LastModified>
    <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>
    <Size>123</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>incoming/%E2%9C%93%20done%01.json</Key>
    <LastModified>2024-05-01T10:00:01.000Z</LastModified>
    <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag>
    <Size>18446744073709551615</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";

TEST(S3Xml, ListPageDecodesUrlEncodedKeysWithPlusAsSpace) {
  auto page = parse_list_objects_v2(k_truncated_page);
  ASSERT_TRUE(page) << page.error();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "incoming/a b+c.json");
  EXPECT_EQ(page->objects[0].size, 123u);
  EXPECT_EQ(page->objects[0].etag, "\"9b2cf535f27731c974343645a3985328\"");
  EXPECT_EQ(page->objects[1].key, "incoming/\xE2\x9C\x93 done\x01.json");
  EXPECT_EQ(page->objects[1].size, 18446744073709551615u);
}

TEST(S3Xml, TruncatedListPageCarriesTheContinuationToken) {
  auto page = parse_list_objects_v2(k_truncated_page);
  ASSERT_TRUE(page) << page.error();
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3Xml, ListPageWithoutEncodingTypeKeepsKeysVerbatim) {
  auto page = parse_list_objects_v2(
      "<ListBucketResult><IsTruncated>false</IsTruncated>"
      "<Contents><Key>a+b%20c &amp; d</Key><Size>1</Size><ETag>\"x\"</ETag></Contents>"
      "<Contents><Key> </Key><Size>0</Size></Contents></ListBucketResult>");
  ASSERT_TRUE(page) << page.error();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "a+b%20c & d");
  EXPECT_EQ(page->objects[1].key, " ");
  EXPECT_TRUE(page->next_continuation_token.empty());
}

TEST(S3Xml, EmptyBucketListsNoObjectsAndNoNextPage) {
  auto page = parse_list_objects_v2(
      R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>)");
  ASSERT_TRUE(page) << page.error();
  EXPECT_TRUE(page->objects.empty());
  EXPECT_TRUE(page->next_continuation_token.empty());
}

TEST(S3Xml, TruncatedListPageWithoutTokenIsAnError) {
  auto page =
      parse_list_objects_v2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>");
  ASSERT_FALSE(page);
  EXPECT_NE(page.error().find("NextContinuationToken"), std::string::npos) << page.error();
}

TEST(S3Xml, MalformedOrForeignListDocumentsAreErrorsNotCrashes) {
  for (const char* xml : {"", "not xml", "<ListBucketResult><Contents><Key>a</Key>",
                          "<Error><Code>NoSuchBucket</Code></Error>",
                          "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
                          "<ListBucketResult><IsTruncated>false</IsTruncated>"
                          "<Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
                          "<ListBucketResult><IsTruncated>false</IsTruncated>"
                          "<Contents><Size>1</Size></Contents></ListBucketResult>"}) {
    EXPECT_FALSE(parse_list_objects_v2(xml)) << xml;
  }
}

TEST(S3Xml, ErrorDocumentGivesCodeMessageAndRequestId) {
  auto error = parse_s3_error(404, R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>
<Key>widgets/x</Key><RequestId>4442587FB7D0A2F9</RequestId><HostId>abc</HostId></Error>)",
                              S3Target::object);
  EXPECT_EQ(error.code, "NoSuchKey");
  EXPECT_EQ(error.message, "The specified key does not exist.");
  EXPECT_EQ(error.request_id, "4442587FB7D0A2F9");
}

TEST(S3Xml, WrappedErrorResponseIsReadToo) {
  auto error = parse_s3_error(
      400,
      "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded"
      "</Message></Error><RequestId>r-1</RequestId></ErrorResponse>",
      S3Target::bucket);
  EXPECT_EQ(error.code, "Throttling");
  EXPECT_EQ(error.message, "Rate exceeded");
  EXPECT_EQ(error.request_id, "r-1");
}

TEST(S3Xml, BodylessNotFoundIsNamedAfterTheTarget) {
  EXPECT_EQ(parse_s3_error(404, "", S3Target::bucket).code, "NoSuchBucket");
  EXPECT_EQ(parse_s3_error(404, "", S3Target::object).code, "NoSuchKey");
}

TEST(S3Xml, BodylessErrorsTakeTheirCodeFromTheStatus) {
  EXPECT_EQ(parse_s3_error(403, "", S3Target::object).code, "AccessDenied");
  EXPECT_EQ(parse_s3_error(412, "", S3Target::object).code, "PreconditionFailed");
  EXPECT_EQ(parse_s3_error(503, "", S3Target::object).code, "ServiceUnavailable");
  EXPECT_EQ(parse_s3_error(418, "", S3Target::object).code, "Http418");
}

TEST(S3Xml, BodylessRedirectIsAPermanentRedirectNotAnHttpCode) {
  EXPECT_EQ(parse_s3_error(301, "", S3Target::bucket).code, "PermanentRedirect");
}

TEST(S3Xml, ABucketInAnotherRegionIsExplainedWithTheRegionToRunWith) {
  S3ErrorDocument error = parse_s3_error(301, "", S3Target::bucket);
  explain_other_region(error, "eu-west-1", "us-east-1");
  EXPECT_EQ(error.code, "PermanentRedirect");
  EXPECT_EQ(error.message,
            "the bucket is in region eu-west-1, not us-east-1: run with --region eu-west-1 "
            "(or AWS_REGION=eu-west-1)");
}

TEST(S3Xml, AWrongRegionInTheSignatureIsExplainedToo) {
  S3ErrorDocument error = parse_s3_error(
      400, "<Error><Code>AuthorizationHeaderMalformed</Code><Message>m</Message></Error>",
      S3Target::object);
  explain_other_region(error, "ap-south-1", "us-east-1");
  EXPECT_EQ(error.code, "PermanentRedirect");
  EXPECT_NE(error.message.find("--region ap-south-1"), std::string::npos) << error.message;
}

TEST(S3Xml, ARegionHeaderOnAnotherRefusalOrNamingTheSignedRegionChangesNothing) {
  S3ErrorDocument denied = parse_s3_error(403, "", S3Target::bucket);
  explain_other_region(denied, "eu-west-1", "us-east-1");
  EXPECT_EQ(denied.code, "AccessDenied");
  S3ErrorDocument redirect = parse_s3_error(301, "", S3Target::bucket);
  explain_other_region(redirect, "us-east-1", "us-east-1");
  explain_other_region(redirect, "", "us-east-1");
  EXPECT_EQ(redirect.message, "");
}

TEST(S3Xml, NonXmlErrorBodyKeepsAShortExcerptAsMessage) {
  const std::string html = "<html>\n<body>  502 Bad Gateway\n</body>" + std::string(1000, 'x');
  auto error = parse_s3_error(502, html, S3Target::object);
  EXPECT_EQ(error.code, "Http502");
  EXPECT_EQ(error.message.rfind("<html> <body> 502 Bad Gateway </body>xx", 0), 0u) << error.message;
  EXPECT_LE(error.message.size(), 200u);
}

TEST(S3Xml, DeleteResultListsDeletedKeysAndPerKeyErrors) {
  auto result = parse_delete_result(R"(<?xml version="1.0" encoding="UTF-8"?>
<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Deleted><Key>a &amp; b</Key></Deleted>
  <Error><Key>locked</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
  <Error><Key>busy</Key><Code>InternalError</Code><Message>Try again</Message></Error>
</DeleteResult>)");
  ASSERT_TRUE(result) << result.error();
  ASSERT_EQ(result->deleted.size(), 1u);
  EXPECT_EQ(result->deleted[0], "a & b");
  ASSERT_EQ(result->failed.size(), 2u);
  EXPECT_EQ(result->failed[0].key, "locked");
  EXPECT_EQ(result->failed[0].code, "AccessDenied");
  EXPECT_EQ(result->failed[0].message, "Access Denied");
  EXPECT_EQ(result->failed[1].code, "InternalError");
}

TEST(S3Xml, MalformedDeleteResultIsAnError) {
  EXPECT_FALSE(parse_delete_result("<DeleteResult><Deleted>"));
  EXPECT_FALSE(parse_delete_result("<Error><Code>InternalError</Code></Error>"));
}

TEST(S3Xml, DeleteRequestIsQuietAndEscapesKeys) {
  const std::vector<std::string> keys{"plain", "a&b<c>\"d'", "\xE2\x9C\x93 sp"};
  const std::string body = build_delete_request(keys);
  EXPECT_EQ(body.find("<?xml"), std::string::npos) << "no declaration needed";
  EXPECT_NE(body.find("a&amp;b&lt;c&gt;"), std::string::npos) << body;

  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(body.c_str(), pugi::parse_default | pugi::parse_ws_pcdata));
  pugi::xml_node root = document.child("Delete");
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://s3.amazonaws.com/doc/2006-03-01/");
  EXPECT_STREQ(root.child_value("Quiet"), "true");
  std::vector<std::string> parsed;
  for (pugi::xml_node object : root.children("Object"))
    parsed.emplace_back(object.child_value("Key"));
  EXPECT_EQ(parsed, keys);
}

}  // namespace
}  // namespace wc::aws
