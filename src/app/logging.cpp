#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/daily_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "app/log_text.h"

namespace wc::app {

namespace {

// %& is the message with control characters escaped (see EscapedMessageFlag).
constexpr const char* k_pattern = "%Y-%m-%d %H:%M:%S.%e %-7* %&";

// spdlog's own level names are lower-case ("warning"); logs read better and grep more easily
// as INFO / WARNING / ERROR.
class UpperLevelFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view name = level_name(msg.level);
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<UpperLevelFlag>();
  }

 private:
  static std::string_view level_name(spdlog::level::level_enum level) {
    switch (level) {
      case spdlog::level::trace: return "TRACE";
      case spdlog::level::debug: return "DEBUG";
      case spdlog::level::info: return "INFO";
      case spdlog::level::warn: return "WARNING";
      case spdlog::level::err: return "ERROR";
      case spdlog::level::critical: return "CRITICAL";
      default: return "";
    }
  }
};

// Messages carry keys, file names and error texts chosen by others: one log call is exactly
// one line, whatever they contain.
class EscapedMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string text = escape_for_log(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<EscapedMessageFlag>();
  }
};

std::unique_ptr<spdlog::formatter> make_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<UpperLevelFlag>('*').add_flag<EscapedMessageFlag>('&').set_pattern(k_pattern);
  return formatter;
}

}  // namespace

util::Expected<void, std::string> set_up_logging(const std::string& log_dir) {
  std::error_code ec;
  std::filesystem::create_directories(log_dir, ec);
  if (ec) return util::Unexpected("log directory '" + log_dir + "' cannot be created: " + ec.message());
  try {
    auto console = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
    auto file = std::make_shared<spdlog::sinks::daily_file_format_sink_mt>(
        (std::filesystem::path(log_dir) / "%Y-%m-%d.log").string(), 0, 0);
    console->set_formatter(make_formatter());
    file->set_formatter(make_formatter());
    auto logger = std::make_shared<spdlog::logger>("widget-consumer",
                                                   spdlog::sinks_init_list{console, file});
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex& error) {
    return util::Unexpected("log directory '" + log_dir + "' cannot be used: " + error.what());
  }
  return {};
}

}  // namespace wc::app
