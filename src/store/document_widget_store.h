#pragma once
// The widget rules of SPEC §4 over any DocumentBackend, in the S3 layout of SPEC §5: key
// widgets/{owner}/{widgetId}, the widget as a JSON document.

#include <memory>

#include "store/document_backend.h"
#include "store/widget_store.h"

namespace wc::store {

class DocumentWidgetStore : public WidgetStore {
 public:
  explicit DocumentWidgetStore(std::unique_ptr<DocumentBackend> backend);

  std::string describe() const override { return backend_->describe(); }
  util::Expected<void, StoreError> check() override { return backend_->check(); }
  /// create: one conditional write, a second one when the widget existed. update: read,
  /// change, write. delete: remove, telling a missing widget apart.
  util::Expected<Outcome, StoreError> apply(const model::WidgetRequest& request) override;

 private:
  util::Expected<Outcome, StoreError> create(const model::WidgetRequest& request,
                                             const std::string& key);
  util::Expected<Outcome, StoreError> update(const model::WidgetRequest& request,
                                             const std::string& key);

  std::unique_ptr<DocumentBackend> backend_;
};

}  // namespace wc::store
