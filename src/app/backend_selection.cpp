#include "app/backend_selection.h"

#include <strings.h>

#include <vector>

namespace wc::app {

namespace {

constexpr const char* k_default_requests_dir = "requests";
constexpr const char* k_default_widgets_dir = "widget-store";

struct Choice {
  const char* flag;
  const std::string* value;
};

std::vector<Choice> given(std::initializer_list<Choice> choices) {
  std::vector<Choice> out;
  for (const auto& choice : choices) {
    if (!choice.value->empty()) out.push_back(choice);
  }
  return out;
}

bool no_backend_flag(const BackendFlags& f) {
  return f.storage.empty() && f.request_bucket.empty() && f.request_queue.empty() &&
         f.requests_dir.empty() && f.widget_bucket.empty() && f.dynamodb_table.empty() &&
         f.widgets_dir.empty();
}

std::optional<std::string> select_source(const BackendFlags& f, Config& config) {
  auto sources = given({{"-rb/--source", &f.request_bucket},
                        {"-rq/--request-queue", &f.request_queue},
                        {"--requests-dir", &f.requests_dir}});
  if (sources.empty()) {
    return "no request source: give -rb/--source BUCKET, -rq/--request-queue QUEUE or "
           "--requests-dir DIR";
  }
  if (sources.size() > 1) {
    return std::string("one request source only, but both ") + sources[0].flag + " and " +
           sources[1].flag + " were given: keep one";
  }
  config.source_name = *sources[0].value;
  config.source_kind = sources[0].value == &f.request_bucket  ? SourceKind::s3_bucket
                       : sources[0].value == &f.request_queue ? SourceKind::sqs_queue
                                                              : SourceKind::directory;
  return std::nullopt;
}

std::optional<std::string> select_store(const BackendFlags& f, Config& config) {
  auto stores = given({{"-wb/--target", &f.widget_bucket},
                       {"-dt/--dynamodb", &f.dynamodb_table},
                       {"--widgets-dir", &f.widgets_dir}});
  if (stores.size() > 1) {
    return std::string("one widget store only, but both ") + stores[0].flag + " and " +
           stores[1].flag + " were given: keep one";
  }
  bool s3 = strcasecmp(f.storage.c_str(), "S3") == 0;
  bool dynamodb = strcasecmp(f.storage.c_str(), "DynamoDB") == 0;
  if (stores.empty()) {
    if (s3) return "-ss S3 needs the widget bucket: add -wb/--target BUCKET";
    if (dynamodb) return "-ss DynamoDB needs the widget table: add -dt/--dynamodb TABLE";
    return "no widget store: give -wb/--target BUCKET, -dt/--dynamodb TABLE or --widgets-dir DIR";
  }
  const Choice& store = stores[0];
  if (s3 && store.value != &f.widget_bucket) {
    return std::string("-ss S3 stores widgets in an S3 bucket, but ") + store.flag +
           " was given: use -wb/--target BUCKET, or -ss DynamoDB with -dt";
  }
  if (dynamodb && store.value != &f.dynamodb_table) {
    return std::string("-ss DynamoDB stores widgets in a DynamoDB table, but ") + store.flag +
           " was given: use -dt/--dynamodb TABLE, or -ss S3 with -wb";
  }
  config.store_name = *store.value;
  config.store_kind = store.value == &f.widget_bucket    ? StoreKind::s3_bucket
                      : store.value == &f.dynamodb_table ? StoreKind::dynamodb_table
                                                         : StoreKind::directory;
  return std::nullopt;
}

std::optional<std::string> select_dead_letters(const BackendFlags& f, Config& config) {
  auto places = given({{"--dead-letter-dir", &f.dead_letter_dir},
                       {"--dead-letter-bucket", &f.dead_letter_bucket},
                       {"--dead-letter-queue", &f.dead_letter_queue}});
  if (places.size() > 1) {
    return std::string("one dead-letter place only, but both ") + places[0].flag + " and " +
           places[1].flag + " were given: keep one";
  }
  if (places.empty()) return std::nullopt;  // the default directory
  config.dead_letter_name = *places[0].value;
  config.dead_letter_kind = places[0].value == &f.dead_letter_dir      ? DeadLetterKind::directory
                            : places[0].value == &f.dead_letter_bucket ? DeadLetterKind::s3_bucket
                                                                       : DeadLetterKind::sqs_queue;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> select_backends(const BackendFlags& flags, Config& config) {
  if (no_backend_flag(flags)) {
    config.source_kind = SourceKind::directory;
    config.source_name = k_default_requests_dir;
    config.store_kind = StoreKind::directory;
    config.store_name = k_default_widgets_dir;
    return select_dead_letters(flags, config);
  }
  if (auto problem = select_source(flags, config)) return problem;
  if (auto problem = select_store(flags, config)) return problem;
  return select_dead_letters(flags, config);
}

}  // namespace wc::app
