#include "source/directory_request_source.h"

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <system_error>

namespace wc::source {

namespace fs = std::filesystem;

DirectoryRequestSource::DirectoryRequestSource(fs::path directory)
    : directory_(std::move(directory)) {}

std::string DirectoryRequestSource::describe() const {
  return "directory '" + directory_.string() + "'";
}

util::Expected<void, SourceError> DirectoryRequestSource::check() {
  std::error_code ec;
  if (!fs::is_directory(directory_, ec)) {
    return util::Unexpected(SourceError{
        "request source " + describe() + " does not exist or is not a directory", true});
  }
  fs::directory_iterator probe(directory_, ec);
  if (ec) {
    return util::Unexpected(
        SourceError{"request source " + describe() + " cannot be read: " + ec.message(), true});
  }
  return {};
}

util::Expected<void, SourceError> DirectoryRequestSource::scan() {
  {
    std::lock_guard lock(mutex_);
    window_.begin_listing();
  }
  std::error_code ec;
  fs::directory_iterator it(directory_, ec);
  if (ec) {
    return util::Unexpected(
        SourceError{"request source " + describe() + " cannot be read: " + ec.message(), false});
  }
  std::lock_guard lock(mutex_);
  std::set<std::string> smallest;
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name.front() == '.' || name <= window_.list_after()) continue;
    if (smallest.size() == k_scan_batch && name >= *smallest.rbegin()) continue;
    if (!window_.admits(name) || !entry.is_regular_file(ec)) continue;
    smallest.insert(std::move(name));
    if (smallest.size() > k_scan_batch) smallest.erase(std::prev(smallest.end()));
  }
  if (smallest.empty()) window_.restart_pass();
  for (const auto& name : smallest) {
    window_.pass(name);
    scanned_.push_back(name);
  }
  return {};
}

util::Expected<std::vector<SourceRequest>, SourceError> DirectoryRequestSource::poll(
    std::size_t max) {
  bool empty = false;
  {
    std::lock_guard lock(mutex_);
    empty = scanned_.empty();
  }
  if (empty) {
    if (auto scanned = scan(); !scanned) return util::Unexpected(std::move(scanned).error());
  }
  std::vector<SourceRequest> requests;
  std::lock_guard lock(mutex_);
  while (!scanned_.empty() && requests.size() < max) {
    window_.hand_out(scanned_.front());
    requests.push_back(SourceRequest{std::move(scanned_.front()), 0, std::nullopt, {}});
    scanned_.pop_front();
  }
  return requests;
}

util::Expected<std::optional<std::string>, SourceError> DirectoryRequestSource::read(
    const SourceRequest& request) {
  std::ifstream file(directory_ / request.key, std::ios::binary);
  if (!file) {
    std::error_code ec;
    if (!fs::exists(directory_ / request.key, ec)) {
      std::lock_guard lock(mutex_);
      window_.finish(request.key);
      return std::optional<std::string>();
    }
    return util::Unexpected(SourceError{
        "request '" + request.key + "' in " + describe() + " cannot be opened", false});
  }
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return std::optional<std::string>(std::move(bytes).str());
}

util::Expected<void, SourceError> DirectoryRequestSource::remove(const SourceRequest& request) {
  std::error_code ec;
  fs::remove(directory_ / request.key, ec);
  if (ec) {
    return util::Unexpected(SourceError{"request '" + request.key + "' in " + describe() +
                                            " cannot be removed: " + ec.message(),
                                        false});
  }
  std::lock_guard lock(mutex_);
  window_.finish(request.key);
  return {};
}

}  // namespace wc::source
