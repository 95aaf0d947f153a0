#include "aws/credentials_chain.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "aws/iso8601.h"
#include "aws/renewing_credentials_provider.h"
#include "aws/sso_token_cache.h"
#include "credentials_test_support.h"

namespace wc::aws {
namespace {

using namespace std::chrono_literals;
using testing_support::test_epoch;

std::string sts_answer(const std::string& action, const std::string& key_id,
                       SystemTime expiration = test_epoch() + 1h) {
  return "<" + action + "Response><" + action + "Result><Credentials><AccessKeyId>" + key_id +
         "</AccessKeyId><SecretAccessKey>secret-" + key_id +
         "</SecretAccessKey><SessionToken>token-" + key_id + "</SessionToken><Expiration>" +
         format_iso8601(expiration) + "</Expiration></Credentials></" + action + "Result></" +
         action + "Response>";
}

std::string json_document(const std::string& key_id) {
  return R"({"AccessKeyId":")" + key_id + R"(","SecretAccessKey":"s","Token":"t",)" +
         R"("Expiration":"2024-05-01T13:00:00Z"})";
}

/// The key id in a SigV4 Authorization header, or "" for an unsigned request.
std::string signer(const HttpRequest& request) {
  std::string_view authorization = request.header("Authorization");
  auto start = authorization.find("Credential=");
  if (start == std::string_view::npos) return "";
  start += 11;
  return std::string(authorization.substr(start, authorization.find('/', start) - start));
}

class ChainTest : public ::testing::Test, protected testing_support::ChainFixture {
 protected:
  util::Expected<std::shared_ptr<CredentialsProvider>, std::string> resolve(
      const std::string& profile = "") {
    return resolve_credentials_provider(context(profile));
  }

  /// The key id the chain ends up with, or "error: ...".
  std::string key_of(const std::string& profile = "") {
    auto provider = resolve(profile);
    if (!provider) return "error: " + provider.error();
    auto credentials = (*provider)->current();
    return credentials ? (*credentials)->access_key_id : "error: " + credentials.error();
  }

  std::string write_token(const std::string& name, const std::string& token) {
    const std::string path = home.path() + "/" + name;
    home.write(path, token);
    return path;
  }

