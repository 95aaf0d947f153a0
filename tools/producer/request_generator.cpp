#include "request_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>

namespace wc::producer {
namespace {

using Json = nlohmann::ordered_json;  // keeps the original producer's field order

// Shapes and frequencies measured on shared/conformance/producer-2021 (196 creates).
constexpr std::array<std::string_view, 4> k_owners = {"Henry Hops", "Mary Matthews", "Sue Smith",
                                                      "John Jones"};
constexpr std::array<std::string_view, 6> k_colors = {"yellow", "red",    "blue",
                                                      "pink",   "orange", "green"};
constexpr std::size_t k_max_label_length = 9;         // 0..9, uniform; "" in about 1 create of 10
constexpr std::size_t k_max_description_length = 99;  // 0..99, uniform
constexpr std::size_t k_max_vendor_length = 19;       // 0..19
constexpr std::size_t k_max_note_length = 399;        // 0..~390 observed
constexpr std::uint64_t k_max_dimension = 1000;       // size, height, width, length, quantity
constexpr double k_max_rating = 5.0;
constexpr std::uint64_t k_max_price_cents = 9999;
// Each catalogue attribute appears in a request independently, in catalogue order (every
// captured request lists its attributes in this order; 5.7 of 14 per create on average).
constexpr double k_attribute_probability = 0.4;

// Beyond the captured data (which has none of these), so a consumer meets every update rule.
constexpr double k_missing_target_probability = 0.1;  // update/delete of a deleted widget
constexpr double k_update_label_absent = 0.40;
constexpr double k_update_label_null = 0.05;
constexpr double k_update_label_empty = 0.10;
constexpr double k_update_description_absent = 0.10;
constexpr double k_update_description_null = 0.05;
constexpr double k_update_description_empty = 0.10;
constexpr double k_update_attribute_null = 0.05;
constexpr double k_update_attribute_removed = 0.15;  // of the attributes the widget has

enum class Shape { color, dimension, unit, rating, price, short_letters, long_letters };

struct CatalogueEntry {
  std::string_view name;
  Shape shape;
};

constexpr std::array<CatalogueEntry, 14> k_catalogue = {{
    {"color", Shape::color},
    {"size", Shape::dimension},
    {"size-unit", Shape::unit},
    {"height", Shape::dimension},
    {"height-unit", Shape::unit},
    {"width", Shape::dimension},
    {"width-unit", Shape::unit},
    {"length", Shape::dimension},
    {"length-unit", Shape::unit},
    {"rating", Shape::rating},
    {"price", Shape::price},
    {"quantity", Shape::dimension},
    {"vendor", Shape::short_letters},
    {"note", Shape::long_letters},
}};
static_assert(k_catalogue.size() <= 32, "Widget::attributes is a 32-bit mask");

/// Like Java's Float/Double.toString for these ranges ("3.1247094", "96.1", "5.0"): the
/// shortest digits that read back to the same value, never an exponent.
template <typename Floating>
std::string java_style(Floating value) {
  std::array<char, 64> buffer{};
  auto [end, error] =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
  std::string text(buffer.data(), end);
  if (text.find('.') == std::string::npos) text += ".0";
  return text;
}

/// A label or description in an update: absent, null, "" (remove) or a new value.
enum class FieldEdit { absent, null, empty, set };

}  // namespace

util::Expected<RequestMix, std::string> parse_mix(std::string_view text) {
  const auto bad = [&] {
    return util::Unexpected(fmt::format(
        "--mix must be three non-negative integers CREATE,UPDATE,DELETE such as 70,20,10, "
        "got \"{}\"",
        text));
  };
  std::array<int, 3> weights{};
  std::string_view rest = text;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const std::size_t comma = i + 1 < weights.size() ? rest.find(',') : rest.size();
    if (comma == std::string_view::npos) return bad();
    const std::string_view part = rest.substr(0, comma);
    auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), weights[i]);
    if (part.empty() || error != std::errc{} || end != part.data() + part.size() ||
        weights[i] < 0) {
      return bad();
    }
    rest.remove_prefix(std::min(comma + 1, rest.size()));
  }
  if (weights[0] + weights[1] + weights[2] <= 0) {
    return util::Unexpected(
        fmt::format("--mix needs at least one positive weight, got \"{}\"", text));
  }
  return RequestMix{weights[0], weights[1], weights[2]};
}

RequestGenerator::RequestGenerator(std::uint64_t seed, RequestMix mix, std::size_t max_remembered)
    : rng_(seed), mix_(mix), max_remembered_(std::max<std::size_t>(max_remembered, 1)) {}

GeneratedRequest RequestGenerator::next() {
  const model::RequestType type = draw_type();
  if (type == model::RequestType::create || (live_.empty() && deleted_.empty())) {
    return make_create();
  }
  const bool missing = draw_missing_target();
  return type == model::RequestType::update ? make_update(missing) : make_delete(missing);
}

model::RequestType RequestGenerator::draw_type() {
  const auto total = static_cast<std::uint64_t>(mix_.create + mix_.update + mix_.remove);
  const auto draw = below(total);
  if (draw < static_cast<std::uint64_t>(mix_.create)) return model::RequestType::create;
  if (draw < static_cast<std::uint64_t>(mix_.create + mix_.update)) {
    return model::RequestType::update;
  }
  return model::RequestType::remove;
}

bool RequestGenerator::draw_missing_target() {
  if (live_.empty()) return true;
  return !deleted_.empty() && chance(k_missing_target_probability);
}

