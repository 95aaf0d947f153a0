#include "aws/credentials.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "aws/credentials_chain.h"
#include "aws_test_env.h"
#include "credentials_test_support.h"

namespace wc::aws {
namespace {

using testing_support::FakeEnv;
using testing_support::FakeHome;

/// The static-keys part of the chain (environment and shared files) and its errors; the other
/// providers have tests of their own (credentials_chain_test.cpp).
class CredentialsTest : public ::testing::Test, protected testing_support::ChainFixture {
 protected:
  util::Expected<Credentials, std::string> resolve(const std::string& profile = "") {
    auto provider = resolve_credentials_provider(context(profile));
    if (!provider) return util::Unexpected(std::move(provider).error());
    auto credentials = (*provider)->current();
    if (!credentials) return util::Unexpected(std::move(credentials).error());
    return **credentials;
  }
};

constexpr const char* k_default_and_work_credentials =
    "[default]\n"
    "aws_access_key_id = AKIDDEFAULT\n"
    "aws_secret_access_key = default-secret\n"
    "\n"
    "[work]\n"
    "aws_access_key_id = AKIDWORK\n"
    "aws_secret_access_key = work-secret\n"
    "aws_session_token = work-token\n";

TEST_F(CredentialsTest, EnvironmentKeysComeBeforeTheFiles) {
  home.write_credentials(k_default_and_work_credentials);
  env.variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env.variables["AWS_SECRET_ACCESS_KEY"] = "env-secret";

  auto credentials = resolve();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDENV");
  EXPECT_EQ(credentials->secret_access_key, "env-secret");
  EXPECT_EQ(credentials->session_token, "");
}

TEST_F(CredentialsTest, EnvironmentSessionTokenIsCarried) {
  env.variables["AWS_ACCESS_KEY_ID"] = "ASIAENV";
  env.variables["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  env.variables["AWS_SESSION_TOKEN"] = "env-token";

  auto credentials = resolve();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->session_token, "env-token");
}

TEST_F(CredentialsTest, EnvironmentKeyWithoutSecretIsAnErrorNamingTheMissingVariable) {
  home.write_credentials(k_default_and_work_credentials);
  env.variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";

  auto credentials = resolve();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("AWS_SECRET_ACCESS_KEY"), std::string::npos)
      << credentials.error();
}

TEST_F(CredentialsTest, EmptyEnvironmentVariablesCountAsUnset) {
  home.write_credentials(k_default_and_work_credentials);
  env.variables["AWS_ACCESS_KEY_ID"] = "";
  env.variables["AWS_SECRET_ACCESS_KEY"] = "";

  auto credentials = resolve();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDDEFAULT");
}

TEST_F(CredentialsTest, DefaultProfileIsReadFromHomeDotAws) {
  home.write_credentials(k_default_and_work_credentials);

  auto credentials = resolve();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(credentials->secret_access_key, "default-secret");
}

TEST_F(CredentialsTest, NamedProfileCarriesItsSessionToken) {
  home.write_credentials(k_default_and_work_credentials);

  auto credentials = resolve("work");
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDWORK");
  EXPECT_EQ(credentials->session_token, "work-token");
}

TEST_F(CredentialsTest, AwsProfileVariableSelectsTheProfile) {
  home.write_credentials(k_default_and_work_credentials);
  env.variables["AWS_PROFILE"] = "work";

  auto credentials = resolve();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDWORK");
}

TEST_F(CredentialsTest, ExplicitProfileOutranksEnvironmentKeys) {
  home.write_credentials(k_default_and_work_credentials);
  env.variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env.variables["AWS_SECRET_ACCESS_KEY"] = "env-secret";

  auto credentials = resolve("work");
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDWORK");
}

TEST_F(CredentialsTest, AwsProfileVariableDoesNotOutrankEnvironmentKeys) {
  home.write_credentials(k_default_and_work_credentials);
  env.variables["AWS_PROFILE"] = "work";
  env.variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env.variables["AWS_SECRET_ACCESS_KEY"] = "env-secret";

  auto credentials = resolve();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDENV");
}

TEST_F(CredentialsTest, CredentialsFileComesBeforeConfigFile) {
  home.write_credentials(k_default_and_work_credentials);
  home.write_config("[profile work]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n");

  auto credentials = resolve("work");
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDWORK");
}

TEST_F(CredentialsTest, ConfigFileProfileNeedsTheProfilePrefix) {
  home.write_config(
      "[work]\naws_access_key_id = AKIDUNPREFIXED\naws_secret_access_key = s\n"
      "[profile work]\naws_access_key_id = AKIDPREFIXED\naws_secret_access_key = s\n"
      "aws_session_token = config-token\n");

  auto credentials = resolve("work");
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDPREFIXED");
  EXPECT_EQ(credentials->session_token, "config-token");
}

TEST_F(CredentialsTest, ConfigFileSectionWithoutPrefixIsNotAProfile) {
  home.write_config("[work]\naws_access_key_id = AKIDUNPREFIXED\naws_secret_access_key = s\n");

  auto credentials = resolve("work");
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("'work' not found"), std::string::npos) << credentials.error();
}

