#include "aws/encoding.h"

#include <openssl/evp.h>

#include <array>
#include <cstring>
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

const EVP_MD* md5_md() {
  static const EVP_MD* md = fetched_digest("MD5");
  return md;
}

struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

EVP_MD_CTX* thread_digest_context() {
  thread_local std::unique_ptr<EVP_MD_CTX, DigestContextFree> context(EVP_MD_CTX_new());
  if (!context) throw std::runtime_error("OpenSSL EVP_MD_CTX_new failed");
  return context.get();
}

// SHA-256 of the concatenation of `first` and `second`.
std::array<unsigned char, 32> sha256_of(std::string_view first, std::string_view second) {
  EVP_MD_CTX* context = thread_digest_context();
  std::array<unsigned char, 32> out{};
  unsigned int length = 0;
  if (EVP_DigestInit_ex(context, sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(context, first.data(), first.size()) != 1 ||
      EVP_DigestUpdate(context, second.data(), second.size()) != 1 ||
      EVP_DigestFinal_ex(context, out.data(), &length) != 1 || length != out.size()) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  return out;
}

std::string_view view(const std::array<unsigned char, 32>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
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

// HMAC (RFC 2104) over SHA-256, built on the fetched digest: H((K ^ opad) || H((K ^ ipad) || m)).
std::string hmac_sha256(std::string_view key, std::string_view data) {
  constexpr std::size_t k_block = 64;
  std::array<unsigned char, k_block> padded{};
  if (key.size() > k_block) {
    auto hashed = sha256_of(key, {});
    std::memcpy(padded.data(), hashed.data(), hashed.size());
  } else {
    std::memcpy(padded.data(), key.data(), key.size());
  }
  std::array<char, k_block> inner_pad{};
  std::array<char, k_block> outer_pad{};
  for (std::size_t i = 0; i < k_block; ++i) {
    inner_pad[i] = static_cast<char>(padded[i] ^ 0x36);
    outer_pad[i] = static_cast<char>(padded[i] ^ 0x5c);
  }
  auto inner = sha256_of({inner_pad.data(), k_block}, data);
  return std::string(view(sha256_of({outer_pad.data(), k_block}, view(inner))));
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
