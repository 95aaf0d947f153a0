"""Web identity (EKS IRSA) (SPEC.md §2; issue 14): AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
traded with STS AssumeRoleWithWebIdentity, unsigned. moto's STS cannot answer that call on a
signature-checking server, so a stand-in STS (AWS_ENDPOINT_URL_STS) accepts only the token
currently in the file and hands out 2-second keys of moto's; the test rotates the token during
the run, as Kubernetes does, and the proxy in front of moto refuses any call signed with an
expired key. This module also carries the S3 -> DynamoDB end-to-end run."""

import threading
import unittest

import credential_servers as cs
import credentials_harness as ch
import wc_harness as h

ROLE_ARN = "arn:aws:iam::123456789012:role/irsa-widget-consumer"


class WebIdentityCredentials(ch.CredentialsTestCase):
    def irsa_env(self, sts: cs.WebIdentitySts, **extra: str) -> dict:
        return self.env(AWS_WEB_IDENTITY_TOKEN_FILE=sts.token_file, AWS_ROLE_ARN=ROLE_ARN,
                        AWS_ROLE_SESSION_NAME="widget-pod", AWS_ENDPOINT_URL_STS=sts.base_url,
                        **extra)

    def token_file(self, token: str) -> str:
        path = self.work.root / "irsa-token"
        path.write_text(token)
        return str(path)

    def rotate_token_after_each_fetch(self, sts: cs.WebIdentitySts) -> None:
        """Writes a new token whenever STS handed out keys: a renewal with a stale token fails."""
        def rotate():
            seen = 0
            while not stop.is_set():
                if sts.fetches > seen:
                    seen = sts.fetches
                    with open(sts.token_file, "w") as file:
                        file.write(f"jwt-{seen + 1}")
                stop.wait(0.01)
        stop = threading.Event()
        thread = threading.Thread(target=rotate, daemon=True)
        thread.start()
        self.addCleanup(lambda: (stop.set(), thread.join()))

    def test_irsa_keys_are_renewed_with_the_rotated_token_while_consuming_s3_to_dynamodb(self):
        self.use_table()
        sts = self.world.stand_in(cs.WebIdentitySts, token_file=self.token_file("jwt-1"),
                                  role_arn=ROLE_ARN)
        self.rotate_token_after_each_fetch(sts)
        result = self.run_across_renewals(self.irsa_env(sts), sts)
        self.assertIn(f"AWS credentials from web identity token {sts.token_file} for role "
                      f"{ROLE_ARN} (AWS_WEB_IDENTITY_TOKEN_FILE) via STS "
                      f"AssumeRoleWithWebIdentity at {sts.base_url} (temporary", result.output)
        tokens = [call["WebIdentityToken"] for call in sts.calls]
        self.assertEqual(tokens[:3], ["jwt-1", "jwt-2", "jwt-3"])
        self.assertTrue(all(call["RoleSessionName"] == "widget-pod" for call in sts.calls))
        self.assert_secret_absent("jwt-1", result.output, log_dir=self.work.logs)

    def test_irsa_works_s3_to_s3(self):
        sts = self.world.stand_in(cs.WebIdentitySts, token_file=self.token_file("jwt-1"),
                                  role_arn=ROLE_ARN)
        h.upload_requests(self.s3, self.requests, self.data.requests)
        result = self.run_to_exit(self.irsa_env(sts), idle_timeout="0.5")
        self.assert_exit(result, 0)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [])

    def test_a_token_sts_refuses_ends_the_run_at_start_naming_web_identity_and_the_cause(self):
        sts = self.world.stand_in(cs.WebIdentitySts, token_file=self.token_file("jwt-1"),
                                  role_arn=ROLE_ARN)
        stale = self.work.root / "stale-token"
        stale.write_text("jwt-0")
        h.upload_requests(self.s3, self.requests, self.data.requests)
        env = self.irsa_env(sts)
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = str(stale)
        result = self.run_to_exit(env)
        self.assert_fatal_naming(result, f"web identity token {stale}",
                                 "AssumeRoleWithWebIdentity on role", "InvalidIdentityToken")
        self.assertEqual(sorted(h.bucket_keys(self.s3, self.requests)), sorted(self.data.requests))


if __name__ == "__main__":
    unittest.main()
