#pragma once
// Where requests come from. A source hands requests out in its order, each with its bytes and
// a lease, and removes one only when told to, after its effect is stored. The pipeline talks
// to it in three words: poll, acknowledge, give back.

#include <cstddef>
#include <string>
#include <vector>

#include "source/lease.h"
#include "util/expected.h"

namespace wc::source {

/// One request handed out by a source.
struct LeasedRequest {
  std::string key;     ///< S3 key, file name or message id: what logs and dead letters name
  std::string body;    ///< the request's bytes, exactly as the source holds them
  std::string handle;  ///< what the source needs to remove or give it back (SQS receipt handle)
  Lease lease;         ///< how long it stays this consumer's to apply
  /// Set when the source has given up on the request before it is applied (a queue message
  /// received more often than --max-receives): the pipeline dead-letters it with this reason.
  std::string exhausted;
  /// How many times the source has handed it out, this time included (SQS's
  /// ApproximateReceiveCount); 0 where the source does not count. An exhausted request's dead
  /// letter records it as its attempts.
  long deliveries = 0;
};

struct SourceError {
  std::string message;  ///< names the source and the cause
  bool fatal = false;   ///< the source is missing or refuses us: stop instead of retrying
};

/// A request that acknowledge() could not remove.
struct NotRemoved {
  LeasedRequest request;
  SourceError error;
  /// The source no longer held it (a queue message whose lease ended and which the queue may
  /// have handed to another consumer): not an error of the run, the queue delivers it again.
  bool lease_lost = false;
};

class RequestSource {
 public:
  virtual ~RequestSource() = default;

  /// "S3 bucket 'requests'", "directory 'reqs'".
  virtual std::string describe() const = 0;

  /// Checks the source exists and may be read, and gets ready to hand requests out (a queue
  /// resolves its URL, reads its visibility timeout and starts renewing the leases of the
  /// messages it will hold). Called before the first poll; may be called again after a
  /// transient failure. A fatal error ends the run before any work.
  virtual util::Expected<void, SourceError> open() = 0;

  /// Up to `max` requests, in source order, with their bytes, that were not handed out before
  /// (or were given back). A source that can wait for requests to arrive (SQS long polling)
  /// waits until at most `until`; the others answer at once. Empty when none is waiting.
  /// Requests that vanished between listing and reading are skipped.
  virtual util::Expected<std::vector<LeasedRequest>, SourceError> poll(
      std::size_t max, LeaseClock::time_point until) = 0;

  /// Removes applied (or dead-lettered) requests for good, in as few calls as the source
  /// allows (DeleteObjects, DeleteMessageBatch). Returns the ones not removed, each with why;
  /// fails as a whole only when nothing could be attempted. No retries beyond the AWS layer's:
  /// the caller (RemovalBatcher) decides what to do with what is left.
  virtual util::Expected<std::vector<NotRemoved>, SourceError> acknowledge(
      const std::vector<LeasedRequest>& requests) = 0;

  /// Gives back requests handed out that will not be applied here (a stop, a lease about to
  /// end): a queue makes them visible to other consumers at once. Default: nothing to do, the
  /// next run lists them again.
  virtual void give_back(const std::vector<LeasedRequest>& requests) { (void)requests; }
};

}  // namespace wc::source
