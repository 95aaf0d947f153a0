#pragma once
// Generates widget requests shaped like the ones the course's producer wrote (see
// shared/conformance/producer-2021): pure and deterministic for a given seed, no I/O, no clock.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "model/request.h"
#include "util/expected.h"

namespace wc::producer {

/// How many live and how many deleted widgets the generator remembers as targets.
inline constexpr std::size_t k_max_remembered_widgets = 100'000;

/// Relative weights of create, update and delete requests (need not sum to 100).
struct RequestMix {
  int create = 70;
  int update = 20;
  int remove = 10;
};

/// Parses "C,U,D" (three non-negative integers, at least one positive) such as "70,20,10".
/// The error says what was wrong with the text.
util::Expected<RequestMix, std::string> parse_mix(std::string_view text);

/// One generated request.
struct GeneratedRequest {
  model::RequestType type = model::RequestType::create;
  std::string widget_id;
  std::string owner;
  /// An update or delete of a widget this generator deleted earlier: a consumer logs a
  /// "missing widget" warning for it and changes nothing.
  bool targets_missing = false;
  /// The JSON document, one line, fields in the original producer's order.
  std::string body;
};

/// Produces a stream of requests: creates first, then a mix of creates and of updates and
/// deletes of widgets it created. It remembers what it created and deleted, so an update
/// removes attributes the widget really has, and some updates and deletes deliberately
/// target widgets it deleted earlier. Memory stays bounded on long runs: past
/// k_max_remembered_widgets it forgets random widgets, which are then never addressed again.
/// The same seed and mix give the same stream on every
/// platform (no std:: distributions, whose output is implementation-defined).
class RequestGenerator {
 public:
  /// `max_remembered`: the size of each target pool (live, deleted).
  explicit RequestGenerator(std::uint64_t seed, RequestMix mix = {},
                            std::size_t max_remembered = k_max_remembered_widgets);

  /// The next request. An update or delete drawn while no widget exists yet becomes a create.
  GeneratedRequest next();

 private:
  struct Widget {
    std::string id;
    std::string owner;
    std::uint32_t attributes = 0;  ///< bit i set: catalogue attribute i is present
  };

  GeneratedRequest make_create();
  GeneratedRequest make_update(bool missing);
  GeneratedRequest make_delete(bool missing);
  model::RequestType draw_type();
  /// Whether the next update/delete should address a deleted widget (false: a live one).
  bool draw_missing_target();
  /// Adds `widget` to `pool`; a full pool forgets a random entry instead of growing.
  void remember(std::vector<Widget>& pool, Widget widget);

  std::uint64_t below(std::uint64_t bound);  ///< uniform in [0, bound)
  double unit();                             ///< uniform in [0, 1)
  bool chance(double probability) { return unit() < probability; }
  std::string uuid_v4();
  std::string upper_letters(std::size_t min_length, std::size_t max_length);
  std::string attribute_value(std::size_t catalogue_index);

  std::mt19937_64 rng_;
  RequestMix mix_;
  std::size_t max_remembered_;
  std::vector<Widget> live_;
  std::vector<Widget> deleted_;
};

}  // namespace wc::producer
