#pragma once
// Turns one request's bytes into its effect on the store: validate, then apply with bounded
// attempts, and say what happened. Knows nothing of sources or of order.

#include <optional>
#include <string>
#include <variant>

#include "consumer/run_metrics.h"
#include "consumer/stop_flag.h"
#include "model/request.h"
#include "store/widget_store.h"

namespace wc::consumer {

enum class Disposition {
  applied,   ///< the store holds the effect (outcome says which)
  rejected,  ///< the request is invalid (SPEC §3): dead-letter it
  failed,    ///< the store kept refusing this request: dead-letter it with the last error
  fatal,     ///< the store itself is unusable: stop, leave the request in the source
  abandoned, ///< a stop was requested while retrying: leave the request in the source
};

struct Processed {
  Disposition disposition = Disposition::applied;
  std::optional<store::Outcome> outcome;        ///< set when applied
  std::optional<model::WidgetRequest> request;  ///< set when it parsed
  std::string reason;                           ///< why, when not applied
  int attempts = 0;                             ///< how many times the store was asked
};

class RequestProcessor {
 public:
  /// Attempts per request on transient store failures; each attempt already retries inside the
  /// AWS layer, so this bounds the whole at a few minutes at worst.
  static constexpr int k_max_attempts = 3;
  static constexpr std::chrono::milliseconds k_attempt_pause{500};

  /// Every store call is recorded in `metrics` (readiness), and each apply's duration.
  RequestProcessor(store::WidgetStore& store, const StopFlag& stop, RunMetrics& metrics);

  /// Parses the body and checks the store can hold it: the request, or why it is rejected.
  std::variant<model::WidgetRequest, std::string> validate(std::string_view body) const;

  /// Applies a valid request, with bounded attempts on transient failures. Thread-safe.
  Processed apply(model::WidgetRequest request) const;

 private:
  store::WidgetStore& store_;
  const StopFlag& stop_;
  RunMetrics& metrics_;
};

}  // namespace wc::consumer
