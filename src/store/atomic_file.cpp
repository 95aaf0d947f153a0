#include "store/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

namespace wc::store {

namespace fs = std::filesystem;

namespace {

std::string errno_text(const fs::path& path, const char* what) {
  return std::string(what) + " '" + path.string() + "' failed: " + std::strerror(errno);
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void sync_directory(const fs::path& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Temporary names are ".{name}.tmp.{pid}.{n}" (temporary_beside).
std::optional<pid_t> writer_of_temporary(const std::string& file_name) {
  static const std::regex k_temporary(R"(^\..+\.tmp\.([0-9]{1,9})\.[0-9]+$)");
  std::smatch match;
  if (!std::regex_match(file_name, match, k_temporary)) return std::nullopt;
  return static_cast<pid_t>(std::stol(match[1].str()));
}

bool process_is_running(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

fs::path temporary_beside(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  return path.parent_path() / ("." + path.filename().string() + ".tmp." +
                               std::to_string(::getpid()) + "." + std::to_string(++counter));
}

}  // namespace

util::Expected<WriteResult, std::string> write_file_atomically(const fs::path& path,
                                                               std::string_view bytes,
                                                               WriteMode mode) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    return util::Unexpected("creating directory '" + path.parent_path().string() +
                            "' failed: " + ec.message());
  }
  fs::path temporary = temporary_beside(path);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return util::Unexpected(errno_text(temporary, "creating"));
  bool ok = write_all(fd, bytes) && ::fsync(fd) == 0;
  std::string failure = ok ? "" : errno_text(temporary, "writing");
  ::close(fd);
  if (!ok) {
    ::unlink(temporary.c_str());
    return util::Unexpected(failure);
  }

  WriteResult result = WriteResult::written;
  if (mode == WriteMode::only_if_absent) {
    if (::link(temporary.c_str(), path.c_str()) != 0) {
      if (errno == EEXIST) {
        result = WriteResult::already_exists;
      } else {
        failure = errno_text(path, "linking");
      }
    }
    ::unlink(temporary.c_str());
  } else if (::rename(temporary.c_str(), path.c_str()) != 0) {
    failure = errno_text(path, "renaming into");
    ::unlink(temporary.c_str());
  }
  if (!failure.empty()) return util::Unexpected(failure);
  sync_directory(path.parent_path());
  return result;
}

std::size_t remove_abandoned_temporaries(const fs::path& root) {
  std::size_t removed = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec)) continue;
    auto writer = writer_of_temporary(it->path().filename().string());
    if (!writer || process_is_running(*writer)) continue;
    std::error_code remove_ec;
    if (fs::remove(it->path(), remove_ec)) ++removed;
  }
  return removed;
}

util::Expected<std::optional<std::string>, std::string> read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    std::error_code ec;
    if (!fs::exists(path, ec) && !ec) return std::optional<std::string>();
    return util::Unexpected(errno_text(path, "opening"));
  }
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return std::optional<std::string>(std::move(bytes).str());
}

}  // namespace wc::store
