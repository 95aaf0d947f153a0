#pragma once
// Sorts failed AWS calls into what the caller should do about them.

#include "aws/aws_error.h"

namespace wc::aws {

enum class ErrorClass {
  transient,    ///< retries were exhausted on a transient failure: the service may be down
  access,       ///< the resource is missing or the credentials are refused: nothing will succeed
  request,      ///< this one call was refused (bad input, too large, ...): others may succeed
  interrupted,  ///< cut short by the thread's CallLimits (a stop, a lease's end): outcome unknown
};

/// NoSuchBucket, AccessDenied (AccessDeniedException), InvalidAccessKeyId,
/// SignatureDoesNotMatch, expired or invalid tokens, an account or KMS key that refuses every
/// call, a bucket in another region, and the like are `access`, as is any HTTP 401 or 403; a
/// retryable failure is `transient`; a call cut short by its CallLimits is `interrupted`; the
/// rest `request`.
ErrorClass classify(const AwsError& error);

}  // namespace wc::aws
