"""Assumed roles (SPEC.md §2; issue 14): role_arn in a profile, with source_profile (static
keys, or another role: a chain) or credential_source = Environment, through STS AssumeRole on a
signature-checking moto with the profile's external_id, role_session_name and
duration_seconds. STS is reached through the proxy (AWS_ENDPOINT_URL_STS), which shortens each
session to 2 seconds, so the run renews the role several times and any call signed with an
expired session is refused."""

import unittest

import credentials_harness as ch
import wc_harness as h


class AssumedRoles(ch.CredentialsTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.world.proxy.sts_lifetime = ch.K_LIFETIME_S

    def profiles(self, config: str) -> None:
        aws = self.aws_dir()
        key_id, secret = self.world.admin
        (aws / "credentials").write_text(
            f"[base]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
        (aws / "config").write_text(config)

    def assume_role_calls(self) -> list[dict]:
        return [call for call in self.world.proxy.sts_calls if call["Action"] == "AssumeRole"]

    def sts_env(self, **extra: str) -> dict:
        return self.env(AWS_ENDPOINT_URL_STS=self.world.proxy.endpoint, **extra)

    def test_a_role_with_a_source_profile_is_renewed_while_consuming(self):
        role = self.world.role_arn
        self.profiles(f"[profile app]\nrole_arn = {role}\nsource_profile = base\n"
                      "external_id = widget-ext-7\nrole_session_name = consumer-a\n"
                      "duration_seconds = 900\n")
        before = len(self.assume_role_calls())
        result = self.run_across_renewals(
            self.sts_env(), lambda: len(self.assume_role_calls()) - before, "--profile", "app")
        self.assertIn(f"AWS credentials from role {role} (profile 'app') via STS AssumeRole at "
                      f"{self.world.proxy.endpoint}, signed with [base] of the credentials file",
                      result.output)
        for call in self.assume_role_calls()[before:]:
            self.assertEqual((call["RoleArn"], call["ExternalId"], call["RoleSessionName"],
                              call["DurationSeconds"]),
                             (role, "widget-ext-7", "consumer-a", "900"))
        self.assert_secret_absent(self.world.admin[1], result.output, log_dir=self.work.logs)

    def test_chained_roles_are_each_assumed_with_the_previous_role(self):
        role = self.world.role_arn
        self.profiles(f"[profile mid]\nrole_arn = {role}\nsource_profile = base\n"
                      "role_session_name = hop-1\n"
                      f"[profile app]\nrole_arn = {role}\nsource_profile = mid\n"
                      "role_session_name = hop-2\n")
        h.upload_requests(self.s3, self.requests, self.data.requests)
        before = len(self.world.proxy.requests)
        calls_before = len(self.assume_role_calls())
        result = self.run_to_exit(self.sts_env(AWS_PROFILE="app"), idle_timeout="0.5")
        self.assert_exit(result, 0)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        sts = [r for r in self.world.proxy.requests[before:] if r.service == "sts"]
        self.assertGreaterEqual(len(sts), 2)
        # hop-1 is signed with the static keys, hop-2 with hop-1's session keys.
        self.assertEqual(sts[0].key_id, self.world.admin[0])
        self.assertTrue(sts[1].key_id.startswith("ASIA"), sts[1])
        # The first two calls of the run (a renewal may follow them, on a slow machine).
        sessions = [call["RoleSessionName"]
                    for call in self.assume_role_calls()[calls_before:calls_before + 2]]
        self.assertEqual(sessions, ["hop-1", "hop-2"])

    def test_credential_source_environment_signs_assume_role_with_the_environment_keys(self):
        self.profiles(f"[profile app]\nrole_arn = {self.world.role_arn}\n"
                      "credential_source = Environment\n")
        h.upload_requests(self.s3, self.requests, self.data.requests)
        key_id, secret = self.world.admin
        before = len(self.world.proxy.requests)
        result = self.run_to_exit(
            self.sts_env(AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret),
            "--profile", "app", idle_timeout="0.5")
        self.assert_exit(result, 0)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        signers = {r.key_id for r in self.world.proxy.requests[before:] if r.service == "s3"}
        self.assertNotIn(key_id, signers, "S3 calls must use the role, not the source keys")

    def test_a_role_sts_refuses_ends_the_run_naming_the_role_and_the_cause(self):
        self.profiles("[profile app]\nrole_arn = arn:aws:iam::123456789012:role/x\n"
                      "source_profile = base\n")
        aws = self.aws_dir()
        (aws / "credentials").write_text(
            "[base]\naws_access_key_id = AKIAWCUNKNOWN0000000\naws_secret_access_key = nope\n")
        result = self.run_to_exit(self.sts_env(), "--profile", "app")
        self.assert_fatal_naming(result, "role arn:aws:iam::123456789012:role/x (profile 'app')",
                                 "AssumeRole on role arn:aws:iam::123456789012:role/x failed")


if __name__ == "__main__":
    unittest.main()
