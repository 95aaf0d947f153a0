// Runs the conformance folders through the model alone: in-memory stores with the S3 and
// DynamoDB layouts, compared with <folder>.expected.json. Data from outside the project: when
// it is missing the tests fail and say so.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "conformance_data.h"
#include "model/dynamodb_item.h"
#include "model/request.h"
#include "model/widget.h"
#include "model/widget_json.h"

namespace wc::model {
namespace {

using nlohmann::json;

/// What a store ends with, in the shape of one section of <folder>.expected.json.
struct Outcome {
  json widgets = json::object();
  std::vector<std::string> rejected;
  int warnings = 0;
};

/// The S3 store: key widgets/{owner}/{widgetId} built from the request's own owner, body the
/// widget JSON document; updates read the stored document back.
class MemoryS3Store {
 public:
  void apply(const std::string& source_key, std::string_view body) {
    auto request = parse_request(body);
    if (!request) {
      outcome_.rejected.push_back(source_key);
      return;
    }
    const std::string key = widget_key(request->owner, request->widget_id);
    const auto stored = objects_.find(key);
    switch (request->type) {
      case RequestType::create:
        objects_[key] = to_json(widget_from_create(*request));
        break;
      case RequestType::update:
        if (stored == objects_.end()) {
          ++outcome_.warnings;
        } else {
          auto widget = widget_from_json(stored->second);
          ASSERT_TRUE(widget) << key << ": " << widget.error();
          apply_update(*widget, *request);
          stored->second = to_json(*widget);
        }
        break;
      case RequestType::remove:
        if (stored == objects_.end()) {
          ++outcome_.warnings;
        } else {
          objects_.erase(stored);
        }
        break;
    }
  }

  Outcome outcome() const {
    Outcome result = outcome_;
    for (const auto& [key, body] : objects_) result.widgets[key] = json::parse(body);
    return result;
  }

  const std::map<std::string, std::string>& objects() const { return objects_; }

 private:
  std::map<std::string, std::string> objects_;
  Outcome outcome_;
};

/// The DynamoDB store: one item per widgetId in the wire layout; updates read the item back.
class MemoryDynamodbStore {
 public:
  void apply(const std::string& source_key, std::string_view body) {
    auto request = parse_request(body);
    if (!request || dynamodb_collision(*request)) {
      outcome_.rejected.push_back(source_key);
      return;
    }
    const auto stored = items_.find(request->widget_id);
    switch (request->type) {
      case RequestType::create:
        items_[request->widget_id] = to_dynamodb_item(widget_from_create(*request));
        break;
      case RequestType::update:
        if (stored == items_.end()) {
          ++outcome_.warnings;
        } else {
          auto widget = widget_from_dynamodb_item(stored->second);
          ASSERT_TRUE(widget) << request->widget_id << ": " << widget.error();
          apply_update(*widget, *request);
          stored->second = to_dynamodb_item(*widget);
        }
        break;
      case RequestType::remove:
        if (stored == items_.end()) {
          ++outcome_.warnings;
        } else {
          items_.erase(stored);
        }
        break;
    }
  }

  /// Items as the expected file writes them: attribute name -> plain string.
  Outcome outcome() const {
    Outcome result = outcome_;
    for (const auto& [id, item] : items_) {
      json plain = json::object();
      for (const auto& [name, value] : item.items()) plain[name] = value.at("S");
      result.widgets[id] = plain;
    }
    return result;
  }

  const std::map<std::string, json>& items() const { return items_; }

 private:
  std::map<std::string, json> items_;
  Outcome outcome_;
};

/// The request files of a folder as (key, path), in byte order of the key.
std::vector<std::pair<std::string, std::filesystem::path>> requests_in(
    const std::filesystem::path& folder) {
  std::vector<std::pair<std::string, std::filesystem::path>> requests;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      requests.emplace_back(entry.path().stem().string(), entry.path());
    }
  }
  std::sort(requests.begin(), requests.end());  // std::string orders bytes as unsigned
  return requests;
}

/// Compares one store's outcome with its section of the expected file, naming each
/// differing widget rather than dumping two whole stores.
void expect_matches(const Outcome& actual, const json& expected, const std::string& store) {
  const json& widgets = expected.at("widgets");
  for (const auto& [key, widget] : widgets.items()) {
    if (!actual.widgets.contains(key)) {
      ADD_FAILURE() << store << ": missing widget " << key;
    } else if (actual.widgets.at(key) != widget) {
      ADD_FAILURE() << store << ": widget " << key << " differs\n  expected " << widget.dump()
                    << "\n  actual   " << actual.widgets.at(key).dump();
    }
  }
  for (const auto& [key, widget] : actual.widgets.items()) {
    if (!widgets.contains(key)) ADD_FAILURE() << store << ": unexpected widget " << key;
  }
  EXPECT_EQ(actual.widgets.size(), widgets.size()) << store;
  EXPECT_EQ(actual.rejected, expected.at("rejected").get<std::vector<std::string>>()) << store;
  EXPECT_EQ(actual.warnings, expected.at("warnings").get<int>()) << store;
}

