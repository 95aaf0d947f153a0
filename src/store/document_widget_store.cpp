#include "store/document_widget_store.h"

#include "model/widget.h"
#include "model/widget_json.h"

namespace wc::store {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::created:
      return "created";
    case Outcome::replaced:
      return "replaced";
    case Outcome::updated:
      return "updated";
    case Outcome::deleted:
      return "deleted";
    case Outcome::missing:
      return "missing";
  }
  return "unknown";
}

DocumentWidgetStore::DocumentWidgetStore(std::unique_ptr<DocumentBackend> backend)
    : backend_(std::move(backend)) {}

util::Expected<Outcome, StoreError> DocumentWidgetStore::apply(
    const model::WidgetRequest& request) {
  std::string key = model::widget_key(request.owner, request.widget_id);
  switch (request.type) {
    case model::RequestType::create:
      return create(request, key);
    case model::RequestType::update:
      return update(request, key);
    case model::RequestType::remove: {
      auto removed = backend_->remove(key);
      if (!removed) return util::Unexpected(std::move(removed).error());
      return *removed ? Outcome::deleted : Outcome::missing;
    }
  }
  return util::Unexpected(StoreError{StoreErrorKind::request, "unknown request type"});
}

util::Expected<Outcome, StoreError> DocumentWidgetStore::create(const model::WidgetRequest& request,
                                                                const std::string& key) {
  std::string json = model::to_json(model::widget_from_create(request));
  auto written = backend_->put(key, json, /*only_if_absent=*/true);
  if (!written) return util::Unexpected(std::move(written).error());
  if (*written) return Outcome::created;
  auto replaced = backend_->put(key, json, /*only_if_absent=*/false);
  if (!replaced) return util::Unexpected(std::move(replaced).error());
  return Outcome::replaced;
}

util::Expected<Outcome, StoreError> DocumentWidgetStore::update(const model::WidgetRequest& request,
                                                                const std::string& key) {
  auto stored = backend_->get(key);
  if (!stored) return util::Unexpected(std::move(stored).error());
  if (!stored->has_value()) return Outcome::missing;
  auto widget = model::widget_from_json(**stored);
  if (!widget) {
    return util::Unexpected(StoreError{
        StoreErrorKind::request,
        "stored widget '" + key + "' in " + describe() + " is not valid: " + widget.error()});
  }
  model::apply_update(*widget, request);
  auto written = backend_->put(key, model::to_json(*widget), /*only_if_absent=*/false);
  if (!written) return util::Unexpected(std::move(written).error());
  return Outcome::updated;
}

}  // namespace wc::store
