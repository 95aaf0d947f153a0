// widget-producer's SQS messages: the body untouched, and on FIFO queues a group per widget
// and a deduplication id that drops retries but not other requests.

#include <gtest/gtest.h>

#include "aws/sqs_json.h"
#include "producer/sqs_sink.h"

namespace wc::producer {
namespace {

const std::string k_body =
    R"({"type":"update","requestId":"r-1","widgetId":"w-42","owner":"Sue Smith"})";

TEST(SqsProducerMessage, StandardQueueGetsTheBodyAndNothingElse) {
  auto entry = request_message("1700000000000", k_body, false);
  EXPECT_EQ(entry.body, k_body);
  EXPECT_TRUE(entry.group_id.empty());
  EXPECT_TRUE(entry.deduplication_id.empty());
  EXPECT_TRUE(entry.attributes.empty());
}

TEST(SqsProducerMessage, FifoGroupIsTheWidgetId) {
  auto entry = request_message("1700000000000", k_body, true);
  EXPECT_EQ(entry.body, k_body);
  EXPECT_EQ(entry.group_id, "w-42");
}

TEST(SqsProducerMessage, FifoDeduplicationDropsARetryButNotAnotherRequest) {
  auto first = request_message("1700000000000", k_body, true);
  EXPECT_EQ(first.deduplication_id.size(), 64u);
  EXPECT_EQ(request_message("1700000000000", k_body, true).deduplication_id,
            first.deduplication_id);
  EXPECT_NE(request_message("1700000000001", k_body, true).deduplication_id,
            first.deduplication_id);
  EXPECT_NE(request_message("1700000000000", k_body + " ", true).deduplication_id,
            first.deduplication_id);
}

TEST(SqsProducerMessage, WidgetIdSqsCannotTakeAsAGroupIsHashedPerWidget) {
  auto spaced = request_message("k", R"({"widgetId":"blue widget"})", true);
  auto other = request_message("k", R"({"widgetId":"red widget"})", true);
  EXPECT_EQ(spaced.group_id.size(), 64u);
  EXPECT_NE(spaced.group_id, other.group_id);
  EXPECT_EQ(request_message("k2", R"({"widgetId":"blue widget"})", true).group_id, spaced.group_id);
}

TEST(SqsProducerMessage, RequestWithoutWidgetIdGoesToTheSharedGroup) {
  EXPECT_EQ(request_message("k", "not json", true).group_id, "no-widget-id");
  EXPECT_EQ(request_message("k", R"({"widgetId":12})", true).group_id, "no-widget-id");
}

}  // namespace
}  // namespace wc::producer
