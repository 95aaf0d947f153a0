#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "aws/encoding.h"
#include "store/dead_letter_sink.h"
#include "store/directory_dead_letters.h"

namespace wc::store {
namespace {

namespace fs = std::filesystem;

std::string every_byte() {
  std::string key;
  for (int byte = 0; byte < 256; ++byte) key += static_cast<char>(byte);
  return key;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

TEST(DeadLetterName, AShortKeyIsPercentEncodedWhole) {
  EXPECT_EQ(dead_letter_name("../x"), "%2E.%2Fx");
  EXPECT_EQ(dead_letter_name("1612306368338"), "1612306368338");
  EXPECT_EQ(dead_letter_name(""), "%00empty");
}

TEST(DeadLetterName, TheLongestS3KeyGetsAReadablePrefixAndAHash) {
  const std::string key = std::string(1000, 'k') + std::string(24, 'z');
  const std::string name = dead_letter_name(key);
  EXPECT_LE(name.size() + std::string(".error.json").size(), 255u - 40u);
  EXPECT_EQ(name,
            std::string(k_shortened_name_prefix, 'k') + "+" + aws::sha256_hex(key).substr(0, 32));
}

TEST(DeadLetterName, LongKeysWithTheSameStartGetDifferentNames) {
  const std::string start(900, 'a');
  EXPECT_NE(dead_letter_name(start + "1"), dead_letter_name(start + "2"));
}

TEST(DeadLetterName, AShortenedNameNeverCutsAPercentTriplet) {
  std::string key;
  for (int i = 0; i < 200; ++i) key += "\xC3\xA9";  // é
  EXPECT_TRUE(std::regex_match(dead_letter_name(key), std::regex("(%[0-9A-F]{2})+\\+[0-9a-f]{32}")))
      << dead_letter_name(key);
  EXPECT_TRUE(std::regex_match(dead_letter_name(every_byte()),
                               std::regex("[A-Za-z0-9%._~-]+\\+[0-9a-f]{32}")));
}

TEST(DeadLetterName, AWholeNameNeverLooksLikeAShortenedOne) {
  // '+' is always encoded, so "x+<hash>" as a key stays distinct from any shortened name.
  EXPECT_EQ(dead_letter_name("x+" + std::string(32, 'a')), "x%2B" + std::string(32, 'a'));
}

TEST(DeadLetterObjectKey, AKeyThatFitsIsKeptAsItIs) {
  EXPECT_EQ(dead_letter_object_key("folder/1612306368338"), "folder/1612306368338");
  const std::string longest_kept(k_max_s3_key - 11, 'k');
  EXPECT_EQ(dead_letter_object_key(longest_kept), longest_kept);
}

TEST(DeadLetterObjectKey, AKeyWithNoRoomForTheRecordSuffixIsShortened) {
  const std::string key(k_max_s3_key, 'k');
  const std::string object = dead_letter_object_key(key);
  EXPECT_NE(object, key);
  EXPECT_LE(object.size() + 11, k_max_s3_key);
}

TEST(DeadLetterObjectKey, KeysThatAreNotUtf8OrLookShortenedAreShortened) {
  EXPECT_EQ(dead_letter_object_key("bad\xFF"), shortened_dead_letter_name("bad\xFF"));
  const std::string lookalike = "x+" + std::string(32, 'a');
  EXPECT_EQ(dead_letter_object_key(lookalike), shortened_dead_letter_name(lookalike));
  EXPECT_NE(dead_letter_object_key(lookalike), lookalike);
}

TEST(DeadLetterRecord, KeepsAKeyThatIsNotUtf8ExactlyInBase64) {
  DeadLetter letter{"directory 'r'", every_byte(), "body", "bad", 1, {}};
  auto record = nlohmann::json::parse(dead_letter_record(letter));
  EXPECT_EQ(record["sourceKeyBase64"], aws::base64(every_byte()));
  DeadLetter plain{"directory 'r'", "k1", "body", "bad", 1, {}};
  EXPECT_FALSE(nlohmann::json::parse(dead_letter_record(plain)).contains("sourceKeyBase64"));
}

class DirectoryDeadLettersTest : public testing::Test {
 protected:
  fs::path root = fs::temp_directory_path() / ("wc-dead-" + std::to_string(::getpid()));
  void TearDown() override { fs::remove_all(root); }
};

TEST_F(DirectoryDeadLettersTest, KeepsTheLongestKeyAndEveryByteValueWithTheirBytes) {
  DirectoryDeadLetters sink(root);
  ASSERT_TRUE(sink.check());
  const std::string longest(k_max_s3_key, 'L');
  for (const std::string& key : {longest, every_byte(), every_byte().substr(1)}) {
    DeadLetter letter{"S3 bucket 'r'", key, std::string("original \0 bytes", 16), "reason", 2, {}};
    auto kept = sink.keep(letter);
    ASSERT_TRUE(kept) << kept.error().message;
    const std::string name = dead_letter_name(key);
    EXPECT_EQ(read_bytes(root / name), letter.body);
    auto record = nlohmann::json::parse(read_bytes(root / (name + ".error.json")));
    EXPECT_EQ(record["bytes"], letter.body.size());
    if (key == longest) {
      EXPECT_EQ(record["sourceKey"], key);
    } else {
      EXPECT_EQ(record["sourceKeyBase64"], aws::base64(key));
    }
  }
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(root)) files += entry.is_regular_file();
  EXPECT_EQ(files, 6u);
}

}  // namespace
}  // namespace wc::store
