"""The fault-injecting proxy (tests/fault/fault_proxy.py) does what the fault tests rely on:
intact requests pass unchanged (signatures stay valid), each fault kind gives exactly the
failure it names, the same seed gives the same faults, and the shares are respected."""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse
import uuid

import wc_harness as h

sys.path.insert(0, str(h.REPO_ROOT / "tests" / "fault"))
from fault_proxy import FAULT_KINDS, TRANSIENT_KINDS, FaultConfig, FaultProxy  # noqa: E402


def raw_request(endpoint: str, method: str, path: str, body: bytes = b"",
                headers: dict | None = None, timeout: float = 10):
    """(status, headers, body) of one request on a fresh connection; raises on a broken one."""
    host, port = endpoint.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class FaultProxyBehaviour(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = h.shared_moto().endpoint
        cls.direct = h.s3_client(cls.upstream)
        cls.bucket = h.create_bucket(cls.direct, "wc-proxy")

    def proxy(self, **config) -> FaultProxy:
        proxy = FaultProxy(self.upstream, FaultConfig(**config)).__enter__()
        self.addCleanup(proxy.stop)
        return proxy

    def fresh_key(self) -> str:
        return f"k {uuid.uuid4().hex[:8]}/ünï ../x"

    def public_object(self, body: bytes) -> str:
        """A key anyone may GET: raw requests through the proxy are not signed."""
        key = self.fresh_key()
        self.direct.put_object(Bucket=self.bucket, Key=key, Body=body, ACL="public-read")
        return key

    def exists_upstream(self, key: str) -> bool:
        return key in h.bucket_keys(self.direct, self.bucket)

    def put_through(self, proxy: FaultProxy, key: str, body: bytes = b"payload"):
        return raw_request(proxy.endpoint, "PUT", self.path_of(key), body)

    def path_of(self, key: str) -> str:
        return f"/{self.bucket}/" + urllib.parse.quote(key)

    def test_intact_requests_pass_unchanged_so_signed_boto3_calls_work(self):
        proxy = self.proxy()
        s3 = h.s3_client(proxy.endpoint)
        key = self.fresh_key()
        s3.put_object(Bucket=self.bucket, Key=key, Body=b"x" * 5000, ContentType="text/plain")
        got = s3.get_object(Bucket=self.bucket, Key=key)
        self.assertEqual(got["Body"].read(), b"x" * 5000)
        self.assertEqual(got["ContentType"], "text/plain")
        self.assertEqual(s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"], 5000)
        self.assertIn(key, [o["Key"] for o in s3.list_objects_v2(Bucket=self.bucket)["Contents"]])
        s3.delete_object(Bucket=self.bucket, Key=key)
        self.assertFalse(self.exists_upstream(key))
        stats = proxy.snapshot()
        self.assertEqual(stats["injected_total"], 0)
        for operation in ("PutObject", "GetObject", "HeadObject", "ListObjectsV2", "DeleteObject"):
            self.assertEqual(stats["calls"].get(operation), 1, f"{operation}: {stats}")
        self.assertEqual(stats["forwarded"], stats["requests"])

    def test_slowdown_is_a_503_with_an_s3_slowdown_document_and_nothing_forwarded(self):
        proxy = self.proxy(slowdown=1.0)
        key = self.fresh_key()
        status, _, body = self.put_through(proxy, key)
        self.assertEqual(status, 503)
        self.assertIn(b"<Code>SlowDown</Code>", body)
        self.assertFalse(self.exists_upstream(key))
        self.assertEqual(proxy.snapshot()["forwarded"], 0)

    def test_internal_error_is_a_500_internal_error_document(self):
        status, _, body = self.put_through(self.proxy(internal=1.0), self.fresh_key())
        self.assertEqual(status, 500)
        self.assertIn(b"<Code>InternalError</Code>", body)

    def test_throttle_is_429_for_s3_and_json_throttling_for_dynamodb(self):
        proxy = self.proxy(throttle=1.0)
        status, _, body = self.put_through(proxy, self.fresh_key())
        self.assertEqual(status, 429)
        self.assertIn(b"<Code>TooManyRequests</Code>", body)
        types = set()
        for _ in range(2):
            status, headers, body = raw_request(
                proxy.endpoint, "POST", "/", b'{"TableName":"t"}',
                {"X-Amz-Target": "DynamoDB_20120810.PutItem",
                 "Content-Type": "application/x-amz-json-1.0"})
            self.assertEqual(status, 400)
            types.add(json.loads(body)["__type"].split("#")[-1])
        self.assertEqual(types, {"ProvisionedThroughputExceededException", "ThrottlingException"})
        self.assertEqual(proxy.log()[-1]["operation"], "PutItem")
        self.assertEqual(proxy.log()[-1]["resource"], "t")

    def test_bad_request_is_a_permanent_400(self):
        status, _, body = self.put_through(self.proxy(bad_request=1.0), self.fresh_key())
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>InvalidArgument</Code>", body)

    def test_deny_is_a_403_and_a_per_key_access_denied_for_delete_objects(self):
        proxy = self.proxy(deny=1.0)
        status, _, body = self.put_through(proxy, self.fresh_key())
        self.assertEqual(status, 403)
        self.assertIn(b"<Code>AccessDenied</Code>", body)
        request = (b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>'
                   b"<Object><Key>a &amp; b</Key></Object><Object><Key>c</Key></Object></Delete>")
        status, _, body = raw_request(proxy.endpoint, "POST", f"/{self.bucket}?delete", request)
        self.assertEqual(status, 200)
        self.assertEqual(body.count(b"<Code>AccessDenied</Code>"), 2)
        self.assertIn(b"<Key>a &amp; b</Key>", body)
        self.assertEqual(proxy.log()[-1]["operation"], "DeleteObjects")

    def test_reset_before_breaks_the_connection_and_the_write_never_happens(self):
        proxy = self.proxy(reset_before=1.0)
        key = self.fresh_key()
        with self.assertRaises((ConnectionError, http.client.HTTPException)):
            self.put_through(proxy, key)
        self.assertFalse(self.exists_upstream(key))
        self.assertEqual(proxy.snapshot()["injected"]["reset_before"], 1)

    def test_reset_after_breaks_the_connection_but_the_write_happened(self):
        proxy = self.proxy(reset_after=1.0)
        key = self.fresh_key()
        with self.assertRaises((ConnectionError, http.client.HTTPException)):
            self.put_through(proxy, key)
        self.assertTrue(self.exists_upstream(key), "reset_after must forward the request first")

    def test_truncate_sends_less_than_the_announced_content_length(self):
        key = self.public_object(b"0123456789" * 10)
        proxy = self.proxy(truncate=1.0)
        with self.assertRaises(http.client.IncompleteRead) as raised:
            raw_request(proxy.endpoint, "GET", self.path_of(key))
        self.assertEqual(raised.exception.partial, b"0123456789" * 5)

    def test_slow_delays_the_answer_and_then_relays_it_intact(self):
        proxy = self.proxy(slow=1.0, slow_delay=0.4)
        started = time.monotonic()
        status, _, _ = self.put_through(proxy, self.fresh_key())
        self.assertEqual(status, 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.4)

    def test_hold_keeps_matching_requests_until_it_is_cleared(self):
        proxy = self.proxy(hold=True, match=r"^PUT /[^/]+/held")
        self.assertEqual(self.put_through(proxy, "free-one")[0], 200)
        answers = []
        thread = threading.Thread(target=lambda: answers.append(
            self.put_through(proxy, "held-one")[0]))
        thread.start()
        h.wait_until(lambda: proxy.snapshot()["requests"] == 2, timeout=10,
                     what="the held request to arrive")
        self.assertFalse(self.exists_upstream("held-one"), "a held request was forwarded")
        self.assertEqual(answers, [])
        proxy.configure(hold=False)
        thread.join(10)
        self.assertEqual(answers, [200])
        self.assertTrue(self.exists_upstream("held-one"))

    def faults_for(self, seed: int, requests: int = 60) -> list[str]:
        proxy = self.proxy(**FaultConfig.even(0.5, seed=seed, slow_delay=0.0).__dict__)
        for _ in range(requests):
            try:
                raw_request(proxy.endpoint, "HEAD", f"/{self.bucket}")
            except (ConnectionError, http.client.HTTPException):
                pass
        return [record["fault"] for record in proxy.log()]

    def test_the_same_seed_gives_the_same_faults_and_another_seed_others(self):
        first, again, other = self.faults_for(5), self.faults_for(5), self.faults_for(6)
        self.assertEqual(first, again)
        self.assertNotEqual(first, other)

    def test_shares_are_respected_over_many_requests(self):
        key = self.public_object(b"some bytes to cut short")
        proxy = self.proxy(**FaultConfig.even(0.3, seed=9, slow_delay=0.0).__dict__)
        for _ in range(700):
            try:
                raw_request(proxy.endpoint, "GET", self.path_of(key))
            except (ConnectionError, http.client.HTTPException):
                pass
        stats = proxy.snapshot()
        share = stats["injected_total"] / stats["requests"]
        self.assertGreater(share, 0.24, stats)
        self.assertLess(share, 0.36, stats)
        for kind in FAULT_KINDS:
            if kind in TRANSIENT_KINDS:
                self.assertGreater(stats["injected"][kind], 10, f"{kind}: {stats}")
            else:
                self.assertEqual(stats["injected"][kind], 0, f"{kind} is not part of a rate")

    def test_match_limits_faults_to_the_chosen_requests(self):
        proxy = self.proxy(bad_request=1.0, match=r"^PUT /[^/]+/chosen")
        status, _, _ = self.put_through(proxy, "chosen-one")
        self.assertEqual(status, 400)
        status, _, _ = self.put_through(proxy, "other-one")
        self.assertEqual(status, 200)
        self.assertEqual([r["fault"] for r in proxy.log()], ["bad_request", ""])

    def test_control_endpoints_report_and_reconfigure(self):
        proxy = self.proxy()
        status, _, body = raw_request(proxy.endpoint, "POST", "/__fault/config",
                                      b'{"internal": 1.0}')
        self.assertEqual(status, 200, body)
        self.assertEqual(self.put_through(proxy, self.fresh_key())[0], 500)
        stats = json.loads(raw_request(proxy.endpoint, "GET", "/__fault/stats")[2])
        self.assertEqual(stats["injected"]["internal"], 1)
        raw_request(proxy.endpoint, "POST", "/__fault/reset")
        self.assertEqual(json.loads(raw_request(proxy.endpoint, "GET", "/__fault/stats")[2])
                         ["requests"], 0)
        status, _, _ = raw_request(proxy.endpoint, "POST", "/__fault/config", b'{"internal": 2}')
        self.assertEqual(status, 400, "a share above 1 must be refused")

    def test_command_line_prints_its_address_and_its_stats_on_sigterm(self):
        script = h.REPO_ROOT / "tests" / "fault" / "fault_proxy.py"
        process = subprocess.Popen(
            [sys.executable, str(script), "--upstream", self.upstream, "--internal", "1"],
            stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
        self.addCleanup(lambda: process.poll() is None and process.kill())
        first = process.stdout.readline()
        self.assertRegex(first, r"^fault-proxy listening on http://127\.0\.0\.1:\d+$")
        endpoint = first.split()[-1]
        self.assertEqual(raw_request(endpoint, "HEAD", f"/{self.bucket}")[0], 500)
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=10)
        self.assertEqual(process.returncode, 0)
        self.assertEqual(json.loads(rest)["injected"]["internal"], 1)


if __name__ == "__main__":
    unittest.main()
