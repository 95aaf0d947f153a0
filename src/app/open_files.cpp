#include "app/open_files.h"

#include <sys/resource.h>

namespace wc::app {

namespace {

constexpr std::uint64_t k_files_per_lane = 4;
constexpr std::uint64_t k_other_files = 64;
constexpr rlim_t k_unlimited_target = 1'048'576;

}  // namespace

OpenFileLimit raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  OpenFileLimit result{limit.rlim_cur, limit.rlim_cur};
  const rlim_t target = limit.rlim_max == RLIM_INFINITY ? k_unlimited_target : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
    rlimit raised{target, limit.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) result.now = target;
  }
  return result;
}

std::uint64_t open_files_needed(std::size_t concurrency) {
  return k_files_per_lane * concurrency + k_other_files;
}

}  // namespace wc::app
