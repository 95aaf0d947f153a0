#pragma once
// Turns one request's bytes into its effect on the store: validate, then apply with the
// attempts attempt_budgets.h allows, within the request's lease, and say what happened. Knows
// nothing of sources or of order.

#include <atomic>
#include <optional>
#include <string>
#include <variant>

#include "consumer/outage.h"
#include "consumer/run_metrics.h"
#include "consumer/stop_flag.h"
#include "model/request.h"
#include "source/lease.h"
#include "store/widget_store.h"

namespace wc::consumer {

enum class Disposition {
  applied,     ///< the store holds the effect (outcome says which)
  failed,      ///< the store kept refusing this request: dead-letter it with the last error
  fatal,       ///< the store itself is unusable (or unreachable too long): stop, leave it
  given_back,  ///< not applied for sure (a stop, the lease ending): leave it to the source
};

struct Processed {
  Disposition disposition = Disposition::applied;
  std::optional<store::Outcome> outcome;  ///< set when applied
  std::string reason;                     ///< why, when not applied
  int attempts = 0;                       ///< how many times the store was asked
};

class RequestProcessor {
 public:
  /// `halt`: a stop was asked for (no new attempt starts); `cut`: calls in progress end at
  /// once. `store_outage` is shared by every lane: one clock for the store's unreachability.
  /// Every store call is recorded in `metrics` (readiness), and each apply's duration.
  RequestProcessor(store::WidgetStore& store, Outage& store_outage, const StopFlag& halt,
                   const std::atomic<bool>& cut, RunMetrics& metrics);

  /// Parses the body and checks the store can hold it: the request, or why it is rejected.
  std::variant<model::WidgetRequest, std::string> validate(std::string_view body) const;

  /// Applies a valid request. Each store call runs under CallLimits that end it before the
  /// lease does (less a margin for the queue's clock), and none starts with less than a
  /// quarter of a lease term left. A store that refuses the request transiently while it
  /// answers its health check is tried k_store_attempts times, then the request fails; a store
  /// that does not answer is waited for under the outage rule. Thread-safe.
  Processed apply(const model::WidgetRequest& request, const source::Lease& lease) const;

 private:
  store::WidgetStore& store_;
  Outage& store_outage_;
  const StopFlag& halt_;
  const std::atomic<bool>& cut_;
  RunMetrics& metrics_;
};

}  // namespace wc::consumer
