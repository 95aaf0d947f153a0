// Fuzzes the SQS JSON response readers of src/aws/sqs_json.h: GetQueueUrl, GetQueueAttributes,
// ReceiveMessage, the *Batch results, SendMessage, and error answers (with any status and
// x-amzn-query-error header). Nothing may throw or crash; an error always has a code.
// Input: byte 0 picks the reader (and the status and header of the error answer).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/sqs_json.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 6) {
    case 0:
      (void)wc::aws::parse_queue_url(body);
      break;
    case 1:
      (void)wc::aws::parse_queue_attributes(body);
      break;
    case 2: {
      auto messages = wc::aws::parse_received_messages(body);
      if (messages) {
        for (const auto& message : *messages) (void)message.attribute("MessageGroupId");
      }
      break;
    }
    case 3:
      (void)wc::aws::parse_batch_result(body);
      break;
    case 4:
      (void)wc::aws::parse_send_result(body);
      break;
    default: {
      wc::aws::HttpResponse response;
      response.status = 400 + (data[0] >> 3) % 200;
      if (data[0] & 0x80) {
        response.headers.emplace_back("x-amzn-query-error",
                                      "AWS.SimpleQueueService.NonExistentQueue;Sender");
      }
      response.body = std::string(body);
      WC_FUZZ_CHECK(!wc::aws::parse_sqs_error(response).code.empty());
    }
  }
  return 0;
}
