#pragma once
// AWS credentials, and the interface every client asks for them before signing a call.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace wc::aws {

using SystemTime = std::chrono::system_clock::time_point;

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  ///< empty when not temporary credentials
  /// When temporary credentials stop working; nullopt for keys that do not expire.
  std::optional<SystemTime> expiration = std::nullopt;
};

/// Where the credentials of a process come from: one object shared by every client.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;

  /// Credentials that may sign a request now. Thread-safe, and cheap unless a renewal is
  /// overdue (then the caller waits for it). Credentials at or past their expiry are never
  /// returned: when they could not be renewed, the error names the provider and the cause.
  virtual util::Expected<std::shared_ptr<const Credentials>, std::string> current() = 0;

  /// "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY", "EC2 instance metadata
  /// (role 'web')", ...: for the start-up line and errors. Never contains a secret.
  virtual std::string describe() const = 0;
};

/// Keys that never change (environment, shared files, an explicit set in tests): no renewal,
/// no lock, nothing to pay per call but a shared_ptr copy.
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  StaticCredentialsProvider(Credentials credentials, std::string description);

  util::Expected<std::shared_ptr<const Credentials>, std::string> current() override {
    return credentials_;
  }
  std::string describe() const override { return description_; }

 private:
  std::shared_ptr<const Credentials> credentials_;
  std::string description_;
};

/// A provider handing out `credentials` for ever (tests, tools, a profile's static keys).
std::shared_ptr<CredentialsProvider> static_credentials(Credentials credentials,
                                                        std::string description = "static keys");

/// Looks up an environment variable; tests pass a map, production passes std::getenv.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
EnvLookup process_environment();

}  // namespace wc::aws
