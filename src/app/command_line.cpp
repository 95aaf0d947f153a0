#include "app/command_line.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "app/backend_selection.h"
#include "app/option_sources.h"
#include "app/place_overlap.h"
#include "aws/url.h"

namespace wc::app {

namespace {

constexpr const char* k_program = "widget-consumer";

// The original program's single-dash, two-letter flags, which CLI11 (like most parsers) would
// read as bundles of one-letter flags.
const std::map<std::string, std::string, std::less<>> k_legacy_flags = {
    {"-ss", "--storage"},       {"-rb", "--request-bucket"}, {"-rq", "--request-queue"},
    {"-wb", "--widget-bucket"}, {"-dt", "--dynamodb"},
};

std::vector<std::string> translate_legacy_flags(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& arg : args) {
    auto equals = arg.find('=');
    auto it = k_legacy_flags.find(std::string_view(arg).substr(0, equals));
    if (it == k_legacy_flags.end()) {
      out.push_back(arg);
    } else {
      out.push_back(it->second + (equals == std::string::npos ? "" : arg.substr(equals)));
    }
  }
  return out;
}

struct RawOptions {
  BackendFlags backends;
  double idle_timeout = 0, max_runtime = 0, outage_timeout = 300;
  int queue_wait = 20;
  // Plain flags rather than CLI11's "!--no-x": a variable or a file says "true" for them, and
  // CLI11 would store that "true" as is into a negated flag's target.
  bool no_progress = false;
  bool no_log_file = false;
  bool version = false;
  std::string log_format = "text";
};

const CLI::Validator k_ip_address(
    [](std::string& text) -> std::string {
      unsigned char buffer[sizeof(in6_addr)];
      if (inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
          inet_pton(AF_INET6, text.c_str(), buffer) == 1) {
        return "";
      }
      return "'" + text + "' is not an IPv4 or IPv6 address (0.0.0.0 listens on every interface)";
    },
    "ADDRESS");

// Durations are read into milliseconds; longer than this is surely a typo, and keeps every
// deadline computed from it far from overflowing the clock.
constexpr double k_max_seconds = 1e9;
constexpr double k_seconds_resolution = 0.001;

/// A duration in seconds: a finite decimal number from 0 (never) or 0.001 up to
/// k_max_seconds. A value between 0 and 1 ms is refused rather than rounded to 0, which would
/// silently mean "never".
CLI::Validator seconds_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0;
        const char* end = text.data() + text.size();
        auto [stop, error] = std::from_chars(text.data(), end, value, std::chars_format::general);
        if (text.empty() || error == std::errc::invalid_argument || stop != end ||
            std::isnan(value)) {
          return fmt::format("'{}' is not a number: give seconds, such as 30 or 0.5 (0: never)",
                             text);
        }
        if (error == std::errc::result_out_of_range || !std::isfinite(value) ||
            value > k_max_seconds || value < 0) {
          return fmt::format("{} is out of range: give 0 (never) or 0.001 to {:.0f} seconds", text,
                             k_max_seconds);
        }
        if (value > 0 && value < k_seconds_resolution) {
          return fmt::format(
              "{} is below the 1 ms resolution and would mean never: give 0 "
              "for never, or at least 0.001",
              text);
        }
        return {};
      },
      "", "seconds");
}

/// A whole number from `low` to `high`.
CLI::Validator whole_number_validator(long long low, long long high) {
  return CLI::Validator(
      [low, high](std::string& text) -> std::string {
        long long value = 0;
        const char* end = text.data() + text.size();
        auto [stop, error] = std::from_chars(text.data(), end, value);
        if (text.empty() || error == std::errc::invalid_argument || stop != end) {
          return fmt::format("'{}' is not a whole number: give one from {} to {}", text, low, high);
        }
        if (error == std::errc::result_out_of_range || value < low || value > high) {
          return fmt::format("{} is out of range: give a whole number from {} to {}", text, low,
                             high);
        }
        return {};
      },
      "", "whole number");
}

CLI::Validator endpoint_url_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto url = aws::parse_endpoint_url(text);
        return url ? std::string() : url.error();
      },
      "", "endpoint URL");
}

