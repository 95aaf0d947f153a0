#pragma once
// Where requests come from. A source hands requests out in its order and removes them only
// when told to, after their effect is stored.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/expected.h"

namespace wc::source {

/// One request handed out by a source.
struct SourceRequest {
  std::string key;      ///< S3 key, file name or message id: what logs and dead letters name
  std::uint64_t size = 0;
  std::optional<std::string> body;  ///< set by sources that get it with the listing
  std::string receipt;  ///< source-specific handle needed to remove it (SQS receipt handle)
};

struct SourceError {
  std::string message;  ///< names the source and the cause
  bool fatal = false;   ///< the source is missing or refuses us: stop instead of retrying
};

class RequestSource {
 public:
  virtual ~RequestSource() = default;

  /// "S3 bucket 'requests'", "directory 'reqs'".
  virtual std::string describe() const = 0;

  /// Checks the source exists and may be read; a fatal error ends the run before any work.
  virtual util::Expected<void, SourceError> check() = 0;

  /// At most `max` requests, in source order, that were not handed out before (or were handed
  /// out and released). Empty when none is waiting.
  virtual util::Expected<std::vector<SourceRequest>, SourceError> poll(std::size_t max) = 0;

  /// The request's bytes. nullopt when it vanished from the source since it was listed.
  virtual util::Expected<std::optional<std::string>, SourceError> read(
      const SourceRequest& request) = 0;

  /// Removes an applied (or dead-lettered) request for good.
  virtual util::Expected<void, SourceError> remove(const SourceRequest& request) = 0;

  /// Removes several requests, in as few calls as the source allows (DeleteObjects,
  /// DeleteMessageBatch). Returns the ones that could not be removed, each with its error;
  /// the call as a whole fails only when nothing could be attempted. The default removes one
  /// at a time.
  virtual util::Expected<std::vector<std::pair<SourceRequest, SourceError>>, SourceError>
  remove_batch(const std::vector<SourceRequest>& requests);

  /// Asked just before a handed-out request is applied: false when it may no longer be
  /// applied here, because the source may already have handed it to another consumer (a queue
  /// message whose visibility could not be kept). Such a request is skipped, neither applied
  /// nor removed; the source hands it out again later. Default: true.
  virtual bool still_held(const SourceRequest& request) {
    (void)request;
    return true;
  }

  /// Gives back requests that were handed out but will not be worked on (a stop was
  /// requested): a queue makes them visible to other consumers at once. Default: nothing to do.
  virtual void release(const std::vector<SourceRequest>& requests) { (void)requests; }
};

}  // namespace wc::source
