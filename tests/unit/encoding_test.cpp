#include "aws/encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace wc::aws {
namespace {

TEST(UriEncode, UnreservedCharactersStayAsTheyAre) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(uri_encode(unreserved), unreserved);
}

TEST(UriEncode, ReservedCharactersBecomeUpperCaseHexEscapes) {
  EXPECT_EQ(uri_encode(" !\"#$%&'()*+,:;<=>?@[\\]^`{|}"),
            "%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E%60%7B%7C%7D");
}

TEST(UriEncode, SlashIsEncodedUnlessAskedToKeepIt) {
  EXPECT_EQ(uri_encode("a/b c"), "a%2Fb%20c");
  EXPECT_EQ(uri_encode("a/b c", /*encode_slash=*/false), "a/b%20c");
}

TEST(UriEncode, Utf8IsEncodedBytewise) {
  EXPECT_EQ(uri_encode("\xE1\x88\xB4"), "%E1%88%B4");  // U+1234
  EXPECT_EQ(uri_encode("caf\xC3\xA9 \xF0\x9F\x93\xA6"), "caf%C3%A9%20%F0%9F%93%A6");
}

TEST(UriEncode, ControlAndNulBytesAreEncoded) {
  EXPECT_EQ(uri_encode(std::string("\0\n\x7f", 3)), "%00%0A%7F");
}

TEST(QueryString, EncodesEachNameAndValueAndKeepsTheOrder) {
  EXPECT_EQ(query_string(
                {{"Action", "AssumeRole"}, {"RoleArn", "arn:aws:iam::1:role/r x"}, {"empty", ""}}),
            "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr%20x&empty=");
  EXPECT_EQ(query_string({}), "");
}

TEST(UriDecode, ReversesEncodingOfAnyBytes) {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(uri_decode(uri_encode(all)), all);
}

TEST(UriDecode, AcceptsLowerCaseHex) { EXPECT_EQ(uri_decode("%e1%88%b4"), "\xE1\x88\xB4"); }

TEST(UriDecode, BadEscapesAreKeptAsTheyAre) {
  EXPECT_EQ(uri_decode("100%"), "100%");
  EXPECT_EQ(uri_decode("%4"), "%4");
  EXPECT_EQ(uri_decode("%zz%41"), "%zzA");
}

TEST(UriDecode, PlusIsASpaceOnlyWhenAsked) {
  EXPECT_EQ(uri_decode("a+b%2B"), "a+b+");
  EXPECT_EQ(uri_decode("a+b%2B", /*plus_is_space=*/true), "a b+");
}

TEST(Base64, MatchesRfc4648Vectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(Base64, EncodesBinaryWithoutLineBreaks) {
  std::string bytes(100, '\xff');
  std::string encoded = base64(bytes);
  EXPECT_EQ(encoded.size(), 136u);
  EXPECT_EQ(encoded.find('\n'), std::string::npos);
  EXPECT_EQ(encoded.substr(0, 4), "////");
}

TEST(Md5Base64, MatchesKnownContentMd5Values) {
  EXPECT_EQ(md5_base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(md5_base64("The quick brown fox jumps over the lazy dog"), "nhB9nTcrtoJr2B01QqQZ1g==");
}

TEST(Sha256, MatchesFips180Vectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256("abc").size(), 32u);
}

TEST(Sha1Hex, MatchesFips180Vectors) {
  EXPECT_EQ(sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(HmacSha256, MatchesRfc4231TestCase2) {
  EXPECT_EQ(hex_lower(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, KeyLongerThanTheBlockIsHashedFirst) {
  // RFC 4231 test case 6: a 131-byte key.
  EXPECT_EQ(hex_lower(hmac_sha256(std::string(131, '\xaa'),
                                  "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HmacSha256, EmptyKeyIsAKeyOfItsOwn) {
  // Python: hmac.new(b"", b"", hashlib.sha256).hexdigest()
  EXPECT_EQ(hex_lower(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256Key, EveryMessageGetsTheMacOfTheKeyAlone) {
  HmacSha256Key key("Jefe");
  EXPECT_EQ(hex_lower(key.mac("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // A second message starts from the key again, not from where the first one left off.
  EXPECT_EQ(key.mac("another message"), hmac_sha256("Jefe", "another message"));
  EXPECT_EQ(key.mac("what do ya want for nothing?"),
            hmac_sha256("Jefe", "what do ya want for nothing?"));
  HmacSha256Key long_key(std::string(131, '\xaa'));
  EXPECT_EQ(hex_lower(long_key.mac("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(HexLower, EncodesEveryByteAsTwoLowerCaseDigits) {
  EXPECT_EQ(hex_lower(std::string("\x00\x0f\xab\xff", 4)), "000fabff");
  EXPECT_EQ(hex_lower(""), "");
}

}  // namespace
}  // namespace wc::aws
