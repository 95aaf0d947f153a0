#include "aws/ini_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "aws/ascii.h"

namespace wc::aws {

namespace {

/// Splits "key = value" / "key: value" at the first delimiter; nullopt if there is none.
std::optional<std::pair<std::string, std::string>> key_value(std::string_view line) {
  std::size_t delimiter = line.find_first_of("=:");
  if (delimiter == std::string_view::npos) return std::nullopt;
  std::string key = to_lower(trim(line.substr(0, delimiter)));
  if (key.empty()) return std::nullopt;
  return std::pair{key, std::string(trim(line.substr(delimiter + 1)))};
}

class Parser {
 public:
  void line(std::string_view raw) {
    std::string_view text = trim(raw);
    if (text.empty() || text.front() == '#' || text.front() == ';') return;
    bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (indented && section_ != nullptr && !key_.empty()) {
      continuation(text);
    } else if (text.front() == '[' && text.back() == ']') {
      section_ = &file_.sections[std::string(trim(text.substr(1, text.size() - 2)))];
      key_.clear();
    } else if (auto pair = key_value(text); pair && section_ != nullptr) {
      key_ = pair->first;
      nested_ = pair->second.empty();
      (*section_)[key_] = pair->second;
    }
  }

  IniFile take() { return std::move(file_); }

 private:
  void continuation(std::string_view text) {
    if (!nested_) {
      (*section_)[key_] += "\n" + std::string(text);
    } else if (auto pair = key_value(text)) {
      (*section_)[key_ + "." + pair->first] = pair->second;
    }
  }

  IniFile file_;
  IniSection* section_ = nullptr;
  std::string key_;
  bool nested_ = false;
};

}  // namespace

const IniSection* IniFile::section(const std::string& name) const {
  auto found = sections.find(name);
  return found == sections.end() ? nullptr : &found->second;
}

IniFile parse_ini(std::string_view text) {
  Parser parser;
  while (!text.empty()) {
    std::size_t end = std::min(text.find('\n'), text.size());
    parser.line(text.substr(0, end));
    text.remove_prefix(std::min(text.size(), end + 1));
  }
  return parser.take();
}

std::optional<IniFile> read_ini_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream content;
  content << file.rdbuf();
  return parse_ini(content.str());
}

}  // namespace wc::aws
