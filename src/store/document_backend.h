#pragma once
// A place that keeps one JSON document per key (an S3 bucket, a directory): what
// DocumentWidgetStore needs to hold widgets in the S3 layout of SPEC §5.

#include <optional>
#include <string>

#include "store/widget_store.h"
#include "util/expected.h"

namespace wc::store {

class DocumentBackend {
 public:
  virtual ~DocumentBackend() = default;

  virtual std::string describe() const = 0;
  virtual util::Expected<void, StoreError> check() = 0;

  /// The document at `key`, or nullopt when there is none.
  virtual util::Expected<std::optional<std::string>, StoreError> get(const std::string& key) = 0;

  /// Writes the document durably and atomically. With `only_if_absent`, writes nothing and
  /// returns false when the key already holds a document; otherwise returns true.
  virtual util::Expected<bool, StoreError> put(const std::string& key, const std::string& json,
                                               bool only_if_absent) = 0;

  /// Removes the document; false when there was none.
  virtual util::Expected<bool, StoreError> remove(const std::string& key) = 0;
};

}  // namespace wc::store
