"""Smoke test of the container image (scripts/container_test.sh builds it and runs this).

The image runs against moto on the host's network, as a user would run it: S3 -> S3 and
SQS -> DynamoDB over the real request sets. Each run checks the store and the dead letters
afterwards, that stdout holds only JSON log lines (one per request with its fields), that no
log file was written (the container's root is read-only, and `podman diff` shows no log), and
/readyz and /metrics from outside it.

Environment: WC_IMAGE (the image to test), WC_MOTO_ENDPOINT (optional: else a moto of our own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "integration"))

import dynamodb_harness as dh  # noqa: E402
import sqs_harness as sh  # noqa: E402
import servers  # noqa: E402
import wc_harness as h  # noqa: E402

IMAGE = os.environ.get("WC_IMAGE", "localhost/widget-consumer:test")
os.environ.setdefault("CONTAINERS_CONF", str(h.REPO_ROOT / "scripts/container/containers.conf"))
K_RUN_TIMEOUT_S = 120
K_IDLE_TIMEOUT_S = "3"
REQUEST_FIELDS = {"time", "level", "message", "key", "outcome", "latency_ms"}


def podman(*args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["podman", *args], capture_output=True, text=True, check=check,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def http_get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def free_port() -> int:
    return servers._free_port(30000, 39999)


class Container:
    """One detached run of the image on the host network, removed at cleanup."""

    def __init__(self, test: unittest.TestCase, args: list[str], env: dict[str, str]):
        self.name = f"wc-smoke-{uuid.uuid4().hex[:12]}"
        self.port = free_port()
        env = {**env, "WIDGET_CONSUMER_METRICS_PORT": str(self.port)}
        env_args = [arg for name, value in env.items() for arg in ("--env", f"{name}={value}")]
        # --read-only: with dead letters in the cloud and logs on stdout, nothing is written.
        podman("run", "--detach", "--pull=never", "--network", "host", "--read-only",
               "--name", self.name, *env_args, IMAGE, *args)
        test.addCleanup(lambda: podman("rm", "--force", self.name, check=False))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self) -> int:
        return int(podman("wait", self.name, timeout=K_RUN_TIMEOUT_S).stdout.strip())

    def stdout(self) -> str:
        return podman("logs", self.name).stdout

    def stderr(self) -> str:
        return podman("logs", self.name).stderr

    def changed_paths(self) -> list[str]:
        return podman("diff", self.name).stdout.split()


class ImageSmokeTest(h.ConsumerTestCase):
    @classmethod
    def setUpClass(cls):
        if podman("image", "exists", IMAGE, check=False).returncode != 0:
            raise h.PrerequisiteMissing(f"image {IMAGE} not found: run scripts/container_test.sh")
        cls.moto = h.shared_moto().endpoint

    def aws_env(self, endpoint: str | None = None) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": h.TEST_ACCESS_KEY_ID,
                "AWS_SECRET_ACCESS_KEY": h.TEST_SECRET, "AWS_REGION": h.TEST_REGION,
                "AWS_ENDPOINT_URL": endpoint or self.moto, "AWS_EC2_METADATA_DISABLED": "true"}

    def watch_until_done(self, container: Container, requests: int) -> str:
        """Waits for /readyz to answer 200 and for /metrics to count every request; returns
        the last scrape."""
        h.wait_until(lambda: http_get(container.url("/readyz?probe=1"))[0] == 200, 60,
                     0.05, f"/readyz 200 ({http_get(container.url('/readyz'))})")
        self.assertEqual(http_get(container.url("/healthz"))[0], 200)

        def all_counted():
            status, text = http_get(container.url("/metrics"))
            done = sum(float(line.split()[-1]) for line in text.splitlines()
                       if line.startswith("widget_consumer_requests_total{"))
            return text if status == 200 and done == requests else None

        return h.wait_until(all_counted, 60, 0.05, f"{requests} requests in /metrics")

    def assert_json_log(self, stdout: str, request_count: int) -> list[dict]:
        lines = [json.loads(line) for line in stdout.splitlines()]  # every line is JSON
        self.assertTrue(lines, "nothing on stdout")
        for line in lines:
            self.assertLessEqual({"time", "level", "message"}, set(line), line)
        request_lines = [line for line in lines if "outcome" in line]
        self.assertEqual(len(request_lines), request_count,
                         "one JSON line per request:\n" + stdout[-2000:])
        for line in request_lines:
            self.assertLessEqual(REQUEST_FIELDS, set(line), line)
        return request_lines

    def assert_no_log_file(self, container: Container) -> None:
        written = [p for p in container.changed_paths() if "/logs" in p or p.endswith(".log")]
        self.assertEqual(written, [], "the image must not write a log file")

    def test_s3_to_s3(self):
        data = h.load_conformance("hw6-official")
        s3 = h.s3_client(self.moto)
        requests, widgets, dead = (h.create_bucket(s3, p) for p in ("wc-req", "wc-wid", "wc-dl"))
        h.upload_requests(s3, requests, data.requests)

        container = Container(self, ["-rb", requests, "-wb", widgets, "--dead-letter-bucket",
                                     dead, "--idle-timeout", K_IDLE_TIMEOUT_S], self.aws_env())
        scrape = self.watch_until_done(container, len(data.requests))
        self.assertIn('widget_consumer_build_info{version="', scrape)
        self.assertIn('operation="PutObject"', scrape)
        self.assertEqual(container.wait(), 0, container.stdout() + container.stderr())

        self.assert_s3_store(s3, widgets, data.widgets)
        self.assertEqual(h.bucket_keys(s3, requests), [], "the request bucket should end empty")
        dead_keys = set(h.bucket_keys(s3, dead))
        for key in data.rejected:
            self.assertIn(key, dead_keys, f"{key} not dead-lettered in bucket {dead}")
        lines = self.assert_json_log(container.stdout(), len(data.requests))
        self.assertEqual({line["key"] for line in lines}, set(data.requests))
        self.assert_no_log_file(container)
        self.assertEqual(podman("inspect", "--format", "{{.Config.User}}", IMAGE).stdout.strip(),
                         "10001:10001")

    def test_sqs_to_dynamodb(self):
        data = h.load_conformance("hw6-official")
        expected = json.loads(
            (h.conformance_dir() / "hw6-official.expected.json").read_text())["dynamodb"]
        items, rejected = expected["widgets"], expected["rejected"]
        # The consumer keeps several receives in flight on a busy FIFO queue, and plain moto
        # may then hand out a group's next message while one is in flight (SQS does not): a
        # moto of its own with atomic SQS message operations, as the FIFO tests use.
        moto = sh.AtomicSqsMoto().start()
        self.addCleanup(moto.stop)
        sqs = sh.sqs_client(moto.endpoint)
        dynamodb = dh.dynamodb_client(moto.endpoint)
        queue, url = sh.create_queue(sqs, "wc-req", fifo=True)
        _, dead_url = sh.create_queue(sqs, "wc-dl")
        table = dh.create_table(dynamodb)
        for key, body in data.requests.items():
            try:
                group = str(json.loads(body).get("widgetId") or "none")
            except (ValueError, AttributeError):
                group = "none"
            sqs.send_message(QueueUrl=url, MessageBody=body.decode("utf-8", "replace"),
                             MessageGroupId=group, MessageDeduplicationId=key)

        container = Container(self, ["-rq", queue, "-dt", table, "--dead-letter-queue", dead_url,
                                     "--idle-timeout", K_IDLE_TIMEOUT_S, "--queue-wait", "1"],
                              self.aws_env(moto.endpoint))
        scrape = self.watch_until_done(container, len(data.requests))
        self.assertIn('operation="ReceiveMessage"', scrape)
        self.assertEqual(container.wait(), 0, container.stdout() + container.stderr())

        self.assert_widgets_equal(dh.read_table(dynamodb, table), items, f"table {table}")
        self.assertEqual(sh.messages_left(sqs, url), 0, "the request queue should end empty")
        self.assertEqual(len(sh.drain(sqs, dead_url)), len(rejected))
        self.assert_json_log(container.stdout(), len(data.requests))
        self.assert_no_log_file(container)


if __name__ == "__main__":
    unittest.main()
