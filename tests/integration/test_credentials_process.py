"""credential_process (SPEC.md §2; issue 14): a profile's command prints credentials as JSON
(Version 1, with an Expiration), run again for each renewal. The command here asks a stand-in
for 2-second keys of a signature-checking moto, so the run renews them several times; the proxy
in front of moto refuses any call signed with an expired one."""

import unittest

import credential_servers as cs
import credentials_harness as ch
import wc_harness as h


class CredentialProcess(ch.CredentialsTestCase):
    def profile(self, command: str) -> None:
        (self.aws_dir() / "config").write_text(f"[default]\ncredential_process = {command}\n")

    def test_keys_from_the_command_are_renewed_while_consuming(self):
        mint = self.world.stand_in(cs.MintEndpoint)
        self.profile(ch.python_command("credential_process_client.py", mint.base_url + "/mint"))
        result = self.run_across_renewals(self.env(), mint)
        self.assertIn("AWS credentials from credential_process of profile 'default' (temporary",
                      result.output)
        self.assertNotIn("credential_process_client.py", result.output,
                         "the command line may hold secrets and is never printed")

    def test_a_command_that_fails_ends_the_run_with_its_status_and_message(self):
        mint = self.world.stand_in(cs.MintEndpoint)
        self.profile(ch.python_command("credential_process_client.py", mint.base_url + "/mint"))
        mint.stop()  # the helper cannot reach it: exit 2 and a message on stderr
        h.upload_requests(self.s3, self.requests, self.data.requests)
        result = self.run_to_exit(self.env())
        self.assert_fatal_naming(result, "credential_process of profile 'default'",
                                 "the command exited with status 2",
                                 "credential helper: cannot get credentials")
        self.assertEqual(sorted(h.bucket_keys(self.s3, self.requests)), sorted(self.data.requests))


if __name__ == "__main__":
    unittest.main()
