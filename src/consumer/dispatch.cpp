#include "consumer/dispatch.h"

namespace wc::consumer {

std::string Entry::lane() const {
  // A widgetId is printable ASCII, so a lane name starting with \x01 is nobody's widget.
  if (valid && request.exhausted.empty()) return valid->widget_id;
  return "\x01" + request.key;
}

bool Dispatch::add(EntryPtr entry) {
  auto& lane = lanes_[entry->lane()];
  lane.push_back(std::move(entry));
  ++in_hand_;
  return lane.size() == 1;
}

EntryPtr Dispatch::front(const std::string& lane) const {
  auto found = lanes_.find(lane);
  if (found == lanes_.end() || found->second.empty()) return nullptr;
  return found->second.front();
}

bool Dispatch::pop(const std::string& lane) {
  auto found = lanes_.find(lane);
  if (found == lanes_.end() || found->second.empty()) return false;
  found->second.pop_front();
  --in_hand_;
  if (!found->second.empty()) return true;
  lanes_.erase(found);
  return false;
}

std::vector<EntryPtr> Dispatch::close(const std::string& lane) {
  std::vector<EntryPtr> closed;
  auto found = lanes_.find(lane);
  if (found == lanes_.end()) return closed;
  closed.assign(found->second.begin(), found->second.end());
  in_hand_ -= closed.size();
  lanes_.erase(found);
  return closed;
}

std::vector<EntryPtr> Dispatch::close_all() {
  std::vector<EntryPtr> closed;
  for (auto& [name, lane] : lanes_) closed.insert(closed.end(), lane.begin(), lane.end());
  in_hand_ = 0;
  lanes_.clear();
  return closed;
}

}  // namespace wc::consumer
