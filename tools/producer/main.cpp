// widget-producer: writes widget requests for widget-consumer into a directory, an S3
// bucket or an SQS queue, like the course's producer did.
//
//   widget-producer --requests-dir requests --count 1000 --seed 42
//   widget-producer --bucket REQUEST_BUCKET --rate 20 --mix 60,30,10
//   widget-producer --bucket REQUEST_BUCKET --from-dir ../shared/conformance/producer-2021
//   widget-producer --queue requests.fifo --count 1000   (MessageGroupId = widgetId)
//
// Requests are written one after another, never concurrently: a consumer listing the source
// must never see a key before the earlier keys exist, or it could apply a later request for
// a widget before an earlier one. Above 1000 requests/s the keys (one per millisecond at
// least) run ahead of the wall clock; a run started right after such a run may then write
// keys below the previous run's last ones. Exit status: 0 done (or stopped by SIGINT/SIGTERM
// after the request in progress), 1 a write failed, 2 a usage error.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "directory_sink.h"
#include "producer_run.h"
#include "request_keys.h"
#include "s3_sink.h"
#include "sqs_sink.h"

namespace {

using namespace wc::producer;

constexpr int k_exit_failure = 1;
constexpr int k_exit_usage = 2;

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "written from a signal handler");

extern "C" void request_stop(int /*signal*/) { g_stop.store(true); }

struct Options {
  std::string requests_dir;
  std::string bucket;
  std::string queue;
  std::string from_dir;
  std::string mix_text = "70,20,10";
  std::optional<std::uint64_t> seed;
  GenerateOptions generate;
  RunControl control;
  wc::aws::AwsOptions aws;
};

void add_options(CLI::App& app, Options& options) {
  auto* dir = app.add_option("--requests-dir", options.requests_dir,
                             "Write requests as files DIR/<key> (created if missing)")
                  ->type_name("DIR");
  auto* bucket =
      app.add_option("--bucket", options.bucket, "Write requests as objects s3://BUCKET/<key>")
          ->type_name("BUCKET");
  auto* queue = app.add_option("--queue", options.queue,
                               "Send requests as messages of an SQS queue (name or URL); on a "
                               "FIFO queue each widget's requests form one message group")
                    ->type_name("NAME_OR_URL");
  dir->excludes(bucket)->excludes(queue);
  bucket->excludes(queue);
  auto* from = app.add_option("--from-dir", options.from_dir,
                              "Copy the files of DIR (<key>.json) as keys <key> instead of "
                              "generating requests")
                   ->type_name("DIR")
                   ->check(CLI::Validator(CLI::ExistingDirectory).description(""));
  auto* count = app.add_option("--count", options.generate.count,
                               "Number of requests to generate (default 100)")
                    ->type_name("N");
  auto* seed = app.add_option("--seed", options.seed,
                              "Random seed; the same seed and mix give the same requests "
                              "(default: random, printed in the summary)")
                   ->type_name("S");
  auto* mix = app.add_option("--mix", options.mix_text,
                             "Weights of create,update,delete (default 70,20,10)")
                  ->type_name("C,U,D");
  auto* start = app.add_option("--start-ms", options.generate.start_ms,
                               "First key, in epoch milliseconds (default: now)")
                    ->type_name("MS")
                    ->check(CLI::Range(std::int64_t{0}, k_max_key_ms));
  from->excludes(count)->excludes(seed)->excludes(mix)->excludes(start);
  app.add_option("--rate", options.control.rate,
                 "Requests per second; 0 (the default) = as fast as possible")
      ->type_name("R")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            double rate = -1;
            if (CLI::detail::lexical_cast(text, rate) && rate >= 0) return {};
            return "must be requests per second, 0 or more (0 = as fast as possible), got " + text;
          },
          ""));
  for (auto [flag, field, help] :
       {std::tuple{"--region", &options.aws.region, "AWS region (else AWS_REGION, profile, ...)"},
        std::tuple{"--profile", &options.aws.profile, "Profile of ~/.aws/credentials and config"},
        std::tuple{"--endpoint-url", &options.aws.endpoint_url,
                   "S3 or SQS endpoint, e.g. http://127.0.0.1:5000 (else AWS_ENDPOINT_URL_S3 "
                   "or _SQS, ...)"}}) {
    app.add_option(flag, *field, help);
  }
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "widget-producer: %s (see --help)\n", message.c_str());
  return k_exit_usage;
}

wc::util::Expected<std::unique_ptr<RequestSink>, std::string> open_sink(const Options& options) {
  if (!options.queue.empty()) {
    auto sink = SqsSink::open(options.queue, options.aws, wc::aws::process_environment());
    if (!sink) return wc::util::Unexpected(std::move(sink.error()));
    return std::unique_ptr<RequestSink>(std::move(*sink));
  }
  if (!options.bucket.empty()) {
    auto sink = S3Sink::open(options.bucket, options.aws, wc::aws::process_environment());
    if (!sink) return wc::util::Unexpected(std::move(sink.error()));
    return std::unique_ptr<RequestSink>(std::move(*sink));
  }
  auto sink = DirectorySink::open(options.requests_dir);
  if (!sink) return wc::util::Unexpected(std::move(sink.error()));
  return std::unique_ptr<RequestSink>(std::move(*sink));
}

int run(Options& options) {
  auto sink = open_sink(options);
  if (!sink) {
    std::fprintf(stderr, "widget-producer: %s\n", sink.error().c_str());
    return k_exit_failure;
  }
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  options.control.stop = &g_stop;
  const bool copying = !options.from_dir.empty();
  auto result = copying ? copy_requests(**sink, options.from_dir, options.control)
                        : generate_requests(**sink, options.generate, options.control);
  const std::string origin = copying ? fmt::format(", copied from '{}'", options.from_dir)
                                     : fmt::format(", seed {}", options.generate.seed);
  if (!result) {
    std::fprintf(stderr, "widget-producer: %s; stopped after %s%s\n",
                 result.error().message.c_str(),
                 result.error().summary.describe((**sink).where()).c_str(), origin.c_str());
    return k_exit_failure;
  }
  std::printf("widget-producer: %s %s%s\n", result->interrupted ? "interrupted, wrote" : "wrote",
              result->describe((**sink).where()).c_str(), origin.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"widget-producer: writes widget requests for widget-consumer"};
  app.set_version_flag("--version", WC_VERSION);
  Options options;
  add_options(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& done) {
    return app.exit(done);  // --help, --version
  } catch (const CLI::ParseError& error) {
    return usage_error(error.what());
  }
  const int places =
      !options.requests_dir.empty() + !options.bucket.empty() + !options.queue.empty();
  if (places != 1) {
    return usage_error("say where to write: --requests-dir DIR, --bucket BUCKET or --queue QUEUE");
  }
  const bool cloud = !options.bucket.empty() || !options.queue.empty();
  if (!cloud && app.count("--region") + app.count("--profile") + app.count("--endpoint-url") > 0) {
    return usage_error("--region, --profile and --endpoint-url go with --bucket or --queue");
  }
  auto mix = parse_mix(options.mix_text);
  if (!mix) return usage_error(mix.error());
  options.generate.mix = *mix;
  options.generate.seed = options.seed.value_or(std::random_device{}());
  return run(options);
}
