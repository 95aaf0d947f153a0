"""IAM Identity Center (SSO) (SPEC.md §2; issue 14): a profile with an sso-session, the token
`aws sso login` cached under ~/.aws/sso/cache, and the SSO portal's GetRoleCredentials played
by a stand-in (AWS_ENDPOINT_URL_SSO), against a signature-checking moto. Role keys last 2
seconds, so each run renews them several times; the proxy in front of moto refuses any call
signed with an expired one."""

import hashlib
import json
import time
import unittest

import credential_servers as cs
import credentials_harness as ch
import wc_harness as h

START_URL = "https://d-abc123.awsapps.com/start"


class SsoCredentials(ch.CredentialsTestCase):
    def sso_profile(self, *, session: bool = True, token_expires_in: int = 3600) -> str:
        """Writes the profile `dev` and the cached token; returns the token."""
        aws = self.aws_dir()
        if session:
            (aws / "config").write_text(
                "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
                "sso_role_name = WidgetConsumer\nregion = us-east-1\n"
                f"[sso-session corp]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n"
                "sso_registration_scopes = sso:account:access\n")
        else:  # the legacy form: the start URL in the profile
            (aws / "config").write_text(
                f"[profile dev]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n"
                "sso_account_id = 123456789012\nsso_role_name = WidgetConsumer\n")
        cache = aws / "sso" / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        token = "aoa-bearer-" + h.fresh_name("t")
        name = hashlib.sha1(("corp" if session else START_URL).encode()).hexdigest()
        (cache / f"{name}.json").write_text(json.dumps({
            "startUrl": START_URL, "region": "eu-west-1", "accessToken": token,
            "expiresAt": cs.iso(int(time.time()) + token_expires_in)}))
        return token

    def test_role_keys_from_the_portal_are_renewed_while_consuming(self):
        token = self.sso_profile()
        portal = self.world.stand_in(cs.SsoPortal, bearer=token)
        result = self.run_across_renewals(self.env(AWS_ENDPOINT_URL_SSO=portal.base_url),
                                          portal, "--profile", "dev")
        self.assertIn("AWS credentials from SSO role 'WidgetConsumer' in account 123456789012 "
                      f"(profile 'dev', start URL {START_URL}) (temporary", result.output)
        self.assert_secret_absent(token, result.output, log_dir=self.work.logs)

    def test_the_legacy_profile_form_works_too(self):
        token = self.sso_profile(session=False)
        portal = self.world.stand_in(cs.SsoPortal, bearer=token)
        h.upload_requests(self.s3, self.requests, self.data.requests)
        env = self.env(AWS_ENDPOINT_URL_SSO=portal.base_url, AWS_PROFILE="dev")
        result = self.run_to_exit(env, idle_timeout="0.5")
        self.assert_exit(result, 0)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)

    def test_an_expired_sso_session_says_to_run_aws_sso_login(self):
        token = self.sso_profile(token_expires_in=-60)
        portal = self.world.stand_in(cs.SsoPortal, bearer=token)
        h.upload_requests(self.s3, self.requests, self.data.requests)
        result = self.run_to_exit(self.env(AWS_ENDPOINT_URL_SSO=portal.base_url),
                                  "--profile", "dev")
        self.assert_fatal_naming(result, "SSO role 'WidgetConsumer'", "the SSO session expired",
                                 "aws sso login --sso-session corp")
        self.assertEqual(portal.fetches, 0)
        self.assertEqual(sorted(h.bucket_keys(self.s3, self.requests)), sorted(self.data.requests))

    def test_a_token_the_portal_refuses_says_to_log_in_again(self):
        self.sso_profile()
        portal = self.world.stand_in(cs.SsoPortal, bearer="another-token")
        result = self.run_to_exit(self.env(AWS_ENDPOINT_URL_SSO=portal.base_url),
                                  "--profile", "dev")
        self.assert_fatal_naming(result, "SSO role 'WidgetConsumer'",
                                 "UnauthorizedException (HTTP 401)", "aws sso login")


if __name__ == "__main__":
    unittest.main()