class ConformanceFolder : public ::testing::TestWithParam<std::string> {};

TEST_P(ConformanceFolder, StoresEndAsExpected) {
  const auto folder = test::conformance_dir() / GetParam();
  const auto expected_path = test::conformance_dir() / (GetParam() + ".expected.json");
  ASSERT_TRUE(std::filesystem::is_directory(folder)) << test::missing_message(folder);
  ASSERT_TRUE(std::filesystem::exists(expected_path)) << test::missing_message(expected_path);
  const json expected = json::parse(test::read_bytes(expected_path));

  MemoryS3Store s3;
  MemoryDynamodbStore dynamodb;
  const auto requests = requests_in(folder);
  ASSERT_FALSE(requests.empty()) << folder << " holds no .json request";
  for (const auto& [key, path] : requests) {
    const std::string body = test::read_bytes(path);
    s3.apply(key, body);
    dynamodb.apply(key, body);
  }
  expect_matches(s3.outcome(), expected.at("s3"), "s3");
  expect_matches(dynamodb.outcome(), expected.at("dynamodb"), "dynamodb");
}

INSTANTIATE_TEST_SUITE_P(ModelConformance, ConformanceFolder,
                         ::testing::Values("hw6-official", "producer-2021"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// --- How the two layouts address a widget (SPEC §5), beyond what the data exercises ------

std::string request(const std::string& type, const std::string& owner, const std::string& extra) {
  return R"({"type":")" + type + R"(","requestId":"r","widgetId":"w1","owner":")" + owner + "\"" +
         extra + "}";
}

TEST(StoreAddressing, UpdateWithAnotherOwnerMissesInS3ButUpdatesTheDynamodbItem) {
  MemoryS3Store s3;
  MemoryDynamodbStore dynamodb;
  for (const std::string& body : {request("create", "Mary Matthews", R"(,"label":"A")"),
                                  request("update", "Sue Smith", R"(,"label":"B")")}) {
    s3.apply("k", body);
    dynamodb.apply("k", body);
  }
  EXPECT_EQ(s3.outcome().warnings, 1);
  EXPECT_EQ(s3.objects().at("widgets/mary-matthews/w1"),
            R"({"widgetId":"w1","owner":"Mary Matthews","label":"A"})");
  EXPECT_EQ(s3.objects().count("widgets/sue-smith/w1"), 0u);
  EXPECT_EQ(dynamodb.outcome().warnings, 0);
  EXPECT_EQ(dynamodb.outcome().widgets.at("w1"),
            json::parse(R"({"id":"w1","owner":"Mary Matthews","label":"B"})"));
}

TEST(StoreAddressing, CreateWithAnotherOwnerAddsAnS3ObjectButReplacesTheDynamodbItem) {
  MemoryS3Store s3;
  MemoryDynamodbStore dynamodb;
  for (const std::string& body :
       {request("create", "Mary Matthews", ""), request("create", "Sue Smith", "")}) {
    s3.apply("k", body);
    dynamodb.apply("k", body);
  }
  EXPECT_EQ(s3.objects().size(), 2u);
  EXPECT_EQ(dynamodb.items().size(), 1u);
  EXPECT_EQ(dynamodb.outcome().widgets.at("w1").at("owner"), "Sue Smith");
}

TEST(StoreAddressing, OwnerInAnotherCaseFindsTheS3ObjectAndKeepsTheStoredOwner) {
  MemoryS3Store s3;
  s3.apply("1", request("create", "Mary Matthews", ""));
  s3.apply("2", request("update", "MARY MATTHEWS", R"(,"label":"B")"));
  EXPECT_EQ(s3.outcome().warnings, 0);
  EXPECT_EQ(s3.objects().at("widgets/mary-matthews/w1"),
            R"({"widgetId":"w1","owner":"Mary Matthews","label":"B"})");
}

TEST(StoreAddressing, CollidingAttributeNameIsRejectedOnlyByTheDynamodbStore) {
  MemoryS3Store s3;
  MemoryDynamodbStore dynamodb;
  const std::string body =
      request("create", "Mary Matthews", R"(,"otherAttributes":[{"name":"id","value":"x"}])");
  s3.apply("k", body);
  dynamodb.apply("k", body);
  EXPECT_TRUE(s3.outcome().rejected.empty());
  EXPECT_EQ(dynamodb.outcome().rejected, std::vector<std::string>{"k"});
}

}  // namespace
}  // namespace wc::model
