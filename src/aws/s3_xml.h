#pragma once
// The XML documents of the S3 REST API this project reads and writes (pugixml underneath).
// Parsers never throw: a document that is not what S3 sends becomes an error value.

#include <string>
#include <string_view>
#include <vector>

#include "aws/s3_client.h"
#include "util/expected.h"

namespace wc::aws {

/// Parses a ListObjectsV2 answer (<ListBucketResult>). Keys are URL-decoded when the document
/// says <EncodingType>url</EncodingType> ('+' is a space there, as S3 encodes a literal '+' as
/// %2B). A page marked truncated must carry a NextContinuationToken, or it is an error: an
/// empty token would otherwise read as "last page". The error text says what was wrong.
util::Expected<ListObjectsPage, std::string> parse_list_objects_v2(std::string_view xml);

/// What an S3 <Error> document says.
struct S3ErrorDocument {
  std::string code;
  std::string message;
  std::string request_id;
};

/// Which kind of resource a request addressed, to name a 404 that came without a body.
enum class S3Target { bucket, object };

/// Reads the <Error> document of a failed S3 response. When the body is empty (HEAD answers
/// have none) or is not an S3 error document (a proxy's HTML page), the code is derived from
/// the status: 404 is NoSuchBucket or NoSuchKey by `target`, 403 AccessDenied, 412
/// PreconditionFailed, 503 ServiceUnavailable... and the message keeps the start of any body.
S3ErrorDocument parse_s3_error(long http_status, std::string_view body, S3Target target);

/// A bucket that lives in another region than the requests were signed for: S3 answers 301
/// PermanentRedirect (a HEAD with no body) or 400 AuthorizationHeaderMalformed, and names the
/// bucket's region in the x-amz-bucket-region header. When the error is such a redirect or
/// wrong-region refusal and `bucket_region` is set and differs from `signed_region`, it becomes
/// PermanentRedirect with a message naming both regions and the --region to run with;
/// otherwise it is left as it is.
void explain_other_region(S3ErrorDocument& error, std::string_view bucket_region,
                          std::string_view signed_region);

/// One key a DeleteObjects request could not delete.
struct S3DeleteFailure {
  std::string key;
  std::string code;
  std::string message;
};

/// What a <DeleteResult> reports: the keys deleted (none in quiet mode) and those that failed.
struct S3DeleteResult {
  std::vector<std::string> deleted;
  std::vector<S3DeleteFailure> failed;
};

/// Parses a DeleteObjects answer (<DeleteResult>).
util::Expected<S3DeleteResult, std::string> parse_delete_result(std::string_view xml);

/// Builds a DeleteObjects request body in quiet mode (only failures are reported back);
/// keys are XML-escaped, a carriage return as &#13; so that it survives the server's
/// line-end normalisation.
std::string build_delete_request(const std::vector<std::string>& keys);

}  // namespace wc::aws
