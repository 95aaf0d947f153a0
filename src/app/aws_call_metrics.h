#pragma once
// How long AWS takes to answer, by service and operation: AwsCaller reports each attempt
// (aws::AttemptObserver) and this keeps a histogram per operation for /metrics.

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/aws_call.h"
#include "util/histogram.h"

namespace wc::app {

class AwsCallMetrics {
 public:
  /// Thread-safe; after an operation's first call, only a shared lock and atomics.
  void observe(const aws::AttemptEvent& event);

  struct Series {
    std::string service;
    std::string operation;
    util::DurationHistogram::Snapshot durations;
  };
  /// Every operation seen so far, ordered by service, then operation.
  std::vector<Series> snapshot() const;

 private:
  using Key = std::pair<std::string, std::string>;  ///< service, operation
  using KeyView = std::pair<std::string_view, std::string_view>;
  /// Finds a Key by a KeyView, so that an observation allocates nothing.
  struct KeyLess {
    using is_transparent = void;
    static KeyView view(const Key& key) { return {key.first, key.second}; }
    static KeyView view(const KeyView& key) { return key; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return view(a) < view(b);
    }
  };

  mutable std::shared_mutex mutex_;
  std::map<Key, std::unique_ptr<util::DurationHistogram>, KeyLess> histograms_;
};

}  // namespace wc::app
