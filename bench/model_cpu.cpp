// model-cpu: the model code a request runs through, in a loop over real request files, for
// counting instructions per call under callgrind (wall time on a shared VM is noise; an
// instruction count is not). bench/model_cpu.sh runs it and prints instructions per call.
//
//   model-cpu [--rounds N] DIR...
//
// Each round, for every file of every DIR (sorted by name): parse_request; for an accepted
// create, widget_from_create and to_json; then widget_from_json of that JSON (what an update
// reads back from the store). Prints how often each ran, as JSON on one line.
// Exit status: 0 done, 2 a usage error or an unreadable DIR.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "model/request.h"
#include "model/widget.h"
#include "model/widget_json.h"

namespace {

struct Counts {
  std::size_t parse_request = 0;
  std::size_t rejected = 0;
  std::size_t to_json = 0;
  std::size_t widget_from_json = 0;
  std::size_t output_bytes = 0;  // keeps the compiler from dropping the work
};

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::vector<std::string> read_bodies(const std::vector<std::filesystem::path>& dirs) {
  std::vector<std::string> bodies;
  for (const auto& dir : dirs) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) bodies.push_back(read_bytes(file));
  }
  return bodies;
}

void run_one(const std::string& body, Counts& counts) {
  ++counts.parse_request;
  auto request = wc::model::parse_request(body);
  if (!request) {
    ++counts.rejected;
    return;
  }
  if (request->type != wc::model::RequestType::create) return;
  const std::string stored = wc::model::to_json(wc::model::widget_from_create(*request));
  ++counts.to_json;
  counts.output_bytes += stored.size();
  auto widget = wc::model::widget_from_json(stored);
  ++counts.widget_from_json;
  if (widget) counts.output_bytes += widget->other_attributes.size();
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t rounds = 1;
  std::vector<std::filesystem::path> dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--rounds" && i + 1 < argc) {
      const std::string_view value = argv[++i];
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), rounds);
      if (error != std::errc{} || end != value.data() + value.size() || rounds == 0) {
        fmt::print(stderr, "model-cpu: --rounds wants a positive integer, got '{}'\n", value);
        return 2;
      }
    } else if (std::filesystem::is_directory(arg)) {
      dirs.emplace_back(arg);
    } else {
      fmt::print(stderr,
                 "model-cpu: '{}' is not a directory; usage: model-cpu [--rounds N] DIR...\n", arg);
      return 2;
    }
  }
  if (dirs.empty()) {
    fmt::print(stderr, "usage: model-cpu [--rounds N] DIR...\n");
    return 2;
  }
  const std::vector<std::string> bodies = read_bodies(dirs);
  Counts counts;
  for (std::size_t round = 0; round < rounds; ++round) {
    for (const std::string& body : bodies) run_one(body, counts);
  }
  fmt::print(R"({{"parse_request":{},"rejected":{},"to_json":{},"widget_from_json":{},"bytes":{}}})"
             "\n",
             counts.parse_request, counts.rejected, counts.to_json, counts.widget_from_json,
             counts.output_bytes);
  return 0;
}
