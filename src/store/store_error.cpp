#include "store/store_error.h"

#include "aws/error_class.h"

namespace wc::store {

StoreError store_error(const std::string& store, const aws::AwsError& error) {
  StoreErrorKind kind = StoreErrorKind::request;
  switch (aws::classify(error)) {
    case aws::ErrorClass::transient:
      kind = StoreErrorKind::transient;
      break;
    case aws::ErrorClass::access:
      kind = StoreErrorKind::fatal;
      break;
    case aws::ErrorClass::request:
      kind = StoreErrorKind::request;
      break;
    case aws::ErrorClass::interrupted:
      kind = StoreErrorKind::interrupted;
      break;
  }
  return StoreError{kind, "widget store " + store + ": " + error.describe()};
}

}  // namespace wc::store