  void use_web_identity_from_environment() {
    env.variables["AWS_WEB_IDENTITY_TOKEN_FILE"] = write_token("irsa-token", "jwt-1\n");
    env.variables["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/pod";
    sts->answer(200, sts_answer("AssumeRoleWithWebIdentity", "ASIAPOD"));
  }
};

TEST_F(ChainTest, EnvironmentKeysComeFirst) {
  env.variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env.variables["AWS_SECRET_ACCESS_KEY"] = "s";
  use_web_identity_from_environment();
  home.write_credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  EXPECT_EQ(key_of(), "AKIDENV");
  EXPECT_TRUE(sts->sent().empty());
}

TEST_F(ChainTest, TheJavaSdksVariableNamesWorkAloneOrMixed) {
  env.variables["AWS_ACCESS_KEY"] = "AKIDJAVA";
  env.variables["AWS_SECRET_KEY"] = "s";
  auto provider = resolve();
  ASSERT_TRUE(provider) << provider.error();
  EXPECT_EQ((*provider)->describe(),
            "environment variables AWS_ACCESS_KEY and AWS_SECRET_KEY (the Java SDK's names)");
  env.variables["AWS_ACCESS_KEY_ID"] = "AKIDSTANDARD";
  EXPECT_EQ(key_of(), "AKIDSTANDARD");  // the standard name wins; the secret comes from Java's
}

TEST_F(ChainTest, WebIdentityFromTheEnvironmentComesBeforeTheProfileAndIsSentUnsigned) {
  use_web_identity_from_environment();
  env.variables["AWS_ROLE_SESSION_NAME"] = "pod-session";
  env.variables["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:4599";
  home.write_credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  EXPECT_EQ(key_of(), "ASIAPOD");
  const auto sent = sts->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].endpoint, "http://127.0.0.1:4599");
  EXPECT_EQ(signer(sent[0]), "");
  EXPECT_NE(sent[0].body.find("Action=AssumeRoleWithWebIdentity"), std::string::npos);
  EXPECT_TRUE(sent[0].body.ends_with("&WebIdentityToken=jwt-1")) << sent[0].body;
  EXPECT_NE(sent[0].body.find("RoleSessionName=pod-session"), std::string::npos);
}

TEST_F(ChainTest, TheWebIdentityTokenFileIsReadAgainAtEachRenewal) {
  use_web_identity_from_environment();
  auto provider = resolve();
  ASSERT_TRUE(provider) << provider.error();
  write_token("irsa-token", "jwt-2");
  sts->answer(200, sts_answer("AssumeRoleWithWebIdentity", "ASIAPOD2", test_epoch() + 2h));
  clock.advance(30min);
  dynamic_cast<RenewingCredentialsProvider&>(**provider).renew_if_due();
  EXPECT_EQ((*(*provider)->current())->access_key_id, "ASIAPOD2");
  const auto sent = sts->sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_NE(sent[1].body.find("WebIdentityToken=jwt-2"), std::string::npos) << sent[1].body;
}

TEST_F(ChainTest, ATokenFileWithoutARoleIsAnError) {
  env.variables["AWS_WEB_IDENTITY_TOKEN_FILE"] = write_token("t", "jwt");
  EXPECT_EQ(key_of(),
            "error: web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
}

TEST_F(ChainTest, AnExplicitProfileSkipsEnvironmentKeysAndWebIdentity) {
  env.variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env.variables["AWS_SECRET_ACCESS_KEY"] = "s";
  use_web_identity_from_environment();
  home.write_credentials("[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = s\n");
  EXPECT_EQ(key_of("work"), "AKIDWORK");
}

class RoleChainTest : public ChainTest {
 protected:
  RoleChainTest() {
    home.write_credentials("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n");
  }
};

TEST_F(RoleChainTest, RoleArnWithSourceProfileIsAssumedWithTheSourceKeysAndTheProfileSettings) {
  home.write_config(
      "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = base\n"
      "external_id = ext-42\nrole_session_name = consumer-1\nduration_seconds = 1800\n");
  sts->answer(200, sts_answer("AssumeRole", "ASIAAPP"));
  auto provider = resolve("app");
  ASSERT_TRUE(provider) << provider.error();
  EXPECT_EQ((*(*provider)->current())->access_key_id, "ASIAAPP");
  EXPECT_EQ((*provider)->describe(),
            "role arn:aws:iam::123456789012:role/app (profile 'app') via STS AssumeRole at "
            "https://sts.eu-west-1.amazonaws.com, signed with [base] of the credentials file " +
                home.credentials_path());
  const auto sent = sts->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(signer(sent[0]), "AKIDBASE");
  EXPECT_EQ(sent[0].body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole"
            "%2Fapp&RoleSessionName=consumer-1&ExternalId=ext-42&DurationSeconds=1800");
}

TEST_F(RoleChainTest, ChainedRolesAreAssumedInTurnEachSignedWithThePreviousOne) {
  home.write_config(
      "[profile mid]\nrole_arn = arn:aws:iam::1:role/mid\nsource_profile = base\n"
      "[profile app]\nrole_arn = arn:aws:iam::2:role/app\nsource_profile = mid\n");
  sts->answer(200, sts_answer("AssumeRole", "ASIAMID"));
  sts->answer(200, sts_answer("AssumeRole", "ASIAAPP"));
  EXPECT_EQ(key_of("app"), "ASIAAPP");
  const auto sent = sts->sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(signer(sent[0]), "AKIDBASE");
  EXPECT_NE(sent[0].body.find("role%2Fmid"), std::string::npos);
  EXPECT_EQ(signer(sent[1]), "ASIAMID");
  EXPECT_EQ(sent[1].header("X-Amz-Security-Token"), "token-ASIAMID");
  EXPECT_NE(sent[1].body.find("role%2Fapp"), std::string::npos);
}

TEST_F(RoleChainTest, AProfileNamingItselfAsSourceUsesItsOwnKeys) {
  home.write_credentials(
      "[self]\naws_access_key_id = AKIDSELF\naws_secret_access_key = s\n"
      "role_arn = arn:aws:iam::1:role/x\nsource_profile = self\n");
  sts->answer(200, sts_answer("AssumeRole", "ASIASELF"));
  EXPECT_EQ(key_of("self"), "ASIASELF");
  EXPECT_EQ(signer(sts->sent()[0]), "AKIDSELF");
}

TEST_F(RoleChainTest, ASourceProfileLoopIsAnError) {
  home.write_config(
      "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
      "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n");
  EXPECT_EQ(key_of("a"), "error: source_profile loop: a -> b -> a");
  EXPECT_TRUE(sts->sent().empty());
}

TEST_F(RoleChainTest, CredentialSourceEnvironmentSignsWithTheEnvironmentKeys) {
  env.variables["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env.variables["AWS_SECRET_ACCESS_KEY"] = "s";
  home.write_config(
      "[profile app]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = Environment\n");
  sts->answer(200, sts_answer("AssumeRole", "ASIAAPP"));
  EXPECT_EQ(key_of("app"), "ASIAAPP");
  EXPECT_EQ(signer(sts->sent()[0]), "AKIDENV");
}

TEST_F(RoleChainTest, CredentialSourceEcsContainerSignsWithTheTaskRole) {
  env.variables["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/task";
  home.write_config(
      "[profile app]\nrole_arn = arn:aws:iam::1:role/app\ncredential_source = EcsContainer\n");
  container->answer(200, json_document("ASIATASK"));
  sts->answer(200, sts_answer("AssumeRole", "ASIAAPP"));
  EXPECT_EQ(key_of("app"), "ASIAAPP");
  EXPECT_EQ(container->sent()[0].url(), "http://169.254.170.2/v2/credentials/task");
  EXPECT_EQ(signer(sts->sent()[0]), "ASIATASK");
}

TEST_F(RoleChainTest, CredentialSourceEc2InstanceMetadataSignsWithTheInstanceRole) {
  env.variables.erase("AWS_EC2_METADATA_DISABLED");
  home.write_config(
      "[profile app]\nrole_arn = arn:aws:iam::1:role/app\n"
      "credential_source = Ec2InstanceMetadata\n");
  metadata->answer(200, "token");
  metadata->answer(200, "instance-role");
  metadata->answer(200, "token");
  metadata->answer(200, json_document("ASIAEC2"));
  sts->answer(200, sts_answer("AssumeRole", "ASIAAPP"));
  EXPECT_EQ(key_of("app"), "ASIAAPP");
  EXPECT_EQ(signer(sts->sent()[0]), "ASIAEC2");
}

TEST_F(RoleChainTest, IncompleteOrUnusableRoleProfilesAreErrorsNamingTheProfile) {
  home.write_config(
      "[profile none]\nrole_arn = arn:aws:iam::1:role/x\n"
      "[profile both]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n"
      "credential_source = Environment\n"
      "[profile mfa]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n"
      "mfa_serial = arn:aws:iam::1:mfa/me\n"
      "[profile odd]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Laptop\n"
      "[profile ghost]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = nowhere\n"
      "[profile long]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n"
      "duration_seconds = an hour\n");
  EXPECT_NE(key_of("none").find("profile 'none': role_arn needs source_profile"),
            std::string::npos);
  EXPECT_NE(key_of("both").find("both source_profile and credential_source"), std::string::npos);
  EXPECT_NE(key_of("mfa").find("mfa_serial"), std::string::npos);
  EXPECT_NE(key_of("odd").find("credential_source 'Laptop'"), std::string::npos);
  EXPECT_NE(key_of("ghost").find("source_profile 'nowhere' does not exist"), std::string::npos);
  EXPECT_NE(key_of("long").find("duration_seconds 'an hour'"), std::string::npos);
  EXPECT_TRUE(sts->sent().empty());
}

TEST_F(RoleChainTest, ARefusedAssumeRoleNamesTheRoleAndStsCause) {
  home.write_config("[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\n");
  sts->answer(403,
              "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no trust</Message>"
              "</Error></ErrorResponse>");
  const std::string error = key_of("app");
  EXPECT_NE(error.find("error: role arn:aws:iam::1:role/app (profile 'app') via STS AssumeRole"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("AccessDenied (HTTP 403): no trust"), std::string::npos) << error;
}

TEST_F(RoleChainTest, StsHonoursItsEndpointSettingsButNotTheDataServicesOnes) {
  home.write_config(
      "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\n"
      "services = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:5001\n");
  env.variables["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:9000";
  sts->answer(200, sts_answer("AssumeRole", "ASIAAPP"));
  EXPECT_EQ(key_of("app"), "ASIAAPP");
  EXPECT_EQ(sts->sent()[0].endpoint, "http://127.0.0.1:5001");

  home.write_config(
      "[profile app]\nrole_arn = arn:aws:iam::1:role/app\nsource_profile = base\n"
      "endpoint_url = http://127.0.0.1:5002\n");
  sts->answer(200, sts_answer("AssumeRole", "ASIAAPP"));
  EXPECT_EQ(key_of("app"), "ASIAAPP");
  EXPECT_EQ(sts->sent()[1].endpoint, "http://127.0.0.1:5002");
}

TEST_F(RoleChainTest, WebIdentityInAProfileUsesItsTokenFile) {
  home.write_config(
      "[profile pod]\nrole_arn = arn:aws:iam::1:role/pod\nweb_identity_token_file = " +
      write_token("t", "jwt-p") + "\nrole_session_name = from-profile\n");
  sts->answer(200, sts_answer("AssumeRoleWithWebIdentity", "ASIAPOD"));
  EXPECT_EQ(key_of("pod"), "ASIAPOD");
  EXPECT_NE(sts->sent()[0].body.find("RoleSessionName=from-profile"), std::string::npos);
  EXPECT_EQ(signer(sts->sent()[0]), "");
}

TEST_F(ChainTest, SsoProfilesUseTheCachedTokenOfTheirSession) {
  home.write_config(
      "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
      "sso_role_name = Developer\n"
      "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
      "sso_region = eu-central-1\n");
  std::filesystem::create_directories(home.path() + "/.aws/sso/cache");
  home.write(sso_token_cache_path(home.path(), "corp", ""),
             R"({"accessToken":"bearer","expiresAt":"2024-05-01T20:00:00Z"})");
  env.variables["AWS_ENDPOINT_URL_SSO"] = "http://127.0.0.1:7001";
  sts->answer(200, R"({"roleCredentials":{"accessKeyId":"ASIASSO","secretAccessKey":"s",)"
                   R"("sessionToken":"t","expiration":1714568400000}})");
  EXPECT_EQ(key_of("dev"), "ASIASSO");
  EXPECT_EQ(sts->sent()[0].url(),
            "http://127.0.0.1:7001/federation/credentials?account_id=123456789012&role_name="
            "Developer");
}

TEST_F(ChainTest, AnIncompleteSsoProfileNamesWhatIsMissing) {
  home.write_config("[profile dev]\nsso_account_id = 1\nsso_region = eu-west-1\n");
  EXPECT_EQ(key_of("dev"),
            "error: profile 'dev': uses SSO but has no sso_start_url, sso_role_name");
}

TEST_F(ChainTest, CredentialsFileKeysThenCredentialProcessThenConfigFileKeys) {
  home.write_config(
      "[default]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = s\n"
      "credential_process = printf '{\"Version\":1,\"AccessKeyId\":\"AKIDPROC\","
      "\"SecretAccessKey\":\"s\"}'\n");
  EXPECT_EQ(key_of(), "AKIDPROC");
  home.write_credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  EXPECT_EQ(key_of(), "AKIDFILE");
}

TEST_F(ChainTest, ContainerCredentialsComeAfterTheProfileAndBeforeInstanceMetadata) {
  env.variables.erase("AWS_EC2_METADATA_DISABLED");
  env.variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://127.0.0.1:51679/creds";
  env.variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "pod-identity";
  container->answer(200, json_document("ASIAPODID"));
  auto provider = resolve();
  ASSERT_TRUE(provider) << provider.error();
  EXPECT_EQ((*(*provider)->current())->access_key_id, "ASIAPODID");
  EXPECT_EQ((*provider)->describe(), "container credentials from http://127.0.0.1:51679/creds");
  EXPECT_TRUE(metadata->sent().empty());

  home.write_credentials("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  EXPECT_EQ(key_of(), "AKIDFILE");
}

TEST_F(ChainTest, AContainerEndpointThatFailsIsAnErrorNamingIt) {
  env.variables["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/x";
  for (int i = 0; i < 3; ++i) container->answer(500, "agent down");
  EXPECT_EQ(key_of(),
            "error: container credentials from http://169.254.170.2/v2/credentials/x: HTTP 500: "
            "agent down (after 3 attempts)");
}

TEST_F(ChainTest, InstanceMetadataIsTheLastStep) {
  env.variables.erase("AWS_EC2_METADATA_DISABLED");
  metadata->answer(200, "token");
  metadata->answer(200, "web-role");
  metadata->answer(200, "token");
  metadata->answer(200, json_document("ASIAEC2"));
  auto provider = resolve();
  ASSERT_TRUE(provider) << provider.error();
  EXPECT_EQ((*(*provider)->current())->access_key_id, "ASIAEC2");
  EXPECT_EQ((*provider)->describe(),
            "EC2 instance metadata at http://169.254.169.254 (role 'web-role', IMDSv2)");
}

TEST_F(ChainTest, WithoutInstanceMetadataTheErrorSaysWhereItLookedAndWhyImdsDidNotAnswer) {
  env.variables.erase("AWS_EC2_METADATA_DISABLED");
  metadata->fail(TransportErrorKind::connect,
                 "PUT http://169.254.169.254/latest/api/token: "
                 "Connection timed out");
  const std::string error = key_of();
  EXPECT_NE(error.find("no AWS credentials found: looked in the environment"), std::string::npos)
      << error;
  EXPECT_NE(error.find("container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI)"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("EC2 instance metadata at http://169.254.169.254: PUT "
                       "http://169.254.169.254/latest/api/token: Connection timed out"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace wc::aws
