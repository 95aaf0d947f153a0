// Settings from the environment and from --config FILE (SPEC §2, "Operations and deployment"):
// a flag wins over a variable, a variable over the file; and the operations flags themselves.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "app/command_line.h"

namespace wc::app {
namespace {

/// Sets an environment variable for the life of the object, then restores it.
class ScopedVariable {
 public:
  ScopedVariable(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedVariable() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

/// A settings file in a fresh temporary directory, removed with the object.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    path_ =
        std::filesystem::temp_directory_path() / ("wc-config-test-" + std::to_string(::getpid()) +
                                                  "-" + std::to_string(counter_++) + ".toml");
    std::ofstream(path_) << text;
  }
  ~ConfigFile() { std::filesystem::remove(path_); }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

Config parse_ok(std::vector<std::string> args) {
  auto parsed = parse_command_line(args);
  if (auto* exit = std::get_if<ParseExit>(&parsed)) {
    ADD_FAILURE() << "unexpected exit " << exit->exit_code << ": " << exit->message;
    return {};
  }
  return std::get<Config>(parsed);
}

std::string usage_error(std::vector<std::string> args) {
  auto parsed = parse_command_line(args);
  auto* exit = std::get_if<ParseExit>(&parsed);
  if (exit == nullptr) {
    ADD_FAILURE() << "expected the command line to be refused";
    return {};
  }
  EXPECT_EQ(exit->exit_code, 2) << exit->message;
  return exit->message;
}

TEST(CommandLineSettings, FlagBeatsVariableBeatsFile) {
  ConfigFile file(
      "request-bucket = \"from-file\"\nwidget-bucket = \"file-widgets\"\n"
      "concurrency = 3\nlog-dir = \"file-logs\"\n");
  ScopedVariable bucket("WIDGET_CONSUMER_REQUEST_BUCKET", "from-variable");
  ScopedVariable concurrency("WIDGET_CONSUMER_CONCURRENCY", "5");
  Config config = parse_ok({"--config", file.path(), "--concurrency", "7"});
  EXPECT_EQ(config.concurrency, 7u);               // flag over variable and file
  EXPECT_EQ(config.source_name, "from-variable");  // variable over file
  EXPECT_EQ(config.store_name, "file-widgets");    // file alone
  EXPECT_EQ(config.log_dir, "file-logs");
}

TEST(CommandLineSettings, EveryOptionHasAVariableNamedAfterItsLongName) {
  ScopedVariable queue("WIDGET_CONSUMER_REQUEST_QUEUE", "q");
  ScopedVariable table("WIDGET_CONSUMER_DYNAMODB_WIDGET_TABLE", "t");
  ScopedVariable port("WIDGET_CONSUMER_METRICS_PORT", "9464");
  ScopedVariable address("WIDGET_CONSUMER_METRICS_ADDRESS", "0.0.0.0");
  ScopedVariable format("WIDGET_CONSUMER_LOG_FORMAT", "json");
  ScopedVariable no_log_file("WIDGET_CONSUMER_NO_LOG_FILE", "true");
  ScopedVariable no_progress("WIDGET_CONSUMER_NO_PROGRESS", "1");
  ScopedVariable idle("WIDGET_CONSUMER_IDLE_TIMEOUT", "0.5");
  Config config = parse_ok({});
  EXPECT_EQ(config.source_kind, SourceKind::sqs_queue);
  EXPECT_EQ(config.store_kind, StoreKind::dynamodb_table);
  EXPECT_EQ(config.metrics_port, 9464);
  EXPECT_EQ(config.metrics_address, "0.0.0.0");
  EXPECT_EQ(config.log_format, LogFormat::json);
  EXPECT_FALSE(config.log_file);
  EXPECT_FALSE(config.progress);
  EXPECT_EQ(config.idle_timeout, std::chrono::milliseconds(500));
}

TEST(CommandLineSettings, HelpListsTheVariables) {
  auto parsed = parse_command_line({"--help"});
  const auto& help = std::get<ParseExit>(parsed).message;
  for (const char* name : {"WIDGET_CONSUMER_REQUEST_BUCKET", "WIDGET_CONSUMER_METRICS_ADDRESS",
                           "WIDGET_CONSUMER_LOG_FORMAT", "WIDGET_CONSUMER_NO_LOG_FILE",
                           "WIDGET_CONSUMER_CONFIG", "WIDGET_CONSUMER_STORAGE"}) {
    EXPECT_NE(help.find(name), std::string::npos) << name;
  }
}

TEST(CommandLineSettings, FalseFlagVariablesLeaveTheDefaults) {
  ScopedVariable no_progress("WIDGET_CONSUMER_NO_PROGRESS", "false");
  ScopedVariable no_log_file("WIDGET_CONSUMER_NO_LOG_FILE", "0");
  Config config = parse_ok({});
  EXPECT_TRUE(config.progress);
  EXPECT_TRUE(config.log_file);
}

TEST(CommandLineSettings, ConfigFileNamedByTheVariable) {
  ConfigFile file("[default]\nwidgets-dir = \"w\"\nrequests-dir = \"r\"\nno-progress = true\n");
  ScopedVariable path("WIDGET_CONSUMER_CONFIG", file.path());
  Config config = parse_ok({});
  EXPECT_EQ(config.store_name, "w");
  EXPECT_EQ(config.source_name, "r");
  EXPECT_FALSE(config.progress);
}

TEST(CommandLineSettings, UnknownSettingInTheFileIsAUsageError) {
  ConfigFile file("request-bukket = \"x\"\n");
  auto message = usage_error({"--config", file.path()});
  EXPECT_NE(message.find("request-bukket"), std::string::npos) << message;
  EXPECT_NE(message.find("--config"), std::string::npos) << message;
}

TEST(CommandLineSettings, MissingConfigFileIsAUsageErrorNamingTheVariable) {
  ScopedVariable path("WIDGET_CONSUMER_CONFIG", "/nonexistent/wc.toml");
  auto message = usage_error({});
  EXPECT_NE(message.find("/nonexistent/wc.toml"), std::string::npos) << message;
  EXPECT_NE(message.find("WIDGET_CONSUMER_CONFIG"), std::string::npos) << message;
}

TEST(CommandLineSettings, BadValueSaysWhereItCameFrom) {
  {
    ScopedVariable port("WIDGET_CONSUMER_METRICS_PORT", "0");
    EXPECT_NE(usage_error({}).find("(from WIDGET_CONSUMER_METRICS_PORT)"), std::string::npos);
  }
  ConfigFile file("metrics-port = 70000\n");
  EXPECT_NE(usage_error({"--config", file.path()}).find("(from the --config file)"),
            std::string::npos);
  EXPECT_EQ(usage_error({"--metrics-port", "0"}).find("(from"), std::string::npos);
}

TEST(CommandLineSettings, MetricsAddressMustBeAnIpAddress) {
  EXPECT_EQ(parse_ok({"--metrics-address", "::"}).metrics_address, "::");
  EXPECT_EQ(parse_ok({}).metrics_address, "127.0.0.1");
  auto message = usage_error({"--metrics-address", "example.com"});
  EXPECT_NE(message.find("'example.com' is not an IPv4 or IPv6 address"), std::string::npos)
      << message;
}

TEST(CommandLineSettings, ConsoleOnlyLoggingIsNoLogFileAndAnEmptyLogDirSaysSo) {
  EXPECT_FALSE(parse_ok({"--no-log-file"}).log_file);
  EXPECT_TRUE(parse_ok({}).log_file);
  auto message = usage_error({"--log-dir", ""});
  EXPECT_NE(message.find("--no-log-file"), std::string::npos) << message;
  EXPECT_FALSE(parse_ok({"--log-dir", "", "--no-log-file"}).log_file);
}

TEST(CommandLineSettings, LogFormatIsTextOrJson) {
  EXPECT_EQ(parse_ok({}).log_format, LogFormat::text);
  EXPECT_EQ(parse_ok({"--log-format", "json"}).log_format, LogFormat::json);
  EXPECT_NE(usage_error({"--log-format", "xml"}).find("--log-format"), std::string::npos);
}

}  // namespace
}  // namespace wc::app
