#pragma once
// Requests are the objects of an S3 bucket, taken in key order (SPEC §1, §3). Keys are listed a
// page (1000) at a time ahead of the work; each poll reads the bodies of the keys it hands out,
// `reads_in_flight` at a time, all from the polling thread (S3Client::get_objects). A bucket's
// requests are ours until removed: their leases never end.

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/s3_client.h"
#include "source/key_window.h"
#include "source/request_source.h"

namespace wc::source {

struct S3SourceOptions {
  /// GetObject calls one poll keeps in flight at once.
  std::size_t reads_in_flight = 32;
  /// Where warnings go (a request that vanished before it was read); the source does not log.
  std::function<void(const std::string&)> warn;
};

class S3RequestSource : public RequestSource {
 public:
  S3RequestSource(std::shared_ptr<aws::S3Client> client, std::string bucket,
                  S3SourceOptions options = {});

  std::string describe() const override;
  /// HeadBucket: a missing bucket or refused credentials are fatal.
  util::Expected<void, SourceError> open() override;
  /// Takes up to `max` keys from the last ListObjectsV2 page (listing the next page, after the
  /// last key seen, when it is used up) and reads their bodies. Folder markers (keys ending in
  /// '/' with no content) are not requests and are skipped; so are keys deleted since the
  /// listing (with a warning). When a body cannot be read, the requests before it are handed
  /// out and that key and the ones after it are kept for the next poll, which fails with the
  /// error if it is the first. Never waits for requests to arrive.
  util::Expected<std::vector<LeasedRequest>, SourceError> poll(
      std::size_t max, LeaseClock::time_point until) override;
  /// DeleteObjects, 1000 keys a call.
  util::Expected<std::vector<NotRemoved>, SourceError> acknowledge(
      const std::vector<LeasedRequest>& requests) override;
  /// The keys may be handed out again by this source.
  void give_back(const std::vector<LeasedRequest>& requests) override;

 private:
  /// `opening`: from open(), where a refused call (not only refused access) is fatal.
  SourceError error(const aws::AwsError& error, bool opening = false) const;
  util::Expected<void, SourceError> list_page();
  /// GetObject of every key, `reads_in_flight` at a time: the body, nullopt when the key is
  /// gone, or the error.
  std::vector<util::Expected<std::optional<std::string>, SourceError>> read_bodies(
      const std::vector<aws::S3Object>& objects);

  std::shared_ptr<aws::S3Client> client_;
  std::string bucket_;
  S3SourceOptions options_;
  std::mutex mutex_;
  KeyWindow window_;
  std::deque<aws::S3Object> listed_;  ///< listed, not yet handed out, in key order
};

}  // namespace wc::source
