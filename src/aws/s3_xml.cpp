#include "aws/s3_xml.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <pugixml.hpp>
#include <sstream>

#include "aws/encoding.h"

namespace wc::aws {

namespace {

constexpr std::string_view k_s3_namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
/// How much of an unreadable error body is kept in the message.
constexpr std::size_t k_max_body_excerpt = 200;

/// Whitespace-only text matters: a key may be " ".
constexpr unsigned k_parse_options = pugi::parse_default | pugi::parse_ws_pcdata;

util::Expected<pugi::xml_node, std::string> load_root(pugi::xml_document& document,
                                                      std::string_view xml,
                                                      std::string_view expected_root) {
  const pugi::xml_parse_result parsed =
      document.load_buffer(xml.data(), xml.size(), k_parse_options);
  if (!parsed) {
    return util::Unexpected(
        fmt::format("malformed XML at offset {}: {}", parsed.offset, parsed.description()));
  }
  pugi::xml_node root = document.document_element();
  if (expected_root != root.name()) {
    return util::Unexpected(fmt::format("expected <{}>, got <{}>", expected_root, root.name()));
  }
  return root;
}

util::Expected<S3Object, std::string> parse_object(const pugi::xml_node& contents,
                                                   bool url_encoded) {
  S3Object object;
  object.key = contents.child_value("Key");
  if (url_encoded) object.key = uri_decode(object.key, /*plus_is_space=*/true);
  object.etag = contents.child_value("ETag");
  const std::string_view size = contents.child_value("Size");
  const auto [end, status] = std::from_chars(size.data(), size.data() + size.size(), object.size);
  if (status != std::errc{} || end != size.data() + size.size() || contents.child("Key").empty()) {
    return util::Unexpected(
        fmt::format("bad <Contents> entry (Key '{}', Size '{}')", object.key, size));
  }
  return object;
}

/// A short, single-line excerpt of a body that was not the expected XML.
std::string excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, k_max_body_excerpt)) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string code_for_status(long http_status, S3Target target) {
  struct Row {
    long status;
    std::string_view code;
  };
  static constexpr std::array k_rows{
      Row{301, "PermanentRedirect"},  Row{307, "TemporaryRedirect"},  Row{304, "NotModified"},
      Row{400, "BadRequest"},         Row{403, "AccessDenied"},       Row{405, "MethodNotAllowed"},
      Row{409, "Conflict"},           Row{412, "PreconditionFailed"}, Row{416, "InvalidRange"},
      Row{429, "TooManyRequests"},    Row{500, "InternalError"},      Row{501, "NotImplemented"},
      Row{503, "ServiceUnavailable"},
  };
  if (http_status == 404) return target == S3Target::bucket ? "NoSuchBucket" : "NoSuchKey";
  for (const Row& row : k_rows) {
    if (row.status == http_status) return std::string(row.code);
  }
  return fmt::format("Http{}", http_status);
}

}  // namespace

util::Expected<ListObjectsPage, std::string> parse_list_objects_v2(std::string_view xml) {
  pugi::xml_document document;
  auto root = load_root(document, xml, "ListBucketResult");
  if (!root) return util::Unexpected(std::move(root.error()));
  const bool url_encoded = std::string_view(root->child_value("EncodingType")) == "url";
  ListObjectsPage page;
  for (pugi::xml_node contents : root->children("Contents")) {
    auto object = parse_object(contents, url_encoded);
    if (!object) return util::Unexpected(std::move(object.error()));
    page.objects.push_back(std::move(*object));
  }
  const std::string_view truncated = root->child_value("IsTruncated");
  if (truncated == "true") {
    page.next_continuation_token = root->child_value("NextContinuationToken");
    if (page.next_continuation_token.empty()) {
      return util::Unexpected(std::string("truncated page without a NextContinuationToken"));
    }
  } else if (truncated != "false") {
    return util::Unexpected(fmt::format("bad <IsTruncated> '{}'", truncated));
  }
  return page;
}

S3ErrorDocument parse_s3_error(long http_status, std::string_view body, S3Target target) {
  S3ErrorDocument error;
  pugi::xml_document document;
  if (!body.empty() && document.load_buffer(body.data(), body.size(), k_parse_options)) {
    pugi::xml_node root = document.document_element();
    // S3 answers <Error>; the query-protocol services wrap it in <ErrorResponse>.
    pugi::xml_node node = std::string_view(root.name()) == "Error" ? root : root.child("Error");
    error.code = node.child_value("Code");
    error.message = node.child_value("Message");
    error.request_id =
        node.child("RequestId") ? node.child_value("RequestId") : root.child_value("RequestId");
  }
  if (error.code.empty()) {
    error.code = code_for_status(http_status, target);
    if (error.message.empty()) error.message = excerpt(body);
  }
  return error;
}

void explain_other_region(S3ErrorDocument& error, std::string_view bucket_region,
                          std::string_view signed_region) {
  static constexpr std::array<std::string_view, 4> k_wrong_region_codes{
      "PermanentRedirect", "TemporaryRedirect", "AuthorizationHeaderMalformed",
      "IllegalLocationConstraintException"};
  if (bucket_region.empty() || bucket_region == signed_region) return;
  if (std::find(k_wrong_region_codes.begin(), k_wrong_region_codes.end(), error.code) ==
      k_wrong_region_codes.end()) {
    return;  // a refusal for another reason (AccessDenied) says more than the region
  }
  error.code = "PermanentRedirect";
  error.message =
      fmt::format("the bucket is in region {}, not {}: run with --region {} (or AWS_REGION={})",
                  bucket_region, signed_region, bucket_region, bucket_region);
}

util::Expected<S3DeleteResult, std::string> parse_delete_result(std::string_view xml) {
  pugi::xml_document document;
  auto root = load_root(document, xml, "DeleteResult");
  if (!root) return util::Unexpected(std::move(root.error()));
  S3DeleteResult result;
  for (pugi::xml_node deleted : root->children("Deleted")) {
    result.deleted.emplace_back(deleted.child_value("Key"));
  }
  for (pugi::xml_node failed : root->children("Error")) {
    result.failed.push_back(S3DeleteFailure{failed.child_value("Key"), failed.child_value("Code"),
                                            failed.child_value("Message")});
  }
  return result;
}

std::string build_delete_request(const std::vector<std::string>& keys) {
  pugi::xml_document document;
  pugi::xml_node root = document.append_child("Delete");
  root.append_attribute("xmlns").set_value(std::string(k_s3_namespace).c_str());
  root.append_child("Quiet").text().set("true");
  for (const std::string& key : keys) {
    root.append_child("Object").append_child("Key").text().set(key.c_str());
  }
  std::ostringstream out;
  document.save(out, "", pugi::format_raw | pugi::format_no_declaration);
  // pugixml writes a carriage return as is, and every XML parser (S3's too) turns it into a
  // line feed, so S3 would delete another key (or, in quiet mode, silently none). Keys are
  // the only text that can hold one; S3's documentation asks for &#13; there.
  std::string body = std::move(out).str();
  std::string escaped;
  escaped.reserve(body.size());
  for (char c : body) {
    if (c == '\r') {
      escaped += "&#13;";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace wc::aws
