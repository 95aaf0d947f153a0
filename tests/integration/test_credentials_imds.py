"""EC2 instance metadata (SPEC.md §2; issue 14): the instance profile's keys through IMDSv2
(session token, role name, credentials), the region from instance metadata, and the IMDSv1
fallback the SDKs still make by default, against a signature-checking moto. The stand-in hands
out 2-second keys, so each run renews them several times; the proxy in front of moto refuses
any call signed with an expired one."""

import unittest

import credential_servers as cs
import credentials_harness as ch
import wc_harness as h


class InstanceMetadataCredentials(ch.CredentialsTestCase):
    def metadata_env(self, server: cs.InstanceMetadata, **extra: str) -> dict:
        env = self.env(metadata=True, AWS_EC2_METADATA_SERVICE_ENDPOINT=server.base_url, **extra)
        env.pop("AWS_REGION")  # the region comes from instance metadata
        return env

    def test_instance_profile_keys_are_renewed_and_the_region_comes_from_metadata(self):
        server = self.world.stand_in(cs.InstanceMetadata)
        result = self.run_across_renewals(self.metadata_env(server), server)
        self.assertIn(f"AWS credentials from EC2 instance metadata at {server.base_url} "
                      f"(role 'wc-instance-role', IMDSv2) (temporary", result.output)
        self.assertIn("region us-east-1 (from EC2 instance metadata)", result.output)
        self.assertEqual(server.region_reads, 1)
        # One session token per fetch: every metadata read carried one.
        self.assertGreaterEqual(server.token_puts, server.fetches + 1)

    def test_an_imds_v1_only_instance_is_used_as_the_sdks_do_by_default(self):
        server = self.world.stand_in(cs.InstanceMetadata, v1_only=True)
        h.upload_requests(self.s3, self.requests, self.data.requests)
        result = self.run_to_exit(self.metadata_env(server), idle_timeout="0.5")
        self.assert_exit(result, 0)
        self.assertIn("(role 'wc-instance-role', IMDSv1)", result.output)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [])

    def test_with_imds_v1_disabled_an_imds_v1_only_instance_gives_no_credentials(self):
        server = self.world.stand_in(cs.InstanceMetadata, v1_only=True)
        h.upload_requests(self.s3, self.requests, self.data.requests)
        result = self.run_to_exit(self.metadata_env(server, AWS_EC2_METADATA_V1_DISABLED="true",
                                                    AWS_REGION=h.TEST_REGION))
        self.assert_fatal_naming(result, "no AWS credentials found",
                                 f"EC2 instance metadata at {server.base_url}",
                                 "IMDSv1 is disabled")
        self.assertEqual(server.fetches, 0)
        self.assertEqual(sorted(h.bucket_keys(self.s3, self.requests)), sorted(self.data.requests))


if __name__ == "__main__":
    unittest.main()
