#pragma once
// Every bound on trying again, in one table. Which failures count as transient is decided in
// one place too (aws/retry_policy.cpp); this says how often and how long each kind of work is
// tried before the consumer gives up on it, and what giving up means.
//
// | work                      | tries                                  | then                    |
// |---------------------------|----------------------------------------|-------------------------|
// | one AWS call              | 6 attempts, back-off 50 ms..5 s, full  | the call fails (below)  |
// |                           | jitter (aws::RetryPolicy)              |                         |
// | a request the store fails | k_store_attempts, k_store_pause apart, | dead-lettered with the  |
// | while the store answers   | each a full AWS call                   | last error              |
// | anything while its place  | back-off (PollBackoff) until           | exit 1 naming the place |
// | (source, store, dead-     | --outage-timeout (k_default_outage_    | (0 = retried forever)   |
// | letter place) is          | timeout) has passed since it last      |                         |
// | unreachable               | answered                               |                         |
// | removing applied requests | RemovalBatcher only, under the source's| exit 1; the requests    |
// |                           | outage rule                            | stay (a replay is safe) |
// | an SQS lease renewal      | every beat while the lease lasts, each | the lease is lost: the  |
// |                           | call cut at 1/6 of the term (max 5 s)  | message is not applied  |
// | a queue message           | --max-receives deliveries (default 10),| dead-lettered; a queue  |
// |                           | on queues without a redrive policy     | with one redrives it    |
// | stopping (signal, limit)  | work in hand gets k_stop_grace         | cut: left for replay    |

#include <chrono>

namespace wc::consumer {

/// Applies of one request while the store keeps answering but refusing it transiently.
inline constexpr int k_store_attempts = 3;
inline constexpr std::chrono::milliseconds k_store_pause{500};

/// --outage-timeout's default: how long an unreachable source, store or dead-letter place is
/// waited for before the run ends with exit 1.
inline constexpr std::chrono::seconds k_default_outage_timeout{300};

/// --max-receives's default.
inline constexpr int k_default_max_receives = 10;

/// After a stop is asked for, requests in hand get this long to finish; then their calls are
/// cut and they are left in the source. Removals and give-backs get the rest of k_stop_budget.
inline constexpr std::chrono::milliseconds k_stop_grace{1200};
inline constexpr std::chrono::milliseconds k_stop_budget{1800};

}  // namespace wc::consumer
