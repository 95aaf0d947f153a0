#pragma once
// Which source, store and dead-letter place the backend flags choose (SPEC §2).

#include <optional>
#include <string>

#include "app/config.h"

namespace wc::app {

/// The backend flags as given; empty means not given.
struct BackendFlags {
  std::string storage;  ///< "S3" or "DynamoDB", any case
  std::string request_bucket, request_queue, requests_dir;
  std::string widget_bucket, dynamodb_table, widgets_dir;
  std::string dead_letter_dir, dead_letter_bucket, dead_letter_queue;
};

/// Fills the backend part of `config`. With no backend flag at all, the local directories
/// `requests/` and `widget-store/` are used. Otherwise exactly one source and one store must be
/// named, and -ss must agree with the store. Returns one line saying what is wrong and what
/// to write instead, or nullopt.
std::optional<std::string> select_backends(const BackendFlags& flags, Config& config);

}  // namespace wc::app
