#include "app/place_overlap.h"

#include <algorithm>
#include <deque>
#include <vector>

#include "aws/sqs_json.h"

namespace wc::app {

namespace fs = std::filesystem;

namespace {

constexpr int k_max_links = 40;

enum class PlaceKind { bucket, queue, table, directory };

struct Place {
  PlaceKind kind;
  std::string name;         ///< as given
  std::string flag;         ///< the flag that names it
  bool is_default = false;  ///< the flag's default value (given or not)
};

std::vector<Place> places_of(const Config& config) {
  const Config defaults;
  std::vector<Place> places;
  switch (config.source_kind) {
    case SourceKind::s3_bucket:
      places.push_back({PlaceKind::bucket, config.source_name, "-rb/--source"});
      break;
    case SourceKind::sqs_queue:
      places.push_back({PlaceKind::queue, config.source_name, "-rq/--request-queue"});
      break;
    case SourceKind::directory:
      places.push_back({PlaceKind::directory, config.source_name, "--requests-dir"});
      break;
  }
  switch (config.store_kind) {
    case StoreKind::s3_bucket:
      places.push_back({PlaceKind::bucket, config.store_name, "-wb/--target"});
      break;
    case StoreKind::dynamodb_table:
      places.push_back({PlaceKind::table, config.store_name, "-dt/--dynamodb"});
      break;
    case StoreKind::directory:
      places.push_back({PlaceKind::directory, config.store_name, "--widgets-dir"});
      break;
  }
  switch (config.dead_letter_kind) {
    case DeadLetterKind::s3_bucket:
      places.push_back({PlaceKind::bucket, config.dead_letter_name, "--dead-letter-bucket"});
      break;
    case DeadLetterKind::sqs_queue:
      places.push_back({PlaceKind::queue, config.dead_letter_name, "--dead-letter-queue"});
      break;
    case DeadLetterKind::directory:
      places.push_back({PlaceKind::directory, config.dead_letter_name, "--dead-letter-dir",
                        config.dead_letter_name == defaults.dead_letter_name});
      break;
  }
  if (config.log_file) {  // --no-log-file: the log directory is not a place of this run
    places.push_back(
        {PlaceKind::directory, config.log_dir, "--log-dir", config.log_dir == defaults.log_dir});
  }
  return places;
}

/// True when `inner` is `outer` or below it; both resolved.
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto [outer_end, inner_at] =
      std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  (void)inner_at;
  return outer_end == outer.end();
}

std::string named(const Place& place) {
  return place.flag + " '" + place.name + "'" + (place.is_default ? " (the default)" : "");
}

std::optional<std::string> directories_overlap(const Place& a, const Place& b) {
  const fs::path first = resolve_directory(a.name);
  const fs::path second = resolve_directory(b.name);
  const std::string advice = ": give each a directory of its own, neither inside the other";
  if (first == second) {
    return named(a) + " and " + named(b) + " are the same directory (" + first.string() + ")" +
           advice;
  }
  if (is_within(second, first) || is_within(first, second)) {
    const bool second_inside = is_within(second, first);
    const fs::path& inner = second_inside ? second : first;
    const fs::path& outer = second_inside ? first : second;
    return named(a) + " and " + named(b) + " overlap: " + inner.string() + " is inside " +
           outer.string() + advice;
  }
  return std::nullopt;
}

std::optional<std::string> overlap(const Place& a, const Place& b) {
  if (a.kind != b.kind) return std::nullopt;
  switch (a.kind) {
    case PlaceKind::bucket:
      if (a.name != b.name) return std::nullopt;
      return named(a) + " and " + named(b) + " are the same bucket: give each a bucket of its own";
    case PlaceKind::queue: {
      const std::string queue = aws::queue_name_of(a.name);
      if (queue != aws::queue_name_of(b.name)) return std::nullopt;
      return named(a) + " and " + named(b) + " name the same queue '" + queue +
             "': give each a queue of its own";
    }
    case PlaceKind::table:
      return std::nullopt;  // only the store is a table
    case PlaceKind::directory:
      return directories_overlap(a, b);
  }
  return std::nullopt;
}

}  // namespace

fs::path resolve_directory(const fs::path& path) {
  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  if (ec) absolute = path;
  const fs::path relative = absolute.relative_path();
  std::deque<fs::path> parts(relative.begin(), relative.end());
  fs::path out = absolute.root_path();
  int missing = 0;  // trailing components of `out` that do not exist
  int links = 0;
  while (!parts.empty()) {
    fs::path part = std::move(parts.front());
    parts.pop_front();
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      out = out.parent_path();
      if (missing > 0) --missing;
      continue;
    }
    fs::path next = out / part;
    if (missing == 0) {
      const fs::file_status status = fs::symlink_status(next, ec);
      // A link is followed even when its target does not exist yet (the directory would be
      // made there); the kernel's limit of 40 links keeps a loop finite.
      if (!ec && fs::is_symlink(status) && ++links <= k_max_links) {
        fs::path target = fs::read_symlink(next, ec);
        if (!ec) {
          if (target.is_absolute()) out = target.root_path();
          const fs::path within = target.relative_path();
          parts.insert(parts.begin(), within.begin(), within.end());
          continue;
        }
      }
      if (!ec && fs::exists(status)) {
        out = std::move(next);
        continue;
      }
    }
    out = std::move(next);
    ++missing;
  }
  return out;
}

std::optional<std::string> find_overlap(const Config& config) {
  const std::vector<Place> places = places_of(config);
  for (std::size_t i = 0; i < places.size(); ++i) {
    for (std::size_t j = i + 1; j < places.size(); ++j) {
      if (auto found = overlap(places[i], places[j])) return found;
    }
  }
  return std::nullopt;
}

}  // namespace wc::app
