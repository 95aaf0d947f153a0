#pragma once
// Byte encodings and digests the AWS wire formats need (OpenSSL underneath).

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wc::aws {

std::string hex_lower(std::string_view bytes);
/// Raw 32-byte SHA-256 digest.
std::string sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
/// The SHA-1 digest in lower-case hex (the AWS CLI's SSO cache file names).
std::string sha1_hex(std::string_view data);
/// Raw 32-byte HMAC-SHA256.
std::string hmac_sha256(std::string_view key, std::string_view data);

/// An HMAC-SHA256 key set up once for many messages (SigV4 signs every request with a key
/// that changes once a day): OpenSSL's EVP_MAC context is keyed once and re-initialised with
/// that key for each message, so a message costs only its own blocks. One thread at a time:
/// mac() works on the context.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  /// Raw 32-byte HMAC-SHA256 of `data` under the key; equal to hmac_sha256(key, data).
  std::string mac(std::string_view data);

 private:
  std::unique_ptr<EVP_MAC_CTX, void (*)(EVP_MAC_CTX*)> keyed_;
};

std::string base64(std::string_view bytes);
/// base64 of the MD5 digest: the Content-MD5 header value.
std::string md5_base64(std::string_view data);
/// RFC 3986 percent-encoding of everything but A-Z a-z 0-9 - . _ ~ (and '/' unless
/// `encode_slash`), upper-case hex, as SigV4 and S3 keys require.
std::string uri_encode(std::string_view text, bool encode_slash = true);
/// name=value pairs joined with '&', each name and value uri_encode'd, in the order given: a
/// URL's query, or an application/x-www-form-urlencoded body as AWS reads it.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& fields);
/// Decodes %XX escapes (and '+' as a space when `plus_is_space`). Bad escapes are kept as-is.
std::string uri_decode(std::string_view text, bool plus_is_space = false);

}  // namespace wc::aws
