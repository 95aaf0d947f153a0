#include "producer_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "model/request.h"
#include "request_keys.h"

namespace wc::producer {
namespace {

using std::chrono::steady_clock;

/// Longest a paced wait sleeps before looking at the stop flag again.
constexpr std::chrono::milliseconds k_stop_check_interval{100};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Spaces requests `1 / rate` seconds apart from the start of the run (not from the previous
/// request, so a slow write does not lower the average rate).
class Pacer {
 public:
  explicit Pacer(const RunControl& control) : control_(control), start_(steady_clock::now()) {}

  /// Waits for the turn of request `index` (counting from 0); false if a stop was requested.
  bool wait_turn(std::uint64_t index) const {
    if (control_.rate <= 0) return !stopped();
    const auto due = start_ + std::chrono::duration_cast<steady_clock::duration>(
                                  std::chrono::duration<double>(index / control_.rate));
    for (auto now = steady_clock::now(); now < due; now = steady_clock::now()) {
      if (stopped()) return false;
      std::this_thread::sleep_for(
          std::min<steady_clock::duration>(due - now, k_stop_check_interval));
    }
    return !stopped();
  }

 private:
  bool stopped() const { return control_.stop != nullptr && control_.stop->load(); }

  const RunControl& control_;
  steady_clock::time_point start_;
};

void count_type(RunSummary& summary, model::RequestType type) {
  switch (type) {
    case model::RequestType::create:
      ++summary.creates;
      break;
    case model::RequestType::update:
      ++summary.updates;
      break;
    case model::RequestType::remove:
      ++summary.deletes;
      break;
  }
}

void record_key(RunSummary& summary, const std::string& key) {
  if (summary.first_key.empty()) summary.first_key = key;
  summary.last_key = key;
  ++summary.written;
}

/// Stores `body` under the next free key of `keys`; returns that key.
util::Expected<std::string, std::string> put_under_fresh_key(RequestSink& sink, KeySequence& keys,
                                                             const std::string& body,
                                                             RunSummary& summary) {
  for (;;) {
    const auto key = keys.next(now_ms());
    if (!key) {
      return util::Unexpected(fmt::format("no 13-digit key is left after {}",
                                          format_key(keys.last().value_or(k_max_key_ms))));
    }
    auto outcome = sink.put(*key, body, false);
    if (!outcome) return util::Unexpected(std::move(outcome.error()));
    if (*outcome == PutOutcome::stored) return *key;
    ++summary.keys_taken;
  }
}

/// Request files of `directory` in name order; the error names the directory.
util::Expected<std::vector<std::filesystem::path>, std::string> list_request_files(
    const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  for (std::filesystem::directory_iterator it(directory, error), end; !error && it != end;
       it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with('.') && it->is_regular_file()) files.push_back(it->path());
  }
  if (error) {
    return util::Unexpected(
        fmt::format("cannot read directory '{}': {}", directory.string(), error.message()));
  }
  std::sort(files.begin(), files.end(), [](const auto& left, const auto& right) {
    return left.filename().string() < right.filename().string();
  });
  return files;
}

util::Expected<std::string, std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream body;
  if (in) body << in.rdbuf();
  if (!in || in.bad()) {
    return util::Unexpected(fmt::format("cannot read '{}'", path.string()));
  }
  return std::move(body).str();
}

std::string key_for_file(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  if (name.ends_with(".json") && name.size() > 5) name.resize(name.size() - 5);
  return name;
}

}  // namespace

std::string RunSummary::describe(const std::string& where) const {
  std::string text = fmt::format("{} requests to {} ({} create, {} update, {} delete", written,
                                 where, creates, updates, deletes);
  if (invalid > 0) text += fmt::format(", {} invalid", invalid);
  if (missing_targets > 0) text += fmt::format("; {} for deleted widgets", missing_targets);
  if (keys_taken > 0) {
    text += fmt::format("; {} existing key{} skipped", keys_taken, keys_taken == 1 ? "" : "s");
  }
  text += ")";
  if (written > 0) text += fmt::format(", keys {}..{}", first_key, last_key);
  const double seconds = std::chrono::duration<double>(elapsed).count();
  text += fmt::format(", {:.1f} s", seconds);
  if (seconds > 0)
    text += fmt::format(", {:.1f} requests/s", static_cast<double>(written) / seconds);
  return text;
}

util::Expected<RunSummary, RunFailure> generate_requests(RequestSink& sink,
                                                         const GenerateOptions& options,
                                                         const RunControl& control) {
  RequestGenerator generator(options.seed, options.mix);
  KeySequence keys(options.start_ms);
  const Pacer pacer(control);
  const auto started = steady_clock::now();
  RunSummary summary;
  for (std::uint64_t index = 0; index < options.count; ++index) {
    if (!pacer.wait_turn(index)) {
      summary.interrupted = true;
      break;
    }
    const GeneratedRequest request = generator.next();
    auto key = put_under_fresh_key(sink, keys, request.body, summary);
    if (!key) {
      summary.elapsed = steady_clock::now() - started;
      return util::Unexpected(RunFailure{std::move(key.error()), std::move(summary)});
    }
    record_key(summary, *key);
    count_type(summary, request.type);
    summary.missing_targets += request.targets_missing ? 1 : 0;
  }
  summary.elapsed = steady_clock::now() - started;
  return summary;
}

util::Expected<RunSummary, RunFailure> copy_requests(RequestSink& sink,
                                                     const std::filesystem::path& directory,
                                                     const RunControl& control) {
  auto files = list_request_files(directory);
  if (!files) return util::Unexpected(RunFailure{std::move(files.error()), {}});
  const Pacer pacer(control);
  const auto started = steady_clock::now();
  RunSummary summary;
  auto fail = [&](std::string message) {
    summary.elapsed = steady_clock::now() - started;
    return util::Unexpected(RunFailure{std::move(message), std::move(summary)});
  };
  for (std::size_t index = 0; index < files->size(); ++index) {
    if (!pacer.wait_turn(index)) {
      summary.interrupted = true;
      break;
    }
    const auto& path = (*files)[index];
    auto body = read_file(path);
    if (!body) return fail(std::move(body.error()));
    const std::string key = key_for_file(path);
    if (auto stored = sink.put(key, *body, true); !stored) return fail(std::move(stored.error()));
    record_key(summary, key);
    // Counted as the consumer will see them, bad requests included.
    const auto request = model::parse_request(*body);
    if (request) {
      count_type(summary, request->type);
    } else {
      ++summary.invalid;
    }
  }
  summary.elapsed = steady_clock::now() - started;
  return summary;
}

}  // namespace wc::producer
