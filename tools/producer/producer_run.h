#pragma once
// The two things widget-producer does: generate requests, or copy a folder of existing ones;
// each paced, interruptible, and counted for the closing summary.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "request_generator.h"
#include "request_sink.h"
#include "util/expected.h"

namespace wc::producer {

/// What was written, for the one-line summary.
struct RunSummary {
  std::uint64_t written = 0;
  std::uint64_t creates = 0;
  std::uint64_t updates = 0;
  std::uint64_t deletes = 0;
  std::uint64_t invalid = 0;          ///< copied requests the consumer will reject
  std::uint64_t missing_targets = 0;  ///< updates/deletes of widgets deleted earlier
  std::uint64_t keys_taken = 0;       ///< keys skipped because they already existed
  std::string first_key;
  std::string last_key;
  std::chrono::steady_clock::duration elapsed{};
  bool interrupted = false;

  /// "100 requests to WHERE (70 create, 20 update, 10 delete; 3 for deleted widgets),
  /// keys A..B, 0.4 s, 250.0 requests/s".
  std::string describe(const std::string& where) const;
};

/// A run that stopped on a write error: the error, and what had been written before it.
struct RunFailure {
  std::string message;
  RunSummary summary;
};

/// Paces the run and watches for a stop request (set from a signal handler).
struct RunControl {
  double rate = 0;  ///< requests per second; 0 = as fast as possible
  const std::atomic<bool>* stop = nullptr;
};

struct GenerateOptions {
  std::uint64_t count = 100;
  std::uint64_t seed = 0;
  RequestMix mix;
  std::optional<std::int64_t> start_ms;  ///< first key; unset = now
};

/// Writes `options.count` generated requests under fresh strictly increasing keys; a key that
/// already exists is skipped, never overwritten.
util::Expected<RunSummary, RunFailure> generate_requests(RequestSink& sink,
                                                         const GenerateOptions& options,
                                                         const RunControl& control);

/// Writes every file of `directory` (names starting with '.' skipped) in name order, under its
/// name minus a ".json" suffix, replacing what is there.
util::Expected<RunSummary, RunFailure> copy_requests(RequestSink& sink,
                                                     const std::filesystem::path& directory,
                                                     const RunControl& control);

}  // namespace wc::producer
