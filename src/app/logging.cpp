#include "app/logging.h"

#include <spdlog/sinks/daily_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <vector>

#include "app/log_format.h"

namespace wc::app {

util::Expected<void, std::string> set_up_logging(const std::string& log_dir, bool log_file,
                                                 LogFormat format) {
  try {
    std::vector<spdlog::sink_ptr> sinks;
    // No colour codes in lines meant for a machine.
    if (format == LogFormat::json) {
      sinks.push_back(std::make_shared<spdlog::sinks::stdout_sink_mt>());
    } else {
      sinks.push_back(std::make_shared<spdlog::sinks::stdout_color_sink_mt>());
    }
    if (log_file) {
      std::error_code ec;
      std::filesystem::create_directories(log_dir, ec);
      if (ec) {
        return util::Unexpected("log directory '" + log_dir +
                                "' cannot be created: " + ec.message());
      }
      sinks.push_back(std::make_shared<spdlog::sinks::daily_file_format_sink_mt>(
          (std::filesystem::path(log_dir) / "%Y-%m-%d.log").string(), 0, 0));
    }
    for (auto& sink : sinks) sink->set_formatter(make_log_formatter(format));
    auto logger = std::make_shared<spdlog::logger>("widget-consumer", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::info);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex& error) {
    return util::Unexpected("log directory '" + log_dir + "' cannot be used: " + error.what());
  }
  return {};
}

}  // namespace wc::app