void define_options(CLI::App& app, RawOptions& raw, Config& config) {
  // A plain flag, read after the whole line parsed: CLI11's version flag exits at once, so
  // "--version --bogus" would not be refused.
  app.add_flag("--version", raw.version, "Print the version and exit");
  app.add_option("--storage", raw.backends.storage, "Store kind: S3 or DynamoDB (also -ss)")
      ->transform(CLI::IsMember({"S3", "DynamoDB"}, CLI::ignore_case));
  app.add_option("--source,--request-bucket", raw.backends.request_bucket,
                 "S3 request bucket (also -rb)");
  app.add_option("--request-queue", raw.backends.request_queue,
                 "SQS request queue name or URL (also -rq)");
  app.add_option("--requests-dir", raw.backends.requests_dir, "Local request directory");
  app.add_option("--target,--widget-bucket", raw.backends.widget_bucket,
                 "S3 widget bucket (also -wb)");
  app.add_option("--dynamodb,--dynamodb-widget-table", raw.backends.dynamodb_table,
                 "DynamoDB widget table (also -dt)");
  app.add_option("--widgets-dir", raw.backends.widgets_dir, "Local widget directory");
  app.add_option("--dead-letter-dir", raw.backends.dead_letter_dir,
                 "Directory for rejected requests (default: dead-letters)");
  app.add_option("--dead-letter-bucket", raw.backends.dead_letter_bucket,
                 "S3 bucket for dead letters");
  app.add_option("--dead-letter-queue", raw.backends.dead_letter_queue,
                 "SQS queue for dead letters");
  app.add_option("--idle-timeout", raw.idle_timeout,
                 "Stop after this many seconds with no request (0: never)")
      ->type_name("SECONDS")
      ->check(seconds_validator());
  app.add_option("--max-runtime", raw.max_runtime, "Stop after this many seconds (0: never)")
      ->type_name("SECONDS")
      ->check(seconds_validator());
  app.add_option("--concurrency", config.concurrency,
                 "Widgets applied at once (default 32; 1 applies one request at a time)")
      ->check(whole_number_validator(1, 1024));
  app.add_option("--metrics-port", config.metrics_port,
                 "Serve /metrics (Prometheus), /healthz and /readyz on this port")
      ->check(whole_number_validator(1, 65535));
  app.add_option("--metrics-address", config.metrics_address,
                 "Address the metrics port listens on (default 127.0.0.1; 0.0.0.0: every "
                 "interface)")
      ->check(k_ip_address);
  app.add_flag("--no-progress", raw.no_progress, "No progress line every 5 seconds");
  app.add_option("--queue-wait", raw.queue_wait,
                 "Longest wait of one SQS receive for a message, 0 to 20 seconds (default 20)")
      ->type_name("SECONDS")
      ->check(whole_number_validator(0, 20));
  app.add_option("--outage-timeout", raw.outage_timeout,
                 "Give up (exit 1) after this many seconds of a source, store or dead-letter "
                 "place not answering (default 300; 0: wait forever)")
      ->type_name("SECONDS")
      ->check(seconds_validator());
  app.add_option("--max-receives", config.max_receives,
                 "Dead-letter an SQS message received more than this many times, when its "
                 "queue has no redrive policy (default 10; 0: never)")
      ->check(whole_number_validator(0, 1000000));
  app.add_option("--region", config.aws.region, "AWS region");
  app.add_option("--profile", config.aws.profile, "AWS profile");
  app.add_option("--endpoint-url", config.aws.endpoint_url,
                 "Custom AWS endpoint URL: http://HOST:PORT or https://HOST")
      ->check(endpoint_url_validator());
  app.add_option("--log-dir", config.log_dir, "Directory for the daily log files (default: logs)");
  app.add_flag("--no-log-file", raw.no_log_file, "Log to the console only, no daily file");
  app.add_option("--log-format", raw.log_format,
                 "text (default) or json: one JSON object a line, with time, level, message "
                 "and the request's key, type, widget, outcome and latency_ms")
      ->check(CLI::IsMember({"text", "json"}));
  app.footer(
      "Every option can also be set by the environment variable shown with it (Env:...), and\n"
      "in the --config file as 'long-name = value' (TOML or INI). A flag wins over a variable,\n"
      "a variable over the file. An empty variable counts as unset.");
}

ParseExit usage_error(const std::string& message) {
  return ParseExit{2, std::string(k_program) + ": " + message +
                          " (run 'widget-consumer --help' for the options)"};
}

/// CLI11's message, saying where a bad value came from when it was not typed.
std::string describe(const CLI::ParseError& error, const CLI::App& app,
                     const std::vector<std::string>& args) {
  std::string message = error.what();
  constexpr std::string_view k_unknown_setting = "INI was not able to parse ";
  if (message.rfind(k_unknown_setting, 0) == 0) {
    return "the --config file sets '" + message.substr(k_unknown_setting.size()) +
           "', which is no option";
  }
  if (dynamic_cast<const CLI::FileError*>(&error) != nullptr) {
    return "--config: " + message + value_origin(app, args, "--config");
  }
  if (message.rfind("--", 0) == 0) {
    return message + value_origin(app, args, message.substr(0, message.find(':')));
  }
  return message;
}

std::chrono::milliseconds seconds_to_millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000.0)));
}

}  // namespace

std::variant<Config, ParseExit> parse_command_line(const std::vector<std::string>& args) {
  Config config;
  RawOptions raw;
  CLI::App app{"Applies widget requests from a request source to a widget store.", k_program};
  define_options(app, raw, config);
  add_environment_and_config(app);

  const std::vector<std::string> typed = translate_legacy_flags(args);
  const std::vector<std::string> line = with_config_from_environment(typed);
  std::vector<std::string> reversed(line.rbegin(), line.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return ParseExit{0, app.help()};
  } catch (const CLI::ParseError& error) {
    return usage_error(describe(error, app, typed));
  }
  if (raw.version) return ParseExit{0, std::string(k_program) + " " + WC_VERSION + "\n"};
  config.progress = !raw.no_progress;
  config.log_file = !raw.no_log_file;
  config.log_format = raw.log_format == "json" ? LogFormat::json : LogFormat::text;
  if (config.log_file && config.log_dir.empty()) {
    return usage_error(
        "--log-dir is empty: name a directory, or give --no-log-file to log to "
        "the console only");
  }
  if (auto problem = select_backends(raw.backends, config)) {
    return ParseExit{2, std::string(k_program) + ": " + *problem};
  }
  if (auto problem = find_overlap(config)) {
    return ParseExit{2, std::string(k_program) + ": " + *problem};
  }
  config.idle_timeout = seconds_to_millis(raw.idle_timeout);
  config.max_runtime = seconds_to_millis(raw.max_runtime);
  config.outage_timeout = seconds_to_millis(raw.outage_timeout);
  config.queue_wait = std::chrono::seconds(raw.queue_wait);
  return config;
}

}  // namespace wc::app
