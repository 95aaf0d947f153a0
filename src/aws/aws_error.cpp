#include "aws/aws_error.h"

#include <fmt/format.h>

namespace wc::aws {

std::string AwsError::describe() const {
  std::string out = operation;
  if (!resource.empty()) out += " on " + resource;
  out += " failed: ";
  out += code.empty() ? "UnknownError" : code;
  if (http_status != 0) out += fmt::format(" (HTTP {})", http_status);
  if (!message.empty()) out += ": " + message;
  out += fmt::format(" (after {} attempt{})", attempts, attempts == 1 ? "" : "s");
  return out;
}

}  // namespace wc::aws
