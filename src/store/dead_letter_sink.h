#pragma once
// The dead-letter place (SPEC §7): each rejected or failed request's original bytes and a
// small JSON record saying why.

#include <chrono>
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

/// {"sourceKey":…,"source":…,"reason":…,"time":"2026-11-25T12:00:00.123Z","attempts":1,
///  "bytes":N}
std::string dead_letter_record(const DeadLetter& letter);

/// A name for `key` that is one safe path component: every byte but A-Z a-z 0-9 - _ . ~ is
/// percent-encoded, and a leading '.' too, so "../x" becomes "%2E.%2Fx".
std::string dead_letter_name(const std::string& key);

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
