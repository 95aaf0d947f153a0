"""Container credentials (SPEC.md §2; issue 14): the EKS Pod Identity / ECS agent endpoint of
AWS_CONTAINER_CREDENTIALS_FULL_URI with an authorization token file, against a
signature-checking moto. The stand-in agent hands out 2-second session keys, so each run renews
them several times; the proxy in front of moto refuses any call signed with an expired one."""

import unittest

import credential_servers as cs
import credentials_harness as ch
import wc_harness as h


class ContainerCredentials(ch.CredentialsTestCase):
    def agent_env(self, agent: cs.ContainerEndpoint, token: str = "pod-identity-token") -> dict:
        token_file = self.work.root / "eks-pod-identity-token"
        token_file.write_text(token)
        return self.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=agent.url,
                        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token_file))

    def test_pod_identity_keys_are_renewed_while_consuming_s3_to_s3(self):
        agent = self.world.stand_in(cs.ContainerEndpoint, token="pod-identity-token")
        result = self.run_across_renewals(self.agent_env(agent), agent)
        self.assertIn(f"AWS credentials from container credentials from {agent.url} (temporary",
                      result.output)
        self.assert_secret_absent(agent.issued[0].secret, result.output, log_dir=self.work.logs)

    def test_an_agent_that_stops_answering_ends_the_run_when_the_keys_expire(self):
        agent = self.world.stand_in(cs.ContainerEndpoint, token="pod-identity-token",
                                    fail_from=2)
        result = self.run_to_exit(self.agent_env(agent))
        self.assert_fatal_naming(result, f"container credentials from {agent.url}",
                                 "could not be renewed", "HTTP 500: agent down")
        # Renewal was tried again with back-off before the keys expired, each failure a warning.
        self.assertGreaterEqual(agent.fetches, 3)
        self.assertRegex(result.output, r"WARN.*could not renew AWS credentials from container")
        self.assertLess(result.elapsed, 15)

    def test_a_wrong_token_is_refused_at_start_naming_the_endpoint(self):
        agent = self.world.stand_in(cs.ContainerEndpoint, token="pod-identity-token")
        h.upload_requests(self.s3, self.requests, self.data.requests)
        result = self.run_to_exit(self.agent_env(agent, token="stale-token"))
        self.assert_fatal_naming(result, f"container credentials from {agent.url}", "HTTP 401")
        self.assertEqual(sorted(h.bucket_keys(self.s3, self.requests)), sorted(self.data.requests))

    def test_a_plain_http_uri_to_another_host_is_refused(self):
        result = self.run_to_exit(self.env(
            AWS_CONTAINER_CREDENTIALS_FULL_URI="http://169.254.169.254/latest/creds"))
        self.assert_fatal_naming(result, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "plain http")


if __name__ == "__main__":
    unittest.main()
