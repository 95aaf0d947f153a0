#include "app/aws_call_metrics.h"

#include <mutex>

namespace wc::app {

void AwsCallMetrics::observe(const aws::AttemptEvent& event) {
  const KeyView key{event.service, event.operation};
  {
    std::shared_lock lock(mutex_);
    if (auto found = histograms_.find(key); found != histograms_.end()) {
      found->second->observe(event.duration);
      return;
    }
  }
  std::unique_lock lock(mutex_);
  auto& histogram = histograms_[Key(std::string(event.service), std::string(event.operation))];
  if (!histogram) histogram = std::make_unique<util::DurationHistogram>();
  histogram->observe(event.duration);
}

std::vector<AwsCallMetrics::Series> AwsCallMetrics::snapshot() const {
  std::vector<Series> out;
  std::shared_lock lock(mutex_);
  for (const auto& [key, histogram] : histograms_) {
    out.push_back({key.first, key.second, histogram->snapshot()});
  }
  return out;
}

}  // namespace wc::app
