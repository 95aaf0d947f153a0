#pragma once
// The live numbers of a run beyond the outcome counts (RunStats), for the metrics endpoint and
// its health checks: requests in hand and the age of the oldest, how long the store takes to
// apply a request, whether the source and the store answer (readiness), whether the dispatch
// loop still turns (liveness), and queue leases renewed and lost.
//
// Thread-safe and cheap on the hot paths: atomics, plus one short lock per request taken and
// one per request let go (the set of requests in hand).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "source/request_source.h"
#include "store/widget_store.h"
#include "util/histogram.h"

namespace wc::consumer {

/// Where a run is: checking its source and store, consuming, or on its way out.
enum class Phase { starting, running, stopping };

/// The answer of a health check: ok, or why not (one line, for the HTTP body and logs).
struct Health {
  bool ok = true;
  std::string reason;
};

/// Whether one peer (the source or the store) answers. An answer is any reply, including a
/// refusal of one request; a failure is the peer failing as a whole (unreachable, retries
/// used up, gone).
class PeerHealth {
 public:
  using Clock = std::chrono::steady_clock;

  /// `name` ("source", "store") starts every reason.
  explicit PeerHealth(std::string name) : name_(std::move(name)) {}

  void call_started(Clock::time_point now);
  void answered(Clock::time_point now);
  void failed(Clock::time_point now, std::string reason);
  void call_ended();

  /// Not ok while the last call failed, or while calls have been waiting `no_answer_limit`
  /// without any answer.
  Health health(Clock::time_point now, Clock::duration no_answer_limit) const;
  /// How long since the last call ended (answered or failed); since construction when none.
  Clock::duration quiet_for(Clock::time_point now) const;
  bool busy() const { return in_progress_.load(std::memory_order_relaxed) > 0; }
  /// Wall-clock time of the last answer, seconds since the epoch; 0 when none yet.
  double last_answer_unix_seconds() const;

 private:
  static std::int64_t ticks(Clock::time_point t) { return t.time_since_epoch().count(); }

  const std::string name_;
  std::atomic<int> in_progress_{0};
  std::atomic<std::int64_t> busy_since_{ticks(Clock::now())};
  std::atomic<std::int64_t> last_answer_{0};
  std::atomic<std::int64_t> last_end_{ticks(Clock::now())};
  std::atomic<double> last_answer_unix_{0};
  std::atomic<bool> failing_{false};
  mutable std::mutex reason_mutex_;
  std::string reason_;  ///< why the last call failed, when failing_
};

class RunMetrics {
 public:
  using Clock = std::chrono::steady_clock;

  /// Calls that wait this long with no answer at all make the peer not ready (a long poll
  /// waits up to 20 s, and a call may be retried for a while after that).
  static constexpr std::chrono::seconds k_no_answer_limit{60};
  /// The dispatch loop turns every 50 ms; this much silence means it is stuck.
  static constexpr std::chrono::seconds k_loop_stall_limit{10};

  /// A request in the consumer's hands, from the moment the source handed it out until the
  /// token is destroyed (finished, released or vanished). Movable; empty when default-made.
  class Tracked {
   public:
    Tracked() = default;
    Tracked(Tracked&& other) noexcept { *this = std::move(other); }
    Tracked& operator=(Tracked&& other) noexcept;
    ~Tracked() { reset(); }
    void reset();

   private:
    friend class RunMetrics;
    RunMetrics* owner_ = nullptr;
    std::multiset<Clock::time_point>::iterator entry_;
  };

  RunMetrics() = default;
  RunMetrics(const RunMetrics&) = delete;
  RunMetrics& operator=(const RunMetrics&) = delete;

  Tracked track(Clock::time_point taken);
  std::size_t in_flight() const;
  /// How long the oldest request in hand has been held; zero when none.
  Clock::duration oldest_age(Clock::time_point now) const;

  /// Runs `call` (a source operation returning Expected<T, SourceError>) and records whether
  /// the source answered. Returns what the call returned.
  template <class Call>
  auto source_call(Call&& call) {
    CallScope scope(source_);
    auto result = call();
    if (result) {
      source_.answered(Clock::now());
    } else {
      source_.failed(Clock::now(), result.error().message);
    }
    return result;
  }

  /// The same for a store operation (Expected<T, StoreError>); a refusal of one request is an
  /// answer.
  template <class Call>
  auto store_call(Call&& call) {
    CallScope scope(store_);
    auto result = call();
    if (result || result.error().kind == store::StoreErrorKind::request) {
      store_.answered(Clock::now());
    } else {
      store_.failed(Clock::now(), result.error().message);
    }
    return result;
  }

  const PeerHealth& source() const { return source_; }
  const PeerHealth& store() const { return store_; }

  /// The time one request took to apply to the store, attempts and pauses included.
  void observe_apply(Clock::duration duration) { apply_durations_.observe(duration); }
  const util::DurationHistogram& apply_durations() const { return apply_durations_; }

  void leases_renewed(std::uint64_t count) { leases_renewed_ += count; }
  void leases_lost(std::uint64_t count) { leases_lost_ += count; }
  std::uint64_t leases_renewed_total() const { return leases_renewed_.load(); }
  std::uint64_t leases_lost_total() const { return leases_lost_.load(); }

  void set_phase(Phase phase) { phase_.store(phase); }
  Phase phase() const { return phase_.load(); }
  /// The dispatch loop turned.
  void beat(Clock::time_point now = Clock::now()) { last_beat_ = now.time_since_epoch().count(); }

  /// Alive unless the run is consuming and its dispatch loop has not turned for
  /// k_loop_stall_limit.
  Health liveness(Clock::time_point now) const;
  /// Ready while consuming, with the source and the store answering (PeerHealth::health).
  Health readiness(Clock::time_point now) const;

 private:
  class CallScope {
   public:
    explicit CallScope(PeerHealth& peer) : peer_(peer) { peer_.call_started(Clock::now()); }
    ~CallScope() { peer_.call_ended(); }
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;

   private:
    PeerHealth& peer_;
  };

  mutable std::mutex held_mutex_;
  std::multiset<Clock::time_point> held_;  ///< when each request in hand was taken
  PeerHealth source_{"source"};
  PeerHealth store_{"store"};
  util::DurationHistogram apply_durations_;
  std::atomic<std::uint64_t> leases_renewed_{0};
  std::atomic<std::uint64_t> leases_lost_{0};
  std::atomic<Phase> phase_{Phase::starting};
  std::atomic<std::int64_t> last_beat_{Clock::now().time_since_epoch().count()};
};

}  // namespace wc::consumer
