#include "store/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
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
