#include "store/dynamodb_update_expression.h"

#include <fmt/format.h>

#include <unordered_map>

namespace wc::store {

namespace {

using nlohmann::json;

/// Collects changes by name, keeping the order in which names first appear.
class ChangeList {
 public:
  /// Applies one request entry: null keeps, "" removes, any other value sets.
  void add(const std::string& name, const std::optional<std::string>& value) {
    if (!value) return;
    std::optional<std::string> change;
    if (!value->empty()) change = *value;
    const auto [found, inserted] = index_.try_emplace(name, changes_.size());
    if (inserted) {
      changes_.push_back({name, std::move(change)});
    } else {
      changes_[found->second].value = std::move(change);
    }
  }

  std::vector<AttributeChange> take() { return std::move(changes_); }

 private:
  std::vector<AttributeChange> changes_;
  std::unordered_map<std::string, std::size_t> index_;
};

/// One expression being filled; knows its length without rendering it.
class ExpressionBuilder {
 public:
  /// The expression's length once `change` is added.
  std::size_t length_with(const AttributeChange& change) const {
    const std::size_t clause = clause_length(change, names_.size());
    return change.value ? length(set_count_ + 1, set_bytes_ + clause, remove_count_, remove_bytes_)
                        : length(set_count_, set_bytes_, remove_count_ + 1, remove_bytes_ + clause);
  }

  bool empty() const { return set_count_ == 0 && remove_count_ == 0; }

  void add(const AttributeChange& change) {
    const std::size_t number = names_.size();
    const std::string name = fmt::format("#n{}", number);
    names_[name] = change.name;
    if (change.value) {
      const std::string value = fmt::format(":v{}", number);
      values_[value] = json{{"S", *change.value}};
      sets_ += (set_count_ == 0 ? "" : ", ") + name + " = " + value;
      set_bytes_ += clause_length(change, number);
      ++set_count_;
    } else {
      removes_ += (remove_count_ == 0 ? "" : ", ") + name;
      remove_bytes_ += clause_length(change, number);
      ++remove_count_;
    }
  }

  UpdateExpression finish() {
    UpdateExpression out;
    if (set_count_ > 0) out.expression = "SET " + sets_;
    if (remove_count_ > 0) out.expression += (set_count_ > 0 ? " REMOVE " : "REMOVE ") + removes_;
    out.names = std::move(names_);
    out.values = std::move(values_);
    return out;
  }

 private:
  /// "#n12 = :v12" or "#n12".
  static std::size_t clause_length(const AttributeChange& change, std::size_t number) {
    const std::size_t placeholder = 2 + std::to_string(number).size();
    return change.value ? placeholder + 3 + placeholder : placeholder;
  }

  /// "SET " + clauses joined by ", ", then " REMOVE " (or "REMOVE ") + clauses joined by ", ".
  static std::size_t length(std::size_t sets, std::size_t set_bytes, std::size_t removes,
                            std::size_t remove_bytes) {
    std::size_t total = 0;
    if (sets > 0) total += 4 + set_bytes + 2 * (sets - 1);
    if (removes > 0) total += (sets > 0 ? 8 : 7) + remove_bytes + 2 * (removes - 1);
    return total;
  }

  std::string sets_, removes_;
  std::size_t set_count_ = 0, set_bytes_ = 0, remove_count_ = 0, remove_bytes_ = 0;
  json names_ = json::object();
  json values_ = json::object();
};

}  // namespace

std::vector<AttributeChange> update_changes(const model::WidgetRequest& request) {
  ChangeList changes;
  changes.add("label", request.label);
  changes.add("description", request.description);
  for (const model::RequestAttribute& attribute : request.other_attributes) {
    changes.add(attribute.name, attribute.value);
  }
  return changes.take();
}

std::vector<UpdateExpression> build_update_expressions(const std::vector<AttributeChange>& changes,
                                                       std::size_t max_bytes) {
  std::vector<UpdateExpression> expressions;
  ExpressionBuilder current;
  for (const AttributeChange& change : changes) {
    if (!current.empty() && current.length_with(change) > max_bytes) {
      expressions.push_back(current.finish());
      current = ExpressionBuilder();
    }
    current.add(change);
  }
  if (!current.empty()) expressions.push_back(current.finish());
  return expressions;
}

}  // namespace wc::store
