#include "source/request_source.h"

namespace wc::source {

util::Expected<std::vector<std::pair<SourceRequest, SourceError>>, SourceError>
RequestSource::remove_batch(const std::vector<SourceRequest>& requests) {
  std::vector<std::pair<SourceRequest, SourceError>> failed;
  for (const auto& request : requests) {
    if (auto removed = remove(request); !removed) failed.emplace_back(request, removed.error());
  }
  return failed;
}

}  // namespace wc::source
