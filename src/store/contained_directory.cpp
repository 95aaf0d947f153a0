#include "store/contained_directory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#if defined(SYS_openat2) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define WC_HAVE_OPENAT2 1
#endif

namespace wc::store {

namespace fs = std::filesystem;

namespace {

constexpr int k_directory_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
constexpr mode_t k_directory_mode = 0755;

std::vector<std::string> split(std::string_view relative) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= relative.size()) {
    std::size_t slash = relative.find('/', start);
    if (slash == std::string_view::npos) slash = relative.size();
    parts.emplace_back(relative.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

bool plain(const std::vector<std::string>& parts) {
  for (const auto& part : parts) {
    if (part.empty() || part == "." || part == ".." || part.find('\0') != std::string::npos) {
      return false;
    }
  }
  return !parts.empty();
}

/// Why `name` in `directory_fd` could not be entered as a directory (errno is ENOTDIR or
/// ELOOP from an O_NOFOLLOW | O_DIRECTORY open): a link, or something else.
FileError not_a_directory(int directory_fd, const std::string& name, const std::string& shown) {
  struct stat status {};
  if (::fstatat(directory_fd, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) == 0 &&
      S_ISLNK(status.st_mode)) {
    return FileError{ELOOP, "'" + shown +
                                "' is a symbolic link: not followed, nothing is written outside "
                                "the directory"};
  }
  return FileError{ENOTDIR, "'" + shown + "' is not a directory"};
}

#ifdef WC_HAVE_OPENAT2
// Cleared when the kernel (or a seccomp filter) refuses openat2; the walk works everywhere.
std::atomic<bool> g_openat2_usable{true};

/// One call for the whole path when every directory exists and none is a link.
int open_beneath(int root, const std::string& path) {
  if (!g_openat2_usable.load(std::memory_order_relaxed)) return -1;
  open_how how{};
  how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, root, path.c_str(), &how, sizeof how);
  if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
    g_openat2_usable.store(false, std::memory_order_relaxed);
  }
  return static_cast<int>(fd);
}
#endif

}  // namespace

ContainedDirectory::ContainedDirectory(fs::path root) : root_(std::move(root)) {}

ContainedDirectory::~ContainedDirectory() {
  const int fd = root_fd_.load();
  if (fd >= 0) ::close(fd);
}

util::Expected<void, FileError> ContainedDirectory::open() {
  std::lock_guard lock(open_mutex_);
  const std::string shown = root_.string();
  const int opened = root_fd_.load();
  if (opened >= 0) {
    struct stat held {
    }, named{};
    if (::fstat(opened, &held) != 0) return util::Unexpected(file_error("checking", shown));
    if (::stat(root_.c_str(), &named) != 0 || held.st_dev != named.st_dev ||
        held.st_ino != named.st_ino) {
      return util::Unexpected(
          FileError{ENOENT, "'" + shown + "' was removed or replaced while in use"});
    }
    return {};
  }
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) {
    return util::Unexpected(
        FileError{ec.value(), "creating '" + shown + "' failed: " + ec.message()});
  }
  // The root's own path may hold links: only what lies below it is contained.
  const int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return util::Unexpected(file_error("opening", shown));
  root_fd_.store(fd);
  return {};
}

util::Expected<int, FileError> ContainedDirectory::root_fd() {
  if (const int fd = root_fd_.load(); fd >= 0) return fd;
  if (auto opened = open(); !opened) return util::Unexpected(std::move(opened).error());
  return root_fd_.load();
}

util::Expected<UniqueFd, FileError> ContainedDirectory::walk(int from,
                                                             const std::vector<std::string>& parts,
                                                             bool create) {
  UniqueFd current;
  int at = from;
  std::string shown = root_.string();
  for (const auto& part : parts) {
    shown += "/" + part;
    UniqueFd next(::openat(at, part.c_str(), k_directory_flags));
    if (next.get() < 0 && errno == ENOENT) {
      if (!create) return UniqueFd();
      if (::mkdirat(at, part.c_str(), k_directory_mode) != 0 && errno != EEXIST) {
        return util::Unexpected(file_error("creating directory", shown));
      }
      next = UniqueFd(::openat(at, part.c_str(), k_directory_flags));
    }
    if (next.get() < 0) {
      if (errno == ENOTDIR || errno == ELOOP) {
        return util::Unexpected(not_a_directory(at, part, shown));
      }
      return util::Unexpected(file_error("opening directory", shown));
    }
    current = std::move(next);
    at = current.get();
  }
  if (current.get() < 0) {
    // No directory on the way: the parent is the root itself; hand out a duplicate.
    current = UniqueFd(::fcntl(from, F_DUPFD_CLOEXEC, 0));
    if (current.get() < 0) return util::Unexpected(file_error("opening", root_.string()));
  }
  return current;
}

util::Expected<ContainedDirectory::Parent, FileError> ContainedDirectory::parent_of(
    std::string_view relative, bool create) {
  std::vector<std::string> parts = split(relative);
  if (!plain(parts)) {
    return util::Unexpected(
        FileError{EINVAL, "'" + std::string(relative) + "' would leave '" + root_.string() + "'"});
  }
  auto root = root_fd();
  if (!root) return util::Unexpected(std::move(root).error());
  Parent parent;
  parent.name = std::move(parts.back());
  parts.pop_back();
  parent.shown = root_.string();
  std::string directories;
  for (const auto& part : parts) {
    parent.shown += "/" + part;
    directories += (directories.empty() ? "" : "/") + part;
  }
#ifdef WC_HAVE_OPENAT2
  if (!parts.empty()) {
    UniqueFd fast(open_beneath(*root, directories));
    if (fast.get() >= 0) {
      parent.fd = std::move(fast);
      return parent;
    }
    // Missing, a link, or no openat2: the walk makes what is missing and names what is wrong.
  }
#endif
  auto walked = walk(*root, parts, create);
  if (!walked) return util::Unexpected(std::move(walked).error());
  parent.fd = std::move(*walked);
  return parent;
}

util::Expected<WriteResult, FileError> ContainedDirectory::write(std::string_view relative,
                                                                 std::string_view bytes,
                                                                 WriteMode mode) {
  auto parent = parent_of(relative, /*create=*/true);
  if (!parent) return util::Unexpected(std::move(parent).error());
  return write_file_atomically(parent->fd.get(), parent->name, bytes, mode, parent->shown);
}

util::Expected<std::optional<std::string>, FileError> ContainedDirectory::read(
    std::string_view relative) {
  auto parent = parent_of(relative, /*create=*/false);
  if (!parent) return util::Unexpected(std::move(parent).error());
  if (parent->fd.get() < 0) return std::optional<std::string>();
  return read_file_at(parent->fd.get(), parent->name, parent->shown);
}

util::Expected<bool, FileError> ContainedDirectory::remove(std::string_view relative) {
  auto parent = parent_of(relative, /*create=*/false);
  if (!parent) return util::Unexpected(std::move(parent).error());
  if (parent->fd.get() < 0) return false;
  if (::unlinkat(parent->fd.get(), parent->name.c_str(), 0) != 0) {
    if (errno == ENOENT) return false;
    return util::Unexpected(file_error("removing", parent->shown + "/" + parent->name));
  }
  if (::fsync(parent->fd.get()) != 0) return util::Unexpected(file_error("syncing", parent->shown));
  return true;
}

std::size_t ContainedDirectory::remove_abandoned_temporaries() {
  auto root = root_fd();
  return root ? store::remove_abandoned_temporaries(*root) : 0;
}

}  // namespace wc::store
