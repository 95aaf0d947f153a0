#include "util/thread_rng.h"

#include <memory>

namespace wc::util {

std::mt19937_64& thread_rng() {
  thread_local std::unique_ptr<std::mt19937_64> rng;
  if (!rng) rng = std::make_unique<std::mt19937_64>(std::random_device{}());
  return *rng;
}

}  // namespace wc::util
