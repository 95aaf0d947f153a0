#include "store/dynamodb_item_limits.h"

#include <gtest/gtest.h>

namespace wc::store {
namespace {

using nlohmann::json;

model::WidgetRequest request_of(model::RequestType type,
                                std::vector<model::RequestAttribute> attributes = {}) {
  model::WidgetRequest request;
  request.type = type;
  request.request_id = "r1";
  request.widget_id = "w1";
  request.owner = "Al";
  request.other_attributes = std::move(attributes);
  return request;
}

/// A create whose item is exactly `size` bytes: id (2+2), owner (5+2), "d" + padding.
model::WidgetRequest create_of_size(std::size_t size) {
  const std::size_t fixed = 2 + 2 + 5 + 2 + 1;
  return request_of(model::RequestType::create, {{"d", std::string(size - fixed, 'x')}});
}

TEST(DynamoDbItemLimits, ItemSizeCountsUtf8BytesOfNamesAndValues) {
  const json item = {{"id", {{"S", "ab"}}}, {"\xC3\xA9", {{"S", "\xE2\x9C\x93"}}}};
  EXPECT_EQ(item_size(item), 2u + 2u + 2u + 3u);
}

TEST(DynamoDbItemLimits, CreateOfExactly400KbIsAccepted) {
  EXPECT_EQ(item_limit_violation(create_of_size(k_max_item_bytes)), std::nullopt);
}

TEST(DynamoDbItemLimits, CreateOneByteOver400KbIsRejectedWithItsSize) {
  const auto reason = item_limit_violation(create_of_size(k_max_item_bytes + 1));
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("409601 bytes"), std::string::npos) << *reason;
  EXPECT_NE(reason->find("400 KB"), std::string::npos) << *reason;
}

TEST(DynamoDbItemLimits, CreateSizeIgnoresEntriesThatLeaveNothingStored) {
  // A null or empty value in a create means the attribute is absent: it weighs nothing.
  auto request = create_of_size(k_max_item_bytes);
  request.other_attributes.push_back({"gone", ""});
  request.other_attributes.push_back({"none", std::nullopt});
  request.label = "";
  EXPECT_EQ(item_limit_violation(request), std::nullopt);
}

TEST(DynamoDbItemLimits, UpdateWhoseOwnValuesExceedTheLimitIsRejected) {
  // Key (2+2) + shortest owner (5+1) + "d" (1) + value: over by one byte.
  const std::size_t fixed = 2 + 2 + 5 + 1 + 1;
  const auto over = request_of(model::RequestType::update,
                               {{"d", std::string(k_max_item_bytes - fixed + 1, 'x')}});
  ASSERT_TRUE(item_limit_violation(over).has_value());
  EXPECT_NE(item_limit_violation(over)->find("at least"), std::string::npos);
  const auto fits =
      request_of(model::RequestType::update, {{"d", std::string(k_max_item_bytes - fixed, 'x')}});
  EXPECT_EQ(item_limit_violation(fits), std::nullopt);
}

TEST(DynamoDbItemLimits, UpdateRemovalsAndNullsDoNotCount) {
  // Ten long names add up to far more than 400 KB, but removing or keeping adds nothing.
  std::vector<model::RequestAttribute> attributes;
  for (char c = 'a'; c < 'k'; ++c) {
    attributes.push_back(
        {std::string(60000, c), c % 2 == 0 ? std::optional<std::string>("") : std::nullopt});
  }
  EXPECT_EQ(item_limit_violation(request_of(model::RequestType::update, attributes)), std::nullopt);
}

TEST(DynamoDbItemLimits, AttributeNameOverTheLimitIsRejected) {
  const std::string name(k_max_attribute_name_bytes + 1, 'n');
  const auto reason = item_limit_violation(request_of(model::RequestType::create, {{name, "v"}}));
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("65535"), std::string::npos) << *reason;
  EXPECT_LT(reason->size(), 200u) << "the name is quoted cut short";
}

TEST(DynamoDbItemLimits, DeleteIsNeverRejected) {
  const std::string name(k_max_attribute_name_bytes + 1, 'n');
  EXPECT_EQ(item_limit_violation(request_of(model::RequestType::remove, {{name, "v"}})),
            std::nullopt);
}

}  // namespace
}  // namespace wc::store
