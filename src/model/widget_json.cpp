#include "model/widget_json.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "model/bounded_json.h"
#include "model/field_path.h"
#include "model/json_string.h"
#include "model/value_text.h"

namespace wc::model {
namespace {

using nlohmann::json;

/// The widget as an nlohmann::ordered_json, dumped: the output to_json matches byte for byte.
/// Still used for a string that is not valid UTF-8, so that the type_error thrown for it is
/// nlohmann's own, to the byte index.
std::string dump_with_nlohmann(const Widget& widget) {
  nlohmann::ordered_json document;
  document["widgetId"] = widget.widget_id;
  document["owner"] = widget.owner;
  if (widget.label) document["label"] = *widget.label;
  if (widget.description) document["description"] = *widget.description;
  if (!widget.other_attributes.empty()) {
    auto& list = document["otherAttributes"] = nlohmann::ordered_json::array();
    for (const auto& [name, value] : widget.other_attributes) {
      list.push_back({{"name", name}, {"value", value}});
    }
  }
  return document.dump();
}

/// Walks the document to_json writes, in order: `literal` gets the punctuation and the keys,
/// `quoted` each string value. One walk sizes the output, a second one writes it.
template <typename Literal, typename Quoted>
void walk_document(const Widget& widget, Literal&& literal, Quoted&& quoted) {
  literal(R"({"widgetId":)");
  quoted(widget.widget_id);
  literal(R"(,"owner":)");
  quoted(widget.owner);
  if (widget.label) {
    literal(R"(,"label":)");
    quoted(*widget.label);
  }
  if (widget.description) {
    literal(R"(,"description":)");
    quoted(*widget.description);
  }
  if (!widget.other_attributes.empty()) {
    literal(R"(,"otherAttributes":[)");
    std::string_view separator;
    for (const auto& [name, value] : widget.other_attributes) {
      literal(separator);
      literal(R"({"name":)");
      quoted(name);
      literal(R"(,"value":)");
      quoted(value);
      literal("}");
      separator = ",";
    }
    literal("]");
  }
  literal("}");
}

template <typename T>
using Checked = util::Expected<T, std::string>;

// The document is widget_from_json's own and thrown away after reading: strings are moved
// out of it, not copied.

Checked<std::string> required_string(json& object, const FieldPath& field) {
  const auto it = object.find(field.key);
  if (it == object.end()) return util::Unexpected(missing_field(field));
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    return util::Unexpected(field_must(field, "be a non-empty string", *it));
  }
  return std::move(it->get_ref<std::string&>());
}

/// A stored property: absent, null and "" all read as absent (another writer may have
/// kept an empty value where we leave the key out).
Checked<std::optional<std::string>> optional_string(json& object, const FieldPath& field) {
  const auto it = object.find(field.key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return util::Unexpected(field_must(field, "be a string or null", *it));
  if (it->get_ref<const std::string&>().empty()) return std::optional<std::string>{};
  return std::optional<std::string>{std::move(it->get_ref<std::string&>())};
}

/// Reads otherAttributes the way a create reads them, so the result keeps the Widget
/// invariants (names unique, values non-empty) even for a document someone else wrote.
Checked<std::vector<RequestAttribute>> read_attributes(json& document) {
  std::vector<RequestAttribute> attributes;
  const auto list = document.find("otherAttributes");
  if (list == document.end() || list->is_null()) return attributes;
  if (!list->is_array()) {
    return util::Unexpected(field_must({"otherAttributes", std::nullopt}, "be an array", *list));
  }
  attributes.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    json& entry = (*list)[i];
    if (!entry.is_object()) return util::Unexpected(field_must({"", i}, "be an object", entry));
    auto name = required_string(entry, {"name", i});
    if (!name) return util::Unexpected(std::move(name).error());
    auto value = optional_string(entry, {"value", i});
    if (!value) return util::Unexpected(std::move(value).error());
    attributes.push_back({std::move(*name), std::move(*value)});
  }
  return attributes;
}

Checked<WidgetRequest> read_document(json& document) {
  WidgetRequest fields;
  auto widget_id = required_string(document, {"widgetId", std::nullopt});
  if (!widget_id) return util::Unexpected(std::move(widget_id).error());
  auto owner = required_string(document, {"owner", std::nullopt});
  if (!owner) return util::Unexpected(std::move(owner).error());
  auto label = optional_string(document, {"label", std::nullopt});
  if (!label) return util::Unexpected(std::move(label).error());
  auto description = optional_string(document, {"description", std::nullopt});
  if (!description) return util::Unexpected(std::move(description).error());
  auto attributes = read_attributes(document);
  if (!attributes) return util::Unexpected(std::move(attributes).error());
  fields.widget_id = std::move(*widget_id);
  fields.owner = std::move(*owner);
  fields.label = std::move(*label);
  fields.description = std::move(*description);
  fields.other_attributes = std::move(*attributes);
  return fields;
}

}  // namespace

std::string widget_key(std::string_view owner, std::string_view widget_id) {
  std::string folder(owner);
  for (char& c : folder) {
    if (c == ' ') {
      c = '-';
    } else if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');  // ASCII only: owners are [A-Za-z ]+
    }
  }
  return fmt::format("widgets/{}/{}", folder, widget_id);
}

// A second serializer, kept on purpose: building an nlohmann::ordered_json and dumping it cost
// 54,578 instructions per call, writing the document straight into one string 6,574
// (bench/model_cpu.py, to_json row, over the conformance requests; 54,967 against 6,574 when
// measured again for issue 12), and every create and update writes one: 48,000 instructions
// saved per write, against the 616,000 a whole request costs (README, "How fast"). The bytes
// stay nlohmann's dump() to the byte, which the stores held before: widget_json_test compares
// them over 5,000 generated widgets and every conformance request, json_string_test over every
// ASCII byte and Unicode scalar value; a string that is not valid UTF-8 still goes through
// nlohmann (dump_with_nlohmann).
std::string to_json(const Widget& widget) {
  // The size without escapes: a widget seldom has any, so the first reserve is the only one.
  std::size_t size = 0;
  walk_document(
      widget, [&](std::string_view literal) { size += literal.size(); },
      [&](std::string_view text) { size += text.size() + 2; });
  std::string document;
  document.reserve(size);
  bool valid_utf8 = true;
  walk_document(
      widget, [&](std::string_view literal) { document += literal; },
      [&](std::string_view text) {
        valid_utf8 = append_json_string(document, text) && valid_utf8;
      });
  if (!valid_utf8) return dump_with_nlohmann(widget);
  return document;
}

util::Expected<Widget, std::string> widget_from_json(std::string_view json_text) {
  auto document = parse_bounded_json(json_text);
  if (!document) return util::Unexpected("document " + document.error());
  if (!document->is_object()) {
    return util::Unexpected("document must be a JSON object, got " + describe_value(*document));
  }
  auto fields = read_document(*document);
  if (!fields) return util::Unexpected(std::move(fields).error());
  return widget_from_create(std::move(*fields));
}

}  // namespace wc::model
