#pragma once
// Turning a failed AWS call into a StoreError.

#include <string>

#include "aws/aws_error.h"
#include "store/widget_store.h"

namespace wc::store {

/// Kind from aws::classify; the message starts with `store` ("widget store S3 bucket 'w': ").
StoreError store_error(const std::string& store, const aws::AwsError& error);

}  // namespace wc::store
