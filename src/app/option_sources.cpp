#include "app/option_sources.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

namespace wc::app {

namespace {

constexpr const char* k_config_flag = "--config";

bool set_in_environment(const std::string& name) {
  const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
  return value != nullptr && *value != '\0';  // CLI11 ignores empty variables too
}

bool names_flag(const std::string& arg, const std::string& flag) {
  return arg == flag || arg.rfind(flag + "=", 0) == 0;
}

bool typed(const CLI::Option& option, const std::vector<std::string>& args) {
  for (const auto& arg : args) {
    for (const auto& name : option.get_lnames()) {
      if (names_flag(arg, "--" + name)) return true;
    }
  }
  return false;
}

/// CLI11's TOML/INI reader, minus the settings a variable makes: those belong to the variable.
class EnvironmentFirstConfig : public CLI::ConfigTOML {
 public:
  explicit EnvironmentFirstConfig(const CLI::App& app) : app_(app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    auto items = CLI::ConfigTOML::from_config(input);
    std::erase_if(items, [this](const CLI::ConfigItem& item) {
      if (!item.parents.empty()) return false;  // a section: CLI11 reports it as unknown
      const CLI::Option* option = app_.get_option_no_throw("--" + item.name);
      return option != nullptr && set_in_environment(option->get_envname());
    });
    return items;
  }

 private:
  const CLI::App& app_;
};

}  // namespace

std::string environment_name(const CLI::Option& option) {
  std::string name(k_environment_prefix);
  for (char c : option.get_lnames().back()) {
    name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

void add_environment_and_config(CLI::App& app) {
  app.set_config(k_config_flag, "", "Read settings from this TOML or INI file (name = value)");
  app.config_formatter(std::make_shared<EnvironmentFirstConfig>(app));
  app.allow_config_extras(CLI::config_extras_mode::error);
  for (CLI::Option* option : app.get_options()) {
    const auto& names = option->get_lnames();
    if (names.empty() || names.front() == "help" || names.front() == "version") continue;
    option->envname(environment_name(*option));
  }
}

std::vector<std::string> with_config_from_environment(std::vector<std::string> args) {
  const std::string variable = std::string(k_environment_prefix) + "CONFIG";
  if (!set_in_environment(variable)) return args;
  if (std::any_of(args.begin(), args.end(),
                  [](const std::string& arg) { return names_flag(arg, k_config_flag); })) {
    return args;
  }
  args.push_back(std::string(k_config_flag) + "=" + std::getenv(variable.c_str()));
  return args;
}

std::string value_origin(const CLI::App& app, const std::vector<std::string>& args,
                         std::string_view option_name) {
  const CLI::Option* option = app.get_option_no_throw(std::string(option_name));
  if (option == nullptr || typed(*option, args)) return "";
  if (set_in_environment(option->get_envname())) return " (from " + option->get_envname() + ")";
  const CLI::Option* config = app.get_option_no_throw(k_config_flag);
  if (config != nullptr && config->count() > 0) return " (from the --config file)";
  return "";
}

}  // namespace wc::app