TEST_F(CredentialsTest, ConfigFileDefaultProfileIsPlainDefault) {
  home.write_config(
      "[default]\nregion = eu-west-1\naws_access_key_id = AKIDCFG\n"
      "aws_secret_access_key = cfg-secret\n");

  auto credentials = resolve();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDCFG");
}

TEST_F(CredentialsTest, FileLocationVariablesOverrideHome) {
  home.write_credentials(k_default_and_work_credentials);
  std::string elsewhere = home.path() + "/elsewhere";
  home.write(elsewhere, "[default]\naws_access_key_id=AKIDELSEWHERE\naws_secret_access_key=x\n");
  env.variables["AWS_SHARED_CREDENTIALS_FILE"] = elsewhere;

  auto credentials = resolve();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDELSEWHERE");
}

TEST_F(CredentialsTest, ConfigFileVariableOverridesHome) {
  std::string elsewhere = home.path() + "/other-config";
  home.write(elsewhere, "[profile p]\naws_access_key_id=AKIDOTHER\naws_secret_access_key=x\n");
  env.variables["AWS_CONFIG_FILE"] = elsewhere;

  auto credentials = resolve("p");
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDOTHER");
}

TEST_F(CredentialsTest, TildeInFileVariableMeansHome) {
  home.write(home.path() + "/creds",
             "[default]\naws_access_key_id=AKIDTILDE\naws_secret_access_key=x\n");
  env.variables["AWS_SHARED_CREDENTIALS_FILE"] = "~/creds";

  auto credentials = resolve();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDTILDE");
}

TEST_F(CredentialsTest, CommentsCaseAndWhitespaceAreTolerated) {
  home.write_credentials(
      "# leading comment\r\n"
      "; another\r\n"
      "[ default ]\r\n"
      "   AWS_Access_Key_Id   =   AKIDSPACED   \r\n"
      "aws_secret_access_key:sec#ret;kept  \r\n");

  auto credentials = resolve();
  ASSERT_TRUE(credentials) << credentials.error();
  EXPECT_EQ(credentials->access_key_id, "AKIDSPACED");
  EXPECT_EQ(credentials->secret_access_key, "sec#ret;kept");
}

TEST_F(CredentialsTest, UnknownNamedProfileIsAnErrorNamingProfileAndFiles) {
  home.write_credentials(k_default_and_work_credentials);

  auto credentials = resolve("nope");
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("'nope'"), std::string::npos) << credentials.error();
  EXPECT_NE(credentials.error().find(home.credentials_path()), std::string::npos);
  EXPECT_NE(credentials.error().find(home.config_path() + " (not found)"), std::string::npos)
      << credentials.error();
}

TEST_F(CredentialsTest, UnknownProfileFromAwsProfileIsAnErrorEvenWithEnvironmentKeys) {
  env.variables["AWS_PROFILE"] = "nope";
  env.variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env.variables["AWS_SECRET_ACCESS_KEY"] = "env-secret";

  auto credentials = resolve();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("'nope' not found"), std::string::npos) << credentials.error();
}

TEST_F(CredentialsTest, NoCredentialsAnywhereIsAnErrorSayingWhereItLooked) {
  home.write_config("[default]\nregion = us-west-2\n");

  auto credentials = resolve();
  ASSERT_FALSE(credentials);
  const std::string& error = credentials.error();
  EXPECT_NE(error.find("AWS_ACCESS_KEY_ID"), std::string::npos) << error;
  EXPECT_NE(error.find("[default] of the credentials file " + home.credentials_path()),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("config file " + home.config_path()), std::string::npos) << error;
}

TEST_F(CredentialsTest, NoHomeAndNoFileVariablesIsReportedInTheError) {
  env.variables.erase("HOME");

  auto credentials = resolve();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("HOME is not set"), std::string::npos) << credentials.error();
}

TEST_F(CredentialsTest, PartialFileKeysAreAnErrorThatNeverShowsTheSecret) {
  home.write_credentials("[default]\naws_secret_access_key = do-not-print-me\n");

  auto credentials = resolve();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("aws_access_key_id is missing"), std::string::npos)
      << credentials.error();
  EXPECT_EQ(credentials.error().find("do-not-print-me"), std::string::npos);
}

TEST_F(CredentialsTest, HalfAPairOfJavaNamesIsAnErrorNamingBothSpellings) {
  env.variables["AWS_ACCESS_KEY"] = "AKIDJAVA";

  auto credentials = resolve();
  ASSERT_FALSE(credentials);
  EXPECT_NE(credentials.error().find("AWS_SECRET_ACCESS_KEY (or AWS_SECRET_KEY)"),
            std::string::npos)
      << credentials.error();
}

TEST(ProcessEnvironment, ReadsTheRealEnvironment) {
  ASSERT_EQ(setenv("WC_CREDENTIALS_TEST_VARIABLE", "value-1", 1), 0);
  EnvLookup env = process_environment();
  EXPECT_EQ(env("WC_CREDENTIALS_TEST_VARIABLE"), "value-1");
  unsetenv("WC_CREDENTIALS_TEST_VARIABLE");
  EXPECT_EQ(env("WC_CREDENTIALS_TEST_VARIABLE"), std::nullopt);
}

}  // namespace
}  // namespace wc::aws
