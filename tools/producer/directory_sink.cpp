#include "directory_sink.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace wc::producer {
namespace {

std::string errno_text(int error) { return std::generic_category().message(error); }

/// Writes all of `body` to a new file at `path`; the error says what failed.
util::Expected<void, std::string> write_file(const std::filesystem::path& path,
                                             const std::string& body) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return util::Unexpected(
        fmt::format("cannot create '{}': {}", path.string(), errno_text(errno)));
  }
  std::size_t written = 0;
  while (written < body.size()) {
    const ssize_t n = ::write(fd, body.data() + written, body.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      return util::Unexpected(
          fmt::format("cannot write '{}': {}", path.string(), errno_text(error)));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    return util::Unexpected(fmt::format("cannot write '{}': {}", path.string(), errno_text(errno)));
  }
  return {};
}

}  // namespace

util::Expected<std::unique_ptr<DirectorySink>, std::string> DirectorySink::open(
    const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error || !std::filesystem::is_directory(directory)) {
    return util::Unexpected(fmt::format("cannot use directory '{}' for requests: {}",
                                        directory.string(),
                                        error ? error.message() : "not a directory"));
  }
  return std::unique_ptr<DirectorySink>(new DirectorySink(directory));
}

util::Expected<PutOutcome, std::string> DirectorySink::put(const std::string& key,
                                                           const std::string& body,
                                                           bool overwrite) {
  const std::filesystem::path target = directory_ / key;
  const std::filesystem::path temporary =
      directory_ / fmt::format(".{}.{}.tmp", key, static_cast<long>(::getpid()));
  if (auto written = write_file(temporary, body); !written) {
    ::unlink(temporary.c_str());
    return util::Unexpected(written.error());
  }
  const auto failed = [&](int error) {
    return util::Unexpected(
        fmt::format("cannot move request into '{}': {}", target.string(), errno_text(error)));
  };
  if (overwrite) {
    if (::rename(temporary.c_str(), target.c_str()) == 0) return PutOutcome::stored;
    const int error = errno;
    ::unlink(temporary.c_str());
    return failed(error);
  }
  // link() refuses an existing name, where rename() would replace it.
  const int linked = ::link(temporary.c_str(), target.c_str());
  const int error = errno;
  ::unlink(temporary.c_str());
  if (linked == 0) return PutOutcome::stored;
  if (error == EEXIST) return PutOutcome::key_taken;
  return failed(error);
}

std::string DirectorySink::where() const {
  return fmt::format("directory '{}'", directory_.string());
}

}  // namespace wc::producer
