#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "model/request.h"
#include "model/widget.h"
#include "producer/request_generator.h"

namespace wc::producer {
namespace {

using model::RequestType;
using nlohmann::json;

std::vector<GeneratedRequest> generate(std::uint64_t seed, int count, RequestMix mix = {}) {
  RequestGenerator generator(seed, mix);
  std::vector<GeneratedRequest> requests;
  for (int i = 0; i < count; ++i) requests.push_back(generator.next());
  return requests;
}

std::map<RequestType, int> count_types(const std::vector<GeneratedRequest>& requests) {
  std::map<RequestType, int> counts;
  for (const auto& request : requests) ++counts[request.type];
  return counts;
}

bool is_uuid_v4(const std::string& text) {
  static const std::regex pattern(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  return std::regex_match(text, pattern);
}

TEST(ProducerGenerator, SameSeedGivesTheSameRequests) {
  const auto first = generate(7, 300);
  const auto second = generate(7, 300);
  for (std::size_t i = 0; i < first.size(); ++i) ASSERT_EQ(first[i].body, second[i].body);
}

TEST(ProducerGenerator, DifferentSeedsGiveDifferentRequests) {
  EXPECT_NE(generate(7, 1)[0].body, generate(8, 1)[0].body);
}

TEST(ProducerGenerator, FirstRequestIsACreateWhateverTheMix) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    EXPECT_EQ(generate(seed, 1, {0, 50, 50})[0].type, RequestType::create) << "seed " << seed;
  }
}

TEST(ProducerGenerator, DefaultMixIsRoughlySeventyTwentyTen) {
  const auto counts = count_types(generate(1, 10000));
  EXPECT_NEAR(counts.at(RequestType::create), 7000, 300);
  EXPECT_NEAR(counts.at(RequestType::update), 2000, 200);
  EXPECT_NEAR(counts.at(RequestType::remove), 1000, 150);
}

TEST(ProducerGenerator, ChosenMixIsRespected) {
  const auto counts = count_types(generate(2, 10000, {40, 30, 30}));
  EXPECT_NEAR(counts.at(RequestType::create), 4000, 300);
  EXPECT_NEAR(counts.at(RequestType::update), 3000, 300);
  EXPECT_NEAR(counts.at(RequestType::remove), 3000, 300);
}

TEST(ProducerGenerator, UpdatesAndDeletesAddressWidgetsItCreatedWithTheirOwner) {
  std::map<std::string, std::string> owner_of;
  for (const auto& request : generate(3, 3000)) {
    if (request.type == RequestType::create) {
      EXPECT_TRUE(owner_of.emplace(request.widget_id, request.owner).second)
          << "widgetId reused: " << request.widget_id;
    } else {
      ASSERT_TRUE(owner_of.count(request.widget_id)) << request.body;
      EXPECT_EQ(owner_of.at(request.widget_id), request.owner);
    }
  }
}

TEST(ProducerGenerator, MissingTargetsAreExactlyTheWidgetsDeletedEarlier) {
  std::set<std::string> deleted;
  int missing = 0;
  for (const auto& request : generate(4, 5000)) {
    EXPECT_EQ(request.targets_missing, deleted.count(request.widget_id) == 1) << request.body;
    missing += request.targets_missing ? 1 : 0;
    if (request.type == RequestType::remove) deleted.insert(request.widget_id);
  }
  EXPECT_GT(missing, 50);  // some "missing widget" warnings for the consumer to log
}

TEST(ProducerGenerator, RequestsHaveTheOriginalProducersShape) {
  static const std::set<std::string> owners = {"Henry Hops", "Mary Matthews", "Sue Smith",
                                               "John Jones"};
  static const std::vector<std::string> catalogue = {
      "color",  "size",        "size-unit", "height", "height-unit", "width",  "width-unit",
      "length", "length-unit", "rating",    "price",  "quantity",    "vendor", "note"};
  static const std::regex upper("[A-Z]*");
  static const std::regex integer("[1-9][0-9]*");
  static const std::regex price("[0-9]{1,2}\\.[0-9]{1,2}");
  for (const auto& request : generate(5, 2000)) {
    const json doc = json::parse(request.body);
    EXPECT_EQ(doc.at("type"), model::to_string(request.type));
    EXPECT_TRUE(is_uuid_v4(doc.at("requestId"))) << doc.at("requestId");
    EXPECT_TRUE(is_uuid_v4(doc.at("widgetId"))) << doc.at("widgetId");
    EXPECT_TRUE(owners.count(doc.at("owner"))) << doc.at("owner");
    for (const char* field : {"label", "description"}) {
      if (doc.contains(field) && doc[field].is_string()) {
        EXPECT_TRUE(std::regex_match(doc[field].get<std::string>(), upper)) << doc[field];
      }
    }
    if (request.type == RequestType::remove) {
      EXPECT_EQ(doc.size(), 4U) << request.body;
      continue;
    }
    std::size_t last_index = 0;
    for (const auto& attribute : doc.at("otherAttributes")) {
      const std::string name = attribute.at("name");
      const auto position = std::find(catalogue.begin(), catalogue.end(), name);
      ASSERT_NE(position, catalogue.end()) << name;
      const auto index = static_cast<std::size_t>(position - catalogue.begin()) + 1;
      EXPECT_GT(index, last_index) << "attributes out of catalogue order: " << request.body;
      last_index = index;
      if (!attribute.at("value").is_string()) continue;
      const std::string value = attribute["value"];
      if (value.empty()) continue;
      if (name.ends_with("-unit")) {
        EXPECT_EQ(value, "cm");
      } else if (name == "rating") {
        EXPECT_GE(std::stod(value), 0.0);
        EXPECT_LE(std::stod(value), 5.0);
        EXPECT_NE(value.find('.'), std::string::npos) << value;
      } else if (name == "price") {
        EXPECT_TRUE(std::regex_match(value, price)) << value;
      } else if (name == "color") {
        EXPECT_TRUE(std::regex_match(value, std::regex("[a-z]+"))) << value;
      } else if (name == "vendor" || name == "note") {
        EXPECT_TRUE(std::regex_match(value, upper)) << value;
      } else {
        EXPECT_TRUE(std::regex_match(value, integer)) << name << "=" << value;
        EXPECT_LE(std::stoi(value), 1000);
      }
    }
  }
}

TEST(ProducerGenerator, CreatesCarryLabelDescriptionAndAttributesLikeTheOriginal) {
  int creates = 0;
  int empty_labels = 0;
  std::size_t attributes = 0;
  for (const auto& request : generate(6, 4000, {100, 0, 0})) {
    const json doc = json::parse(request.body);
    ASSERT_TRUE(doc.at("label").is_string());
    ASSERT_TRUE(doc.at("description").is_string());
    ++creates;
    empty_labels += doc["label"].get<std::string>().empty() ? 1 : 0;
    attributes += doc.at("otherAttributes").size();
  }
  // Captured data: 21 of 196 labels empty, 5.7 attributes per create.
  EXPECT_NEAR(static_cast<double>(empty_labels) / creates, 0.1, 0.03);
  EXPECT_NEAR(static_cast<double>(attributes) / creates, 5.6, 0.4);
}

TEST(ProducerGenerator, UpdatesExerciseEveryUpdateRule) {
  std::map<std::string, int> seen;
  for (const auto& request : generate(8, 5000)) {
    if (request.type != RequestType::update) continue;
    const json doc = json::parse(request.body);
    for (const char* field : {"label", "description"}) {
      if (!doc.contains(field)) {
        ++seen[std::string(field) + " absent"];
      } else if (doc[field].is_null()) {
        ++seen[std::string(field) + " null"];
      } else if (doc[field] == "") {
        ++seen[std::string(field) + " removed"];
      } else {
        ++seen[std::string(field) + " set"];
      }
    }
    for (const auto& attribute : doc.at("otherAttributes")) {
      const auto& value = attribute.at("value");
      ++seen[value.is_null() ? "attribute null"
             : value == ""   ? "attribute removed"
                             : "attribute set"];
    }
  }
  for (const char* rule :
       {"label absent", "label null", "label removed", "label set", "description absent",
        "description null", "description removed", "description set", "attribute null",
        "attribute removed", "attribute set"}) {
    EXPECT_GT(seen[rule], 20) << rule;
  }
}

TEST(ProducerGenerator, AFullTargetPoolForgetsOldWidgetsInsteadOfGrowing) {
  // With room for one widget, each create replaces the remembered one: updates can only
  // address the latest create.
  RequestGenerator generator(12, {30, 70, 0}, 1);
  std::string latest;
  int updates = 0;
  for (int i = 0; i < 500; ++i) {
    const auto request = generator.next();
    if (request.type == RequestType::create) {
      latest = request.widget_id;
    } else {
      ASSERT_EQ(request.widget_id, latest);
      ++updates;
    }
  }
  EXPECT_GT(updates, 200);
}

TEST(ProducerGenerator, EveryRequestPassesTheModelsValidation) {
  for (const auto& generated : generate(10, 3000)) {
    const auto request = model::parse_request(generated.body);
    ASSERT_TRUE(request) << request.error().reason << ": " << generated.body;
    EXPECT_EQ(request->type, generated.type);
    EXPECT_EQ(request->widget_id, generated.widget_id);
    EXPECT_EQ(request->owner, generated.owner);
  }
}

TEST(ProducerGenerator, AttributeRemovalsMostlyHitAttributesTheWidgetHas) {
  // Apply the stream with the model's rules: an update's "" should name an attribute the
  // widget holds, since removing an absent one exercises nothing.
  std::map<std::string, model::Widget> widgets;
  int removals = 0;
  int effective = 0;
  for (const auto& generated : generate(9, 5000)) {
    const auto request = model::parse_request(generated.body);
    ASSERT_TRUE(request);
    if (request->type == RequestType::create) {
      widgets[request->widget_id] = model::widget_from_create(*request);
      continue;
    }
    const auto widget = widgets.find(request->widget_id);
    EXPECT_EQ(widget == widgets.end(), generated.targets_missing) << generated.body;
    if (widget == widgets.end()) continue;
    if (request->type == RequestType::remove) {
      widgets.erase(widget);
      continue;
    }
    for (const auto& attribute : request->other_attributes) {
      if (attribute.value != "") continue;
      ++removals;
      const auto& held = widget->second.other_attributes;
      effective += std::any_of(held.begin(), held.end(),
                               [&](const auto& pair) { return pair.first == attribute.name; });
    }
    model::apply_update(widget->second, *request);
  }
  ASSERT_GT(removals, 100);
  EXPECT_GT(static_cast<double>(effective) / removals, 0.8);
}

TEST(ProducerMix, ParsesThreeWeights) {
  const auto mix = parse_mix("60,30,10");
  ASSERT_TRUE(mix);
  EXPECT_EQ(mix->create, 60);
  EXPECT_EQ(mix->update, 30);
  EXPECT_EQ(mix->remove, 10);
}

TEST(ProducerMix, RejectsMalformedWeights) {
  for (const char* text : {"", "70,20", "70,20,10,0", "a,b,c", "70,-20,10", "0,0,0", "70,,10",
                           "70,20,10,", " 70,20,10", "70;20;10"}) {
    const auto mix = parse_mix(text);
    ASSERT_FALSE(mix) << text;
    EXPECT_NE(mix.error().find("--mix"), std::string::npos);
  }
}

}  // namespace
}  // namespace wc::producer