GeneratedRequest RequestGenerator::make_create() {
  Widget widget{uuid_v4(), std::string(k_owners[below(k_owners.size())]), 0};
  Json doc;
  doc["type"] = "create";
  doc["requestId"] = uuid_v4();
  doc["widgetId"] = widget.id;
  doc["owner"] = widget.owner;
  doc["label"] = upper_letters(0, k_max_label_length);
  doc["description"] = upper_letters(0, k_max_description_length);
  doc["otherAttributes"] = Json::array();
  for (std::size_t i = 0; i < k_catalogue.size(); ++i) {
    if (!chance(k_attribute_probability)) continue;
    std::string value = attribute_value(i);
    if (!value.empty()) widget.attributes |= 1U << i;
    doc["otherAttributes"].push_back({{"name", k_catalogue[i].name}, {"value", value}});
  }
  GeneratedRequest request{model::RequestType::create, widget.id, widget.owner, false, doc.dump()};
  remember(live_, std::move(widget));
  return request;
}

GeneratedRequest RequestGenerator::make_update(bool missing) {
  auto& pool = missing ? deleted_ : live_;
  Widget& widget = pool[below(pool.size())];
  Json doc;
  doc["type"] = "update";
  doc["requestId"] = uuid_v4();
  doc["widgetId"] = widget.id;
  doc["owner"] = widget.owner;

  auto edit_field = [&](const char* field, double absent, double null, double empty,
                        std::size_t min_length, std::size_t max_length) {
    const double draw = unit();
    if (draw < absent) return;
    if (draw < absent + null) {
      doc[field] = nullptr;
    } else if (draw < absent + null + empty) {
      doc[field] = "";
    } else {
      doc[field] = upper_letters(min_length, max_length);
    }
  };
  edit_field("label", k_update_label_absent, k_update_label_null, k_update_label_empty, 1,
             k_max_label_length);
  edit_field("description", k_update_description_absent, k_update_description_null,
             k_update_description_empty, 1, k_max_description_length);

  doc["otherAttributes"] = Json::array();
  for (std::size_t i = 0; i < k_catalogue.size(); ++i) {
    if (!chance(k_attribute_probability)) continue;
    const std::uint32_t bit = 1U << i;
    const double draw = unit();
    Json value;  // null unless set below
    if (draw >= k_update_attribute_null) {
      const bool remove = !missing && (widget.attributes & bit) != 0 &&
                          draw < k_update_attribute_null + k_update_attribute_removed;
      value = remove ? std::string() : attribute_value(i);
      const std::string& text = value.get_ref<const std::string&>();
      if (!missing) {
        widget.attributes = text.empty() ? widget.attributes & ~bit : widget.attributes | bit;
      }
    }
    doc["otherAttributes"].push_back({{"name", k_catalogue[i].name}, {"value", value}});
  }
  return {model::RequestType::update, widget.id, widget.owner, missing, doc.dump()};
}

GeneratedRequest RequestGenerator::make_delete(bool missing) {
  auto& pool = missing ? deleted_ : live_;
  const std::size_t index = below(pool.size());
  Json doc;
  doc["type"] = "delete";
  doc["requestId"] = uuid_v4();
  doc["widgetId"] = pool[index].id;
  doc["owner"] = pool[index].owner;
  GeneratedRequest request{model::RequestType::remove, pool[index].id, pool[index].owner, missing,
                           doc.dump()};
  if (!missing) {
    remember(deleted_, std::move(live_[index]));
    live_[index] = std::move(live_.back());
    live_.pop_back();
  }
  return request;
}

void RequestGenerator::remember(std::vector<Widget>& pool, Widget widget) {
  if (pool.size() < max_remembered_) {
    pool.push_back(std::move(widget));
  } else {
    pool[below(pool.size())] = std::move(widget);
  }
}

std::uint64_t RequestGenerator::below(std::uint64_t bound) {
  // The modulo bias is at most bound / 2^64: irrelevant for test data.
  return rng_() % bound;
}

double RequestGenerator::unit() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

std::string RequestGenerator::uuid_v4() {
  const std::uint64_t high = (rng_() & ~0xF000ULL) | 0x4000ULL;           // version 4
  const std::uint64_t low = (rng_() & ~(0x3ULL << 62)) | (0x2ULL << 62);  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", high >> 32, (high >> 16) & 0xFFFF,
                     high & 0xFFFF, low >> 48, low & 0xFFFFFFFFFFFFULL);
}

std::string RequestGenerator::upper_letters(std::size_t min_length, std::size_t max_length) {
  std::string text(min_length + below(max_length - min_length + 1), 'A');
  for (char& letter : text) letter = static_cast<char>('A' + below(26));
  return text;
}

std::string RequestGenerator::attribute_value(std::size_t catalogue_index) {
  switch (k_catalogue[catalogue_index].shape) {
    case Shape::color:
      return std::string(k_colors[below(k_colors.size())]);
    case Shape::dimension:
      return std::to_string(1 + below(k_max_dimension));
    case Shape::unit:
      return "cm";
    case Shape::rating:
      return java_style(static_cast<float>(unit() * k_max_rating));
    case Shape::price:
      return java_style(static_cast<double>(below(k_max_price_cents + 1)) / 100);
    case Shape::short_letters:
      return upper_letters(0, k_max_vendor_length);
    case Shape::long_letters:
      return upper_letters(0, k_max_note_length);
  }
  return {};
}

}  // namespace wc::producer
