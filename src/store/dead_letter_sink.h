#pragma once
// The dead-letter place (SPEC §7): each rejected or failed request's original bytes and a
// small JSON record saying why.

#include <chrono>
#include <cstddef>
#include <string>

#include "store/widget_store.h"
#include "util/expected.h"

namespace wc::store {

struct DeadLetter {
  std::string source;      ///< "S3 bucket 'requests'"
  std::string source_key;  ///< the request's key in its source
  std::string body;        ///< the original bytes, unchanged
  std::string reason;
  int attempts = 1;
  std::chrono::system_clock::time_point time;
};

/// Longest dead-letter file name kept whole: with ".error.json" and a temporary file's
/// decoration it stays within the 255-byte limit of a file name.
inline constexpr std::size_t k_max_whole_dead_letter_name = 200;
/// How much of the encoded key a shortened name keeps before its hash.
inline constexpr std::size_t k_shortened_name_prefix = 160;
/// S3's longest key.
inline constexpr std::size_t k_max_s3_key = 1024;

/// {"sourceKey":…,"source":…,"reason":…,"time":"2026-11-25T12:00:00.123Z","attempts":1,
///  "bytes":N}, and "sourceKeyBase64" with the exact bytes of a key that is not UTF-8 (JSON
/// text can only hold it with replacement characters).
std::string dead_letter_record(const DeadLetter& letter);

/// A name for `key` that is one safe path component of at most k_max_whole_dead_letter_name
/// bytes: every byte but A-Z a-z 0-9 - _ . ~ is percent-encoded, and a leading '.' too, so
/// "../x" becomes "%2E.%2Fx". When that is longer, shortened_dead_letter_name.
std::string dead_letter_name(const std::string& key);

/// The first k_shortened_name_prefix bytes of the encoded key (whole %XX triplets), '+' and
/// the first 32 hex digits of the key's SHA-256. An encoded key holds no '+', so a shortened
/// name never equals a whole one, and the hash tells long keys with the same start apart.
std::string shortened_dead_letter_name(const std::string& key);

/// The object key that keeps `key` in a dead-letter bucket: the key itself when it is UTF-8,
/// leaves room for ".error.json" within k_max_s3_key bytes and does not end like a shortened
/// name; otherwise shortened_dead_letter_name.
std::string dead_letter_object_key(const std::string& key);

class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  virtual std::string describe() const = 0;
  /// Checks the place exists and can be written (a directory is created). The error's kind
  /// says, as for a widget store, whether waiting may help (transient) or not (fatal).
  virtual util::Expected<void, StoreError> check() = 0;
  /// Keeps the letter durably: `{name}` holds the bytes, `{name}.error.json` the record.
  /// Keeping the same letter twice leaves one copy.
  virtual util::Expected<void, StoreError> keep(const DeadLetter& letter) = 0;
};

}  // namespace wc::store
