#include "store/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <regex>
#include <vector>

namespace wc::store {

namespace {

// A temporary's name is "." + the name (cut to this) + ".tmp.{pid}.{n}": at most
// 1 + 200 + 5 + 10 + 1 + 20 bytes, within the 255-byte limit of a file name.
constexpr std::size_t k_max_name_in_temporary = 200;
constexpr std::size_t k_read_chunk = 64 * 1024;
// Deeper than any store layout (widgets/{owner}/{id}); bounds the recursion.
constexpr int k_max_cleanup_depth = 16;

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Temporary names are ".{name}.tmp.{pid}.{n}" (temporary_name).
std::optional<pid_t> writer_of_temporary(const std::string& file_name) {
  static const std::regex k_temporary(R"(^\..+\.tmp\.([0-9]{1,9})\.[0-9]+$)");
  std::smatch match;
  if (!std::regex_match(file_name, match, k_temporary)) return std::nullopt;
  return static_cast<pid_t>(std::stol(match[1].str()));
}

bool process_is_running(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

std::string temporary_name(const std::string& name) {
  static std::atomic<unsigned> counter{0};
  return "." + name.substr(0, k_max_name_in_temporary) + ".tmp." + std::to_string(::getpid()) +
         "." + std::to_string(++counter);
}

std::string joined(const std::string& directory, const std::string& name) {
  return directory.empty() || directory.ends_with('/') ? directory + name : directory + "/" + name;
}

std::size_t remove_temporaries_in(int directory_fd, int depth) {
  if (depth > k_max_cleanup_depth) return 0;
  // fdopendir takes the descriptor over, so it gets a duplicate.
  int own = ::fcntl(directory_fd, F_DUPFD_CLOEXEC, 0);
  if (own < 0) return 0;
  DIR* dir = ::fdopendir(own);
  if (dir == nullptr) {
    ::close(own);
    return 0;
  }
  std::vector<std::string> subdirectories;
  std::size_t removed = 0;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat status {};
    if (::fstatat(directory_fd, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(status.st_mode)) {
      subdirectories.push_back(name);
    } else if (S_ISREG(status.st_mode)) {
      auto writer = writer_of_temporary(name);
      if (writer && !process_is_running(*writer) &&
          ::unlinkat(directory_fd, name.c_str(), 0) == 0) {
        ++removed;
      }
    }
  }
  ::closedir(dir);
  for (const auto& name : subdirectories) {
    UniqueFd sub(
        ::openat(directory_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (sub.get() >= 0) removed += remove_temporaries_in(sub.get(), depth + 1);
  }
  return removed;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

FileError file_error(const char* what, const std::string& shown) {
  const int error_number = errno;
  return FileError{error_number,
                   std::string(what) + " '" + shown + "' failed: " + std::strerror(error_number)};
}

util::Expected<WriteResult, FileError> write_file_atomically(int directory_fd,
                                                             const std::string& name,
                                                             std::string_view bytes, WriteMode mode,
                                                             const std::string& shown) {
  const std::string temporary = temporary_name(name);
  UniqueFd fd(::openat(directory_fd, temporary.c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.get() < 0) return util::Unexpected(file_error("creating", joined(shown, temporary)));
  std::optional<FileError> failure;
  if (!write_all(fd.get(), bytes) || ::fsync(fd.get()) != 0) {
    failure = file_error("writing", joined(shown, temporary));
  }
  fd = UniqueFd();
  if (failure) {
    ::unlinkat(directory_fd, temporary.c_str(), 0);
    return util::Unexpected(std::move(*failure));
  }

  WriteResult result = WriteResult::written;
  if (mode == WriteMode::only_if_absent) {
    if (::linkat(directory_fd, temporary.c_str(), directory_fd, name.c_str(), 0) != 0) {
      if (errno == EEXIST) {
        result = WriteResult::already_exists;
      } else {
        failure = file_error("linking", joined(shown, name));
      }
    }
    ::unlinkat(directory_fd, temporary.c_str(), 0);
  } else if (::renameat(directory_fd, temporary.c_str(), directory_fd, name.c_str()) != 0) {
    failure = file_error("renaming into", joined(shown, name));
    ::unlinkat(directory_fd, temporary.c_str(), 0);
  }
  if (failure) return util::Unexpected(std::move(*failure));
  if (::fsync(directory_fd) != 0) return util::Unexpected(file_error("syncing", shown));
  return result;
}

util::Expected<std::optional<std::string>, FileError> read_file_at(int directory_fd,
                                                                   const std::string& name,
                                                                   const std::string& shown) {
  // O_NONBLOCK: opening a fifo must not wait for a writer.
  UniqueFd fd(::openat(directory_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return util::Unexpected(file_error("opening", joined(shown, name)));
  }
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) {
    return util::Unexpected(file_error("reading", joined(shown, name)));
  }
  if (!S_ISREG(status.st_mode)) {
    return util::Unexpected(
        FileError{EINVAL, "'" + joined(shown, name) + "' is not a regular file: not read"});
  }
  // One byte more than the size, so that the end is seen in one read when nothing grew it.
  std::string bytes(static_cast<std::size_t>(status.st_size) + 1, '\0');
  std::size_t used = 0;
  while (true) {
    if (used == bytes.size()) bytes.resize(bytes.size() + k_read_chunk);
    ssize_t n = ::read(fd.get(), bytes.data() + used, bytes.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return util::Unexpected(file_error("reading", joined(shown, name)));
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  bytes.resize(used);
  return std::optional<std::string>(std::move(bytes));
}

std::size_t remove_abandoned_temporaries(int directory_fd) {
  return remove_temporaries_in(directory_fd, 0);
}

}  // namespace wc::store
