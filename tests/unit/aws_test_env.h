#pragma once
// Test doubles for the AWS configuration code: a fake environment and a scratch HOME.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "aws/credentials.h"

namespace wc::aws::testing_support {

/// A scratch directory that plays HOME, with helpers to write ~/.aws files.
class FakeHome {
 public:
  FakeHome() {
    std::string pattern = ::testing::TempDir() + "wc-home-XXXXXX";
    root_ = mkdtemp(pattern.data());
    std::filesystem::create_directories(root_ / ".aws");
  }
  ~FakeHome() { std::filesystem::remove_all(root_); }
  FakeHome(const FakeHome&) = delete;
  FakeHome& operator=(const FakeHome&) = delete;

  std::string path() const { return root_.string(); }
  std::string credentials_path() const { return (root_ / ".aws" / "credentials").string(); }
  std::string config_path() const { return (root_ / ".aws" / "config").string(); }

  void write(const std::string& file, const std::string& text) const {
    std::ofstream(file, std::ios::binary) << text;
  }
  void write_credentials(const std::string& text) const { write(credentials_path(), text); }
  void write_config(const std::string& text) const { write(config_path(), text); }

 private:
  std::filesystem::path root_;
};

/// An environment made of a map; `lookup()` is what production code receives.
struct FakeEnv {
  std::map<std::string, std::string, std::less<>> variables;

  EnvLookup lookup() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto found = variables.find(name);
      if (found == variables.end()) return std::nullopt;
      return found->second;
    };
  }
};

}  // namespace wc::aws::testing_support
