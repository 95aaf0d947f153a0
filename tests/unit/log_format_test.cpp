// Log lines as people and machines read them: text as before, JSON one valid object a line.

#include "app/log_format.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "consumer/request_log.h"
#include "model/request.h"

namespace wc::app {
namespace {

using namespace std::chrono_literals;

/// A logger like the real one, into a string; restores the default logger afterwards.
struct CapturedLog {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();

  explicit CapturedLog(LogFormat format) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    sink->set_formatter(make_log_formatter(format));
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  }
  ~CapturedLog() { spdlog::set_default_logger(previous); }

  std::vector<std::string> lines() const {
    std::vector<std::string> result;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) result.push_back(line);
    return result;
  }
};

model::WidgetRequest update_of(std::string widget) {
  model::WidgetRequest request;
  request.type = model::RequestType::update;
  request.widget_id = std::move(widget);
  request.owner = "Sue";
  return request;
}

TEST(JsonLog, RequestLineCarriesKeyTypeWidgetOutcomeAndLatency) {
  CapturedLog log(LogFormat::json);
  consumer::log_request("1612306368338", update_of("w-1"), consumer::FinalOutcome::updated,
                        12340us);
  auto lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  auto line = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(line["level"], "INFO");
  EXPECT_EQ(line["message"], "1612306368338 update w-1 updated 12.3 ms");
  EXPECT_EQ(line["key"], "1612306368338");
  EXPECT_EQ(line["type"], "update");
  EXPECT_EQ(line["widget"], "w-1");
  EXPECT_EQ(line["outcome"], "updated");
  EXPECT_DOUBLE_EQ(line["latency_ms"].get<double>(), 12.3);
  EXPECT_TRUE(std::regex_match(line["time"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << line["time"];
  EXPECT_EQ(lines[0].rfind("{\"time\":", 0), 0u) << "time comes first: " << lines[0];
}

TEST(JsonLog, RejectedRequestHasKeyAndOutcomeButNoTypeOrWidget) {
  CapturedLog log(LogFormat::json);
  consumer::log_request("bad.json", std::nullopt, consumer::FinalOutcome::rejected, 1ms);
  auto line = nlohmann::json::parse(log.lines().at(0));
  EXPECT_EQ(line["key"], "bad.json");
  EXPECT_EQ(line["outcome"], "rejected");
  EXPECT_FALSE(line.contains("type"));
  EXPECT_FALSE(line.contains("widget"));
}

TEST(JsonLog, MissingWidgetWarningNamesTheRequestButLeavesTheOutcomeToItsLine) {
  CapturedLog log(LogFormat::json);
  consumer::log_missing_widget("k1", update_of("w-9"));
  auto line = nlohmann::json::parse(log.lines().at(0));
  EXPECT_EQ(line["level"], "WARNING");
  EXPECT_EQ(line["key"], "k1");
  EXPECT_EQ(line["widget"], "w-9");
  EXPECT_FALSE(line.contains("outcome"));
}

TEST(JsonLog, OtherLinesHaveNoRequestFieldsAndWarningIsSpelledOut) {
  CapturedLog log(LogFormat::json);
  spdlog::warn("retrying PutObject");
  auto line = nlohmann::json::parse(log.lines().at(0));
  EXPECT_EQ(line["level"], "WARNING");
  EXPECT_EQ(line.size(), 3u) << line;
}

TEST(JsonLog, HostileKeysStayOneValidLine) {
  CapturedLog log(LogFormat::json);
  spdlog::error("{}: rejected", std::string("evil\n{\"level\":\"INFO\"}\x1b[2J\xff\xfe"));
  auto lines = log.lines();
  ASSERT_EQ(lines.size(), 1u) << log.out.str();
  auto line = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(line["level"], "ERROR");
  EXPECT_EQ(line["message"], "evil\n{\"level\":\"INFO\"}\x1b[2J\xEF\xBF\xBD\xEF\xBF\xBD: rejected");
}

TEST(TextLog, KeepsItsShapeWithEscapedControlCharacters) {
  CapturedLog log(LogFormat::text);
  consumer::log_request("k\nx", update_of("w"), consumer::FinalOutcome::missing, 2ms);
  auto lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(std::regex_match(
      lines[0],
      std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO +k\\nx update w missing 2\.0 ms)")))
      << lines[0];
}

}  // namespace
}  // namespace wc::app
