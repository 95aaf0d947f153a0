#include "source/directory_request_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <set>
#include <system_error>

namespace wc::source {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_read_chunk = 64 * 1024;

const char* kind_of(fs::file_type type) {
  switch (type) {
    case fs::file_type::symlink:
      return "a symbolic link";
    case fs::file_type::directory:
      return "a directory";
    case fs::file_type::fifo:
      return "a fifo";
    case fs::file_type::socket:
      return "a socket";
    case fs::file_type::block:
    case fs::file_type::character:
      return "a device";
    default:
      return "not a regular file";
  }
}

fs::file_type type_of(mode_t mode) {
  if (S_ISLNK(mode)) return fs::file_type::symlink;
  if (S_ISDIR(mode)) return fs::file_type::directory;
  if (S_ISFIFO(mode)) return fs::file_type::fifo;
  if (S_ISSOCK(mode)) return fs::file_type::socket;
  if (S_ISBLK(mode)) return fs::file_type::block;
  if (S_ISCHR(mode)) return fs::file_type::character;
  return S_ISREG(mode) ? fs::file_type::regular : fs::file_type::unknown;
}

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

DirectoryRequestSource::DirectoryRequestSource(fs::path directory, Warn warn)
    : directory_(std::move(directory)), warn_(std::move(warn)) {}

void DirectoryRequestSource::warn_skipped(const std::string& name, const std::string& what) {
  if (skipped_.count(name) > 0) return;
  if (skipped_.size() < k_max_remembered_skips) skipped_.insert(name);
  if (warn_) {
    warn_("request '" + name + "' in " + describe() + " is " + what +
          ", not a regular file: skipped, not read and not removed");
  }
}

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
    if (!window_.admits(name)) continue;
    // The entry's own type, from the listing (no system call): a link to a regular file is
    // not followed. is_regular_file only follows a link, and links are out by then.
    if (entry.is_symlink(ec) || !entry.is_regular_file(ec)) {
      if (skipped_.count(name) == 0) warn_skipped(name, kind_of(entry.symlink_status(ec).type()));
      continue;
    }
    if (!skipped_.empty()) skipped_.erase(name);
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
    if (!body->has_value()) continue;  // vanished or not a regular file: read() warned
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
  const fs::path path = directory_ / name;
  // Listed as a regular file, but it may have been swapped for a link or a fifo since:
  // O_NOFOLLOW fails on a link, O_NONBLOCK keeps a fifo from waiting for a writer.
  FdCloser file{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
  struct stat status {};
  const bool opened = file.fd >= 0 && ::fstat(file.fd, &status) == 0;
  const int error_number = errno;
  if (!opened && error_number != ELOOP) {
    if (error_number == ENOENT) {
      {
        std::lock_guard lock(mutex_);
        window_.finish(name);
      }
      if (warn_) {
        warn_(name + ": request vanished from " + describe() + " before it was read; skipped");
      }
      return std::optional<std::string>();
    }
    return util::Unexpected(SourceError{"request '" + name + "' in " + describe() +
                                            " cannot be opened: " + std::strerror(error_number),
                                        false});
  }
  if (!opened || !S_ISREG(status.st_mode)) {
    std::lock_guard lock(mutex_);
    warn_skipped(name, kind_of(opened ? type_of(status.st_mode) : fs::file_type::symlink));
    window_.finish(name);
    return std::optional<std::string>();
  }
  std::string bytes(static_cast<std::size_t>(status.st_size) + 1, '\0');
  std::size_t used = 0;
  while (true) {
    if (used == bytes.size()) bytes.resize(bytes.size() + k_read_chunk);
    const ssize_t n = ::read(file.fd, bytes.data() + used, bytes.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return util::Unexpected(SourceError{
          "request '" + name + "' in " + describe() + " cannot be read: " + std::strerror(errno),
          false});
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  bytes.resize(used);
  return std::optional<std::string>(std::move(bytes));
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
