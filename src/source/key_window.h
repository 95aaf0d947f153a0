#pragma once
// Which keys a key-ordered source (S3 bucket, directory) has handed out, so that each listing
// continues after the last one and a fresh pass from the start catches keys written late.

#include <set>
#include <string>

namespace wc::source {

class KeyWindow {
 public:
  /// The key to list after: the last key handed out in this pass ("" for a fresh pass).
  const std::string& list_after() const { return list_after_; }

  /// Records that a listing starts now.
  void begin_listing() { finished_during_listing_.clear(); }

  /// True when `key` may be handed out now: not in flight, and not finished while the current
  /// listing ran (that listing may predate the key's removal and still show it).
  bool admits(const std::string& key) const {
    return in_flight_.count(key) == 0 && finished_during_listing_.count(key) == 0;
  }

  /// Records that a listing returned `key`: the next listing continues after it.
  void pass(const std::string& key) {
    if (key > list_after_) list_after_ = key;
  }

  /// Records that `key` was handed out.
  void hand_out(const std::string& key) { in_flight_.insert(key); }

  /// Records that `key`, handed out, will not be worked on now: it may be handed out again.
  void give_back(const std::string& key) { in_flight_.erase(key); }

  /// Records that `key` is done (removed from the source).
  void finish(const std::string& key) {
    if (in_flight_.erase(key) > 0) finished_during_listing_.insert(key);
  }

  /// A listing after list_after() found nothing: the next one starts from the beginning, to
  /// pick up keys that were written out of order.
  void restart_pass() { list_after_.clear(); }

 private:
  std::string list_after_;
  std::set<std::string> in_flight_;
  std::set<std::string> finished_during_listing_;
};

}  // namespace wc::source
