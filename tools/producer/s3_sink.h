#pragma once
// Requests as objects s3://BUCKET/<key>, the request bucket widget-consumer reads with -rb.

#include <memory>
#include <string>

#include "aws/aws_session.h"
#include "aws/credentials.h"
#include "aws/s3_client.h"
#include "request_sink.h"
#include "util/expected.h"

namespace wc::producer {

/// PutObject with Content-Type application/json. Without overwrite the put carries
/// If-None-Match: *, so S3 itself refuses to replace a request another producer wrote under
/// the same key. Transient failures are retried by the S3 client; a retried put whose first
/// attempt did land answers key_taken, and the caller writes the request again under the next
/// key: a duplicate right behind the original, which SPEC §4 makes harmless.
class S3Sink final : public RequestSink {
 public:
  /// Resolves region, endpoint and credentials like the AWS CLI (flags, then `env`, then the
  /// shared files) and checks with HeadBucket that the bucket exists and the endpoint answers
  /// (a 403 is let through: see s3_sink.cpp). The error names the bucket and the cause.
  static util::Expected<std::unique_ptr<S3Sink>, std::string> open(const std::string& bucket,
                                                                   const aws::AwsOptions& options,
                                                                   const aws::EnvLookup& env);

  util::Expected<PutOutcome, std::string> put(const std::string& key, const std::string& body,
                                              bool overwrite) override;
  std::string where() const override;

  /// HTTP requests sent and retries made so far.
  std::uint64_t calls() const { return client_->calls(); }
  std::uint64_t retries() const { return client_->retries(); }

 private:
  S3Sink(std::string bucket, std::unique_ptr<aws::S3Client> client)
      : bucket_(std::move(bucket)), client_(std::move(client)) {}

  std::string bucket_;
  std::unique_ptr<aws::S3Client> client_;
};

}  // namespace wc::producer
