"""Environment keys (SPEC.md §2; issue 14) against a signature-checking moto: the Java SDK's
AWS_ACCESS_KEY / AWS_SECRET_KEY (the course's container instructions use AWS_SECRET_KEY) work
(mixing them with the standard names is unit-tested), temporary keys carry AWS_SESSION_TOKEN,
an explicit --profile outranks the environment, and the start-up line names the variables the
keys came from."""

import unittest

import credentials_harness as ch
import wc_harness as h


class EnvironmentKeys(ch.CredentialsTestCase):
    def consume(self, env: dict) -> h.RunResult:
        h.upload_requests(self.s3, self.requests, self.data.requests)
        result = self.run_to_exit(env, idle_timeout="0.5")
        self.assert_exit(result, 0)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [])
        return result

    def test_the_java_sdks_names_are_accepted(self):
        key_id, secret = self.world.admin
        result = self.consume(self.env(AWS_ACCESS_KEY=key_id, AWS_SECRET_KEY=secret))
        self.assertIn("AWS credentials from environment variables AWS_ACCESS_KEY and "
                      "AWS_SECRET_KEY (the Java SDK's names) (static)", result.output)
        self.assert_secret_absent(secret, result.output, log_dir=self.work.logs)

    def test_temporary_keys_carry_their_session_token(self):
        issued = self.world.mint.mint(3600)
        self.consume(self.env(AWS_ACCESS_KEY_ID=issued.key_id,
                              AWS_SECRET_ACCESS_KEY=issued.secret,
                              AWS_SESSION_TOKEN=issued.token))

    def test_a_made_up_session_token_is_refused(self):
        issued = self.world.mint.mint(3600)
        h.upload_requests(self.s3, self.requests, self.data.requests)
        result = self.run_to_exit(self.env(AWS_ACCESS_KEY_ID=issued.key_id,
                                           AWS_SECRET_ACCESS_KEY=issued.secret,
                                           AWS_SESSION_TOKEN="made-up"))
        # S3 answers a HEAD with an invalid token 400 and no body.
        self.assert_fatal_naming(result, self.requests, "HTTP 400")
        self.assertEqual(sorted(h.bucket_keys(self.s3, self.requests)), sorted(self.data.requests))

    def test_an_explicit_profile_wins_over_environment_keys(self):
        key_id, secret = self.world.admin
        (self.aws_dir() / "credentials").write_text(
            f"[work]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
        h.upload_requests(self.s3, self.requests, self.data.requests)
        result = self.run_to_exit(self.env(AWS_ACCESS_KEY_ID="AKIAWCWRONG000000000",
                                           AWS_SECRET_ACCESS_KEY="wrong"),
                                  "--profile", "work", idle_timeout="0.5")
        self.assert_exit(result, 0)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        self.assertIn("AWS credentials from [work] of the credentials file", result.output)


if __name__ == "__main__":
    unittest.main()
