#include "source/directory_request_source.h"

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <system_error>

namespace wc::source {

namespace fs = std::filesystem;

DirectoryRequestSource::DirectoryRequestSource(fs::path directory,
                                               std::function<void(const std::string&)> warn)
    : directory_(std::move(directory)), warn_(std::move(warn)) {}

std::string DirectoryRequestSource::describe() const {
  return "directory '" + directory_.string() + "'";
}

util::Expected<void, SourceError> DirectoryRequestSource::open() {
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

util::Expected<std::vector<LeasedRequest>, SourceError> DirectoryRequestSource::poll(
    std::size_t max, LeaseClock::time_point) {
  bool empty = false;
  {
    std::lock_guard lock(mutex_);
    empty = scanned_.empty();
  }
  if (empty) {
    if (auto scanned = scan(); !scanned) return util::Unexpected(std::move(scanned).error());
  }
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    while (!scanned_.empty() && names.size() < max) {
      window_.hand_out(scanned_.front());
      names.push_back(std::move(scanned_.front()));
      scanned_.pop_front();
    }
  }
  std::vector<LeasedRequest> requests;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto body = read(names[i]);
    if (!body) {
      std::lock_guard lock(mutex_);
      for (std::size_t j = names.size(); j-- > i;) {
        window_.give_back(names[j]);
        scanned_.push_front(std::move(names[j]));
      }
      if (requests.empty()) return util::Unexpected(std::move(body).error());
      break;
    }
    if (!body->has_value()) {
      {
        std::lock_guard lock(mutex_);
        window_.finish(names[i]);
      }
      if (warn_) {
        warn_(names[i] + ": request vanished from " + describe() + " before it was read; skipped");
      }
      continue;
    }
    requests.push_back(LeasedRequest{names[i], std::move(**body), names[i], Lease{}, {}});
  }
  return requests;
}

util::Expected<std::vector<NotRemoved>, SourceError> DirectoryRequestSource::acknowledge(
    const std::vector<LeasedRequest>& requests) {
  std::vector<NotRemoved> failed;
  for (const auto& request : requests) {
    if (auto removed = remove(request.key); !removed) {
      failed.push_back(NotRemoved{request, std::move(removed).error(), false});
    }
  }
  return failed;
}

void DirectoryRequestSource::give_back(const std::vector<LeasedRequest>& requests) {
  std::lock_guard lock(mutex_);
  for (const auto& request : requests) window_.give_back(request.key);
}

util::Expected<std::optional<std::string>, SourceError> DirectoryRequestSource::read(
    const std::string& name) {
  std::ifstream file(directory_ / name, std::ios::binary);
  if (!file) {
    std::error_code ec;
    if (!fs::exists(directory_ / name, ec)) return std::optional<std::string>();
    return util::Unexpected(
        SourceError{"request '" + name + "' in " + describe() + " cannot be opened", false});
  }
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return std::optional<std::string>(std::move(bytes).str());
}

util::Expected<void, SourceError> DirectoryRequestSource::remove(const std::string& name) {
  std::error_code ec;
  fs::remove(directory_ / name, ec);
  if (ec) {
    return util::Unexpected(SourceError{
        "request '" + name + "' in " + describe() + " cannot be removed: " + ec.message(), false});
  }
  std::lock_guard lock(mutex_);
  window_.finish(name);
  return {};
}

}  // namespace wc::source
