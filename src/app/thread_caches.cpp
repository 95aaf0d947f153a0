#include "app/thread_caches.h"

#include <sys/auxv.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace wc::app {

std::optional<std::string> tuned_glibc_tunables(const char* current) {
  const std::string_view now = current == nullptr ? std::string_view() : current;
  if (now.find("glibc.malloc.tcache") != std::string_view::npos) return std::nullopt;
  if (now.empty()) return std::string(k_thread_cache_tunable);
  return std::string(now) + ":" + k_thread_cache_tunable;
}

bool under_valgrind(const char* ld_preload) {
  return ld_preload != nullptr &&
         std::string_view(ld_preload).find("vgpreload") != std::string_view::npos;
}

void limit_thread_caches(char** argv) {
  const char* current = std::getenv("GLIBC_TUNABLES");
  const auto tuned = tuned_glibc_tunables(current);
  // Set-user-id: glibc drops the variable, and the next start would try again forever.
  if (!tuned || getauxval(AT_SECURE) != 0 || under_valgrind(std::getenv("LD_PRELOAD"))) return;
  const std::optional<std::string> before =
      current == nullptr ? std::nullopt : std::optional<std::string>(current);
  if (::setenv("GLIBC_TUNABLES", tuned->c_str(), 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // Still here (no /proc, say): run as we are, with the environment as it was.
  if (before) {
    ::setenv("GLIBC_TUNABLES", before->c_str(), 1);
  } else {
    ::unsetenv("GLIBC_TUNABLES");
  }
}

}  // namespace wc::app
