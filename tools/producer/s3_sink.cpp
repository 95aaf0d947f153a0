#include "s3_sink.h"

#include <fmt/format.h>

#include "aws/curl_transport.h"

namespace wc::producer {

util::Expected<std::unique_ptr<S3Sink>, std::string> S3Sink::open(const std::string& bucket,
                                                                  const aws::AwsOptions& options,
                                                                  const aws::EnvLookup& env) {
  auto config = aws::resolve_service_config("s3", options, env);
  if (!config) {
    return util::Unexpected(
        fmt::format("cannot write requests to s3://{}: {}", bucket, config.error()));
  }
  auto client =
      std::make_unique<aws::S3Client>(std::move(*config), std::make_shared<aws::CurlTransport>());
  // A missing bucket or an unreachable endpoint stops the run before it starts. A 403 does
  // not: a producer's credentials may allow PutObject without ListBucket, which HeadBucket
  // needs; bad credentials then fail on the first put, naming the cause just as clearly.
  if (auto usable = client->head_bucket(bucket); !usable && usable.error().http_status != 403) {
    return util::Unexpected(
        fmt::format("cannot write requests to s3://{}: {}", bucket, usable.error().describe()));
  }
  return std::unique_ptr<S3Sink>(new S3Sink(bucket, std::move(client)));
}

util::Expected<PutOutcome, std::string> S3Sink::put(const std::string& key, const std::string& body,
                                                    bool overwrite) {
  aws::PutObjectRequest options;
  options.content_type = "application/json";
  options.if_none_match = !overwrite;
  auto stored = client_->put_object(bucket_, key, body, options);
  if (stored) return PutOutcome::stored;
  if (stored.error().code == "PreconditionFailed") return PutOutcome::key_taken;
  return util::Unexpected(stored.error().describe());
}

std::string S3Sink::where() const { return fmt::format("s3://{}", bucket_); }

}  // namespace wc::producer
