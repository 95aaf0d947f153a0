#pragma once
// Where widgets live. A store applies one validated request at a time; requests for the same
// widget are never given to it concurrently.

#include <optional>
#include <string>
#include <string_view>

#include "model/request.h"
#include "util/expected.h"

namespace wc::store {

/// What applying a request did (SPEC §8).
enum class Outcome {
  created,   ///< a create of a widget that did not exist
  replaced,  ///< a create of a widget that existed
  updated,
  deleted,
  missing,  ///< an update or delete of a widget that does not exist: nothing changed
};

std::string_view to_string(Outcome outcome);

enum class StoreErrorKind {
  transient,    ///< retries exhausted on a transient failure: the store may be down
  request,      ///< the store refused this request only; others may succeed
  fatal,        ///< the store is missing or refuses our credentials: nothing will succeed
  interrupted,  ///< cut short by a stop or the request's lease ending: applied or not, unknown
};

struct StoreError {
  StoreErrorKind kind = StoreErrorKind::request;
  std::string message;  ///< names the store, the widget or key, and the cause
};

class WidgetStore {
 public:
  virtual ~WidgetStore() = default;

  /// "S3 bucket 'widgets'", "directory 'out'".
  virtual std::string describe() const = 0;

  /// Checks the store exists and accepts us; run once before any work and again to tell a
  /// failing request from a failing store.
  virtual util::Expected<void, StoreError> check() = 0;

  /// A reason this store cannot hold what the request describes (a rejection, SPEC §3), or
  /// nullopt when it can.
  virtual std::optional<std::string> rejection(const model::WidgetRequest& request) const {
    (void)request;
    return std::nullopt;
  }

  /// Applies the request durably (SPEC §4). Applying the same request twice in a row leaves
  /// the store as applying it once.
  virtual util::Expected<Outcome, StoreError> apply(const model::WidgetRequest& request) = 0;
};

}  // namespace wc::store
