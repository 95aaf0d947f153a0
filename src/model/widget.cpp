#include "model/widget.h"

#include <optional>
#include <string_view>
#include <unordered_map>

namespace wc::model {
namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;

/// Up to this many attributes a linear search finds a name sooner than a hash index pays
/// for itself; every real widget has fewer.
constexpr std::size_t k_linear_search_limit = 16;

/// Changes a widget's attributes one entry at a time by the rules of SPEC §4: a value sets in
/// place or appends, "" removes. A name is found through an index once there are many: a
/// 1 MiB request can carry 30,000 attributes, and a search per entry made that hundreds of
/// millions of string comparisons, for the create and again for every update.
class AttributeEditor {
 public:
  /// At most `changes` set() calls follow.
  AttributeEditor(Attributes& attributes, std::size_t changes)
      : attributes_(attributes), removed_(attributes.size(), false) {
    // Names then never move, so the index can view them.
    attributes_.reserve(attributes_.size() + changes);
  }

  void set(const std::string& name, std::string value) {
    const auto position = find(name);
    if (value.empty()) {
      if (position) remove(*position);
    } else if (position) {
      attributes_[*position].second = std::move(value);
    } else {
      attributes_.emplace_back(name, std::move(value));
      removed_.push_back(false);
      if (indexed_) index_.emplace(attributes_.back().first, attributes_.size() - 1);
    }
  }

  /// Drops the removed attributes, keeping the others in order. Call once, at the end.
  void finish() {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < attributes_.size(); ++i) {
      if (removed_[i]) continue;
      if (kept != i) attributes_[kept] = std::move(attributes_[i]);
      ++kept;
    }
    attributes_.resize(kept);
  }

 private:
  /// Position of the attribute named `name` that is not removed.
  std::optional<std::size_t> find(std::string_view name) {
    if (!indexed_ && attributes_.size() > k_linear_search_limit) build_index();
    if (indexed_) {
      const auto it = index_.find(name);
      return it == index_.end() ? std::nullopt : std::optional<std::size_t>{it->second};
    }
    for (std::size_t i = 0; i < attributes_.size(); ++i) {
      if (!removed_[i] && attributes_[i].first == name) return i;
    }
    return std::nullopt;
  }

  void remove(std::size_t position) {
    removed_[position] = true;
    if (indexed_) index_.erase(attributes_[position].first);
  }

  void build_index() {
    index_.reserve(attributes_.capacity());
    for (std::size_t i = 0; i < attributes_.size(); ++i) {
      if (!removed_[i]) index_.emplace(attributes_[i].first, i);
    }
    indexed_ = true;
  }

  Attributes& attributes_;
  std::vector<bool> removed_;  // removed in place, dropped by finish()
  std::unordered_map<std::string_view, std::size_t> index_;
  bool indexed_ = false;
};

// A create either copies the request's strings or, when the caller is done with the request,
// moves them: take() copies from a const request and moves from a mutable one.
std::string take(const std::string& text) { return text; }
std::string take(std::string& text) { return std::move(text); }
std::optional<std::string> take(const std::optional<std::string>& text) { return text; }
std::optional<std::string> take(std::optional<std::string>& text) { return std::move(text); }

/// A property as a create states it: nothing, null and "" all mean absent.
std::optional<std::string> created_property(std::optional<std::string> value) {
  if (value && value->empty()) return std::nullopt;
  return value;
}

/// A property after an update: null keeps it, "" removes it, anything else replaces it.
void update_property(std::optional<std::string>& property,
                     const std::optional<std::string>& requested) {
  if (!requested) return;
  if (requested->empty()) {
    property.reset();
  } else {
    property = requested;
  }
}

/// widget_from_create for a `const WidgetRequest` (copied from) or a `WidgetRequest` (moved
/// from).
template <typename Request>
Widget create_widget(Request& request) {
  Widget widget{take(request.widget_id),
                take(request.owner),
                created_property(take(request.label)),
                created_property(take(request.description)),
                {}};
  AttributeEditor editor(widget.other_attributes, request.other_attributes.size());
  for (auto& attribute : request.other_attributes) {
    // In a create, null states "absent" just as "" does.
    editor.set(attribute.name, take(attribute.value).value_or(std::string()));
  }
  editor.finish();
  return widget;
}

}  // namespace

Widget widget_from_create(const WidgetRequest& request) { return create_widget(request); }

Widget widget_from_create(WidgetRequest&& request) { return create_widget(request); }

void apply_update(Widget& widget, const WidgetRequest& request) {
  update_property(widget.label, request.label);
  update_property(widget.description, request.description);
  AttributeEditor editor(widget.other_attributes, request.other_attributes.size());
  for (const RequestAttribute& attribute : request.other_attributes) {
    if (attribute.value) editor.set(attribute.name, *attribute.value);
  }
  editor.finish();
}

}  // namespace wc::model
