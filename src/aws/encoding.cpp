#include "aws/encoding.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace wc::aws {

namespace {

// OpenSSL 3 looks a digest up by name on every call made with EVP_sha256() and the one-shot
// HMAC(); fetching each once saves that search on every signed request.
const EVP_MD* fetched_digest(const char* name) {
  const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) throw std::runtime_error(std::string("OpenSSL has no ") + name);
  return md;
}

const EVP_MD* sha256_md() {
  static const EVP_MD* md = fetched_digest("SHA256");
  return md;
}

const EVP_MD* sha1_md() {
  static const EVP_MD* md = fetched_digest("SHA1");
  return md;
}

const EVP_MD* md5_md() {
  static const EVP_MD* md = fetched_digest("MD5");
  return md;
}

using MacContext = std::unique_ptr<EVP_MAC_CTX, void (*)(EVP_MAC_CTX*)>;

// Fetched once for the same reason as the digests: EVP_MAC_fetch is a search by name.
EVP_MAC* hmac_mac() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) throw std::runtime_error("OpenSSL has no HMAC");
  return mac;
}

/// A new HMAC-SHA256 context with `key` set (the key's inner and outer pads hashed).
MacContext keyed_hmac_sha256(std::string_view key) {
  MacContext context(EVP_MAC_CTX_new(hmac_mac()), &EVP_MAC_CTX_free);
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  // A null key would mean "keep the key set before"; an empty key is a key.
  const auto* bytes = reinterpret_cast<const unsigned char*>(key.empty() ? "" : key.data());
  if (!context || EVP_MAC_init(context.get(), bytes, key.size(), params) != 1) {
    throw std::runtime_error("OpenSSL HMAC-SHA256 set-up failed");
  }
  return context;
}

/// Feeds `data` to a keyed context and returns the raw 32-byte MAC.
std::string mac_of(EVP_MAC_CTX* context, std::string_view data) {
  std::array<unsigned char, 32> out{};
  std::size_t length = 0;
  if (EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(data.data()), data.size()) !=
          1 ||
      EVP_MAC_final(context, out.data(), &length, out.size()) != 1 || length != out.size()) {
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out, &length, md, nullptr) != 1) {
    throw std::runtime_error("OpenSSL EVP_Digest failed");
  }
  return std::string(reinterpret_cast<const char*>(out), length);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string hex_lower(std::string_view bytes) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(k_digits[c >> 4]);
    out.push_back(k_digits[c & 0xf]);
  }
  return out;
}

std::string sha256(std::string_view data) { return digest(sha256_md(), data); }

std::string sha256_hex(std::string_view data) { return hex_lower(sha256(data)); }

std::string sha1_hex(std::string_view data) { return hex_lower(digest(sha1_md(), data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return mac_of(keyed_hmac_sha256(key).get(), data);
}

HmacSha256Key::HmacSha256Key(std::string_view key) : keyed_(keyed_hmac_sha256(key)) {}

std::string HmacSha256Key::mac(std::string_view data) {
  // A null key re-initialises the context with the key it has: its hashed pads are copied
  // back, nothing is allocated but OpenSSL's digest state. (A copy of the context per message,
  // EVP_MAC_CTX_dup, made a signature 7 % slower: bench/signing_cpu.py.)
  if (EVP_MAC_init(keyed_.get(), nullptr, 0, nullptr) != 1) {
    throw std::runtime_error("OpenSSL HMAC-SHA256 re-initialisation failed");
  }
  return mac_of(keyed_.get(), data);
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string md5_base64(std::string_view data) { return base64(digest(md5_md(), data)); }

std::string uri_encode(std::string_view text, bool encode_slash) {
  static constexpr char k_digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && !encode_slash);
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(k_digits[c >> 4]);
      out.push_back(k_digits[c & 0xf]);
    }
  }
  return out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += uri_encode(name);
    out += '=';
    out += uri_encode(value);
  }
  return out;
}

std::string uri_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

}  // namespace wc::aws
