"""What the test_credentials_* modules share: a signature-checking moto with a role whose
session keys the stand-ins hand out, the expiry-checking proxy every consumer call goes through,
and the end-to-end run that spans several renewals.

The moto is the one scripts/test.sh started (WC_MOTO_SIGV4_ENDPOINT and its admin key), else
one started here. Each module creates a role of its own on it, so modules may run in parallel.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import boto3

import credential_servers as cs
import dynamodb_harness as dh
import wc_harness as h

HERE = Path(__file__).resolve().parent
# Short enough that a run of a few seconds renews several times; whole seconds, so that the
# proxy's check of X-Amz-Date against the expiry is exact.
K_LIFETIME_S = 2
K_RENEWALS = 2  # at least this many renewals during each end-to-end run
K_WAIT_S = 30


class CredentialWorld:
    def __init__(self):
        endpoint = os.environ.get("WC_MOTO_SIGV4_ENDPOINT")
        self._own_moto = None
        if endpoint:
            admin = (os.environ["WC_MOTO_SIGV4_ACCESS_KEY_ID"],
                     os.environ["WC_MOTO_SIGV4_SECRET_ACCESS_KEY"])
        else:
            self._own_moto = h.MotoServer(auth_after=h.IAM_SETUP_CALLS).start()
            endpoint = self._own_moto.endpoint
            admin = h.iam_user_with_key(endpoint)
        self.moto_endpoint = endpoint
        self.admin = admin
        self.role_name = h.fresh_name("wc-role")
        iam = boto3.client("iam", endpoint_url=endpoint, region_name=h.TEST_REGION,
                           aws_access_key_id=admin[0], aws_secret_access_key=admin[1])
        trust = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName=self.role_name, AssumeRolePolicyDocument=json.dumps(trust))
        everything = {"Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        iam.put_role_policy(RoleName=self.role_name, PolicyName="everything",
                            PolicyDocument=json.dumps(everything))
        self.role_arn = f"arn:aws:iam::123456789012:role/{self.role_name}"
        self.mint = cs.KeyMint(endpoint, admin, self.role_name)
        self.proxy = cs.ExpiryCheckingProxy(endpoint)
        self.s3 = h.s3_client(endpoint, *admin)
        self.dynamodb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=h.TEST_REGION,
                                     aws_access_key_id=admin[0], aws_secret_access_key=admin[1])
        self._stand_ins: list[cs.StandIn] = []

    def stand_in(self, kind, **fields):
        server = kind(mint=self.mint, proxy=self.proxy, lifetime=K_LIFETIME_S, **fields)
        self._stand_ins.append(server)
        return server

    def stop(self) -> None:
        for server in self._stand_ins:
            server.stop()
        self.proxy.stop()
        if self._own_moto:
            self._own_moto.stop()


def expected_table(name: str) -> dict[str, dict[str, str]]:
    path = h.conformance_dir() / f"{name}.expected.json"
    return json.loads(path.read_text())["dynamodb"]["widgets"]


class CredentialsTestCase(h.ConsumerTestCase):
    """Each test gets fresh buckets (and, on request, a table) and a workdir."""

    world: CredentialWorld

    @classmethod
    def setUpClass(cls):
        cls.world = CredentialWorld()

    @classmethod
    def tearDownClass(cls):
        cls.world.stop()

    def setUp(self):
        self.data = h.load_conformance("hw6-official")
        self.work = self.workdir()
        self.s3 = self.world.s3
        self.requests = h.create_bucket(self.s3, "wc-req")
        self.widgets = h.create_bucket(self.s3, "wc-wid")
        self.table = None

    def tearDown(self):
        self.assertEqual(self.world.proxy.violations, [],
                         "requests were signed with keys past their expiry")

    # -- the consumer's environment and command line ------------------------------------------

    def env(self, *, metadata: bool = False, **extra: str) -> dict[str, str]:
        """No keys, no region from us unless given, instance metadata off unless asked for."""
        env = h.consumer_env(self.work, key_id=None, secret=None, **extra)
        if metadata:
            env.pop("AWS_EC2_METADATA_DISABLED")
        return env

    def aws_dir(self) -> Path:
        path = self.work.home / ".aws"
        path.mkdir(exist_ok=True)
        return path

    def use_table(self) -> None:
        self.table = h.fresh_name("wc-wid")
        self.world.dynamodb.create_table(
            TableName=self.table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")

    def args(self, *extra: str, idle_timeout: str = "0") -> list[str]:
        """S3 to S3 (or to the table of use_table) through the proxy; `--idle-timeout 0`
        (never) for runs a test stops itself, a short one for runs that should end alone."""
        store = ["-ss", "DynamoDB", "-dt", self.table] if self.table else ["-wb", self.widgets]
        return (["-rb", self.requests, *store, "--endpoint-url", self.world.proxy.endpoint,
                 "--idle-timeout", idle_timeout, "--max-runtime", "120", *extra]
                + self.work.log_dir_args())

    # -- runs ----------------------------------------------------------------------------------

    def run_across_renewals(self, env: dict[str, str], stand_in, *extra: str) -> h.RunResult:
        """Consumes the first half of the requests, waits for K_RENEWALS renewals, consumes the
        second half, stops with SIGTERM; then checks the store, the empty source, the dead
        letters, that renewed keys signed requests and that each renewal came before the
        previous set expired. `stand_in` is the StandIn that hands out the sets, or a function
        counting them."""
        fetches = (lambda: stand_in.fetches) if isinstance(stand_in, cs.StandIn) else stand_in
        keys = list(self.data.requests)
        half = len(keys) // 2
        h.upload_requests(self.s3, self.requests, {k: self.data.requests[k] for k in keys[:half]})
        process = self.start_consumer(self.args(*extra), self.work, env)
        self.wait_for(process, lambda: h.bucket_key_count(self.s3, self.requests) == 0,
                      "the first half to be consumed")
        self.wait_for(process, lambda: fetches() >= 1 + K_RENEWALS, "renewals")
        h.upload_requests(self.s3, self.requests, {k: self.data.requests[k] for k in keys[half:]},
                          in_order=True)
        self.wait_for(process, lambda: h.bucket_key_count(self.s3, self.requests) == 0,
                      "the second half to be consumed")
        process.send(signal.SIGTERM)
        result = process.wait(K_WAIT_S)
        self.assert_exit(result, 0)
        if self.table:
            self.assert_widgets_equal(dh.read_table(self.world.dynamodb, self.table),
                                      expected_table("hw6-official"), f"table {self.table}")
        else:
            self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [])
        self.assert_dead_letters(self.work.dead_letters,
                                 self.data.rejected if not self.table else
                                 self.expected_rejected_for_dynamodb(), self.data.requests)
        self.assertGreaterEqual(len(self.world.proxy.keys_used()), 1 + K_RENEWALS,
                                "renewed keys should have signed requests" + result.describe())
        self.assertRegex(result.output, r"renewed AWS credentials from ")
        if isinstance(stand_in, cs.StandIn):
            self.assertTrue(stand_in.renewed_in_time(), "a set was renewed only after it expired")
        return result

    @staticmethod
    def expected_rejected_for_dynamodb() -> list[str]:
        path = h.conformance_dir() / "hw6-official.expected.json"
        return list(json.loads(path.read_text())["dynamodb"]["rejected"])

    def wait_for(self, process, predicate, what: str) -> None:
        def done():
            if not process.running():
                raise AssertionError(f"the consumer exited while waiting for {what}"
                                     + process.result().describe())
            return predicate()
        h.wait_until(done, K_WAIT_S, interval=0.05, what=what)

    def run_to_exit(self, env: dict[str, str], *extra: str, idle_timeout: str = "0"):
        """Runs the consumer until it exits on its own (killed after K_WAIT_S)."""
        return h.run_consumer(self.args(*extra, idle_timeout=idle_timeout), self.work, env,
                              timeout=K_WAIT_S)

    def assert_fatal_naming(self, result: h.RunResult, *fragments: str) -> None:
        """Exit 1, and one ERROR line holding every fragment (the provider and the cause)."""
        self.assert_exit(result, 1)
        errors = [line for line in result.output.splitlines() if h.line_level(line) == "ERROR"]
        self.assertTrue(any(all(f in line for f in fragments) for line in errors),
                        f"no ERROR line names all of {fragments}:\n" + "\n".join(errors)
                        + result.describe())


def python_command(script: str, *args: str) -> str:
    """A shell command line running `script` (in this folder) with this Python."""
    return " ".join([sys.executable, str(HERE / script), *args])
