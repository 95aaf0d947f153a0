#pragma once
// Where widget-producer puts requests: a local directory or an S3 bucket, both keyed by the
// bare request key (no ".json"), as the consumer's request sources expect.

#include <string>

#include "util/expected.h"

namespace wc::producer {

enum class PutOutcome {
  stored,
  key_taken,  ///< the key already existed and overwriting was not allowed; nothing changed
};

class RequestSink {
 public:
  virtual ~RequestSink() = default;

  /// Stores `body` under `key`, all or nothing: a reader never sees a partial request. With
  /// `overwrite` false an existing key is left untouched (key_taken), so two producers sharing
  /// a source cannot silently replace each other's requests. Errors name the place and cause.
  virtual util::Expected<PutOutcome, std::string> put(const std::string& key,
                                                      const std::string& body, bool overwrite) = 0;

  /// Where the requests go, for messages: "directory 'requests'", "s3://bucket".
  virtual std::string where() const = 0;
};

}  // namespace wc::producer
