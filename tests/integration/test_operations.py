"""The operations surface (SPEC.md §2, "Operations and deployment"): /readyz follows the store
down and back up while /healthz stays ok, a scrape is answered at once with idle connections
open, --metrics-address decides who can connect, and settings come from the environment and a
--config file (flag over variable over file) with JSON logs on the console and no log file.

Every run also checks the widgets it stored."""

import json
import os
import signal
import socket
import sys
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import wc_harness as h  # noqa: E402
from fault_proxy import FaultConfig, FaultProxy  # noqa: E402

K_WAIT_S = 25  # the store probe runs after 5 s of quiet; a failing check retries for ~2 s
K_SCRAPE_LIMIT_S = 0.1
K_IDLE_CONNECTIONS = 20


def http_get(url: str, timeout: float = 2) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


def answered(url: str, status: int) -> tuple[int, str] | None:
    """The answer of a GET when it has `status`, else None (for wait_until)."""
    answer = http_get(url)
    return answer if answer[0] == status else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def non_loopback_address() -> str:
    """This machine's address on its default route (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only
        address = probe.getsockname()[0]
    if address.startswith("127."):
        raise h.PrerequisiteMissing("no non-loopback IPv4 address to test --metrics-address on")
    return address


def sample(metrics: str, series: str) -> float | None:
    for line in metrics.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return None


def request(widget: str, label: str, kind: str = "create") -> bytes:
    return json.dumps({"type": kind, "requestId": f"r-{label}", "widgetId": widget,
                       "owner": "Sue Smith", "label": label}).encode()


def widget_json(widget: str, label: str) -> dict:
    return {"widgetId": widget, "owner": "Sue Smith", "label": label}


def stored(*widgets: tuple[str, str]) -> dict[str, dict]:
    """The store's content for (widgetId, label) pairs owned by Sue Smith, by object key."""
    return {f"widgets/sue-smith/{widget}": widget_json(widget, label) for widget, label in widgets}


class ReadinessFollowsTheStore(h.ConsumerTestCase):
    def test_readyz_turns_503_while_the_store_is_down_and_200_when_it_is_back(self):
        moto = h.shared_moto().endpoint
        s3 = h.s3_client(moto)
        widgets = h.create_bucket(s3, "wc-wid")
        work = self.workdir()
        requests_dir = work.root / "requests"
        requests_dir.mkdir()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        with FaultProxy(moto, FaultConfig()) as proxy:
            consumer = self.start_consumer(
                ["--requests-dir", requests_dir, "-wb", widgets, "--metrics-port", port,
                 "--no-progress"] + work.log_dir_args(),
                work, h.consumer_env(work, AWS_ENDPOINT_URL_S3=proxy.endpoint))
            h.wait_until(lambda: http_get(base + "/readyz")[0] == 200, K_WAIT_S, 0.05,
                         "/readyz 200 at start")
            h.write_request_files(requests_dir, {"1000": request("w1", "one"),
                                                 "1001": request("w2", "two")})
            h.wait_until(lambda: h.bucket_key_count(s3, widgets) == 2, K_WAIT_S, 0.05,
                         "the first two widgets stored")

            proxy.configure(reset_before=1.0)  # every call to the store is cut off
            status, reason = h.wait_until(lambda: answered(base + "/readyz", 503), K_WAIT_S, 0.1,
                                          "/readyz 503 while the store is down")
            self.assertIn("store", reason)
            self.assertIn(widgets, reason, "the reason names the bucket")
            self.assertEqual(http_get(base + "/healthz"), (200, "ok\n"),
                             "the process is alive while its store is down")
            self.assertEqual(sample(http_get(base + "/metrics")[1], "widget_consumer_ready"), 0)

            proxy.configure(reset_before=0.0)
            h.wait_until(lambda: http_get(base + "/readyz")[0] == 200, K_WAIT_S, 0.1,
                         "/readyz 200 once the store is back")
            h.write_request_files(requests_dir, {"1002": request("w1", "one again", "update")})
            h.wait_until(lambda: not (requests_dir / "1002").exists(), K_WAIT_S, 0.05,
                         "the update applied")
            metrics = http_get(base + "/metrics")[1]
            consumer.send(signal.SIGTERM)
            result = consumer.wait(h.K_GRACEFUL_STOP_S)

        self.assert_exit(result, 0)
        self.assertEqual(sample(metrics, 'widget_consumer_requests_total{outcome="created"}'), 2)
        self.assertEqual(sample(metrics, 'widget_consumer_requests_total{outcome="updated"}'), 1)
        self.assertIn('widget_consumer_aws_request_duration_seconds_count{service="s3",'
                      'operation="PutObject"}', metrics)
        self.assert_s3_store(s3, widgets, stored(("w1", "one again"), ("w2", "two")))
        self.assertEqual(h.files_under(requests_dir), {})


class MetricsEndpoint(h.ConsumerTestCase):
    def start_idle_consumer(self, extra: list) -> tuple:
        work = self.workdir()
        port = free_port()
        requests_dir = work.root / "requests"
        h.write_request_files(requests_dir, {"1": request("w1", "one")})
        consumer = self.start_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", work.root / "store",
             "--metrics-port", port] + extra + work.log_dir_args(),
            work, h.consumer_env(work, key_id=None, secret=None))
        h.wait_until(lambda: http_get(f"http://127.0.0.1:{port}/readyz")[0] == 200, K_WAIT_S,
                     0.05, "/readyz 200")
        h.wait_until(lambda: not (requests_dir / "1").exists(), K_WAIT_S, 0.05, "request applied")
        return work, port, consumer

    def stop(self, consumer, work: h.Workdir) -> None:
        consumer.send(signal.SIGTERM)
        self.assert_exit(consumer.wait(h.K_GRACEFUL_STOP_S), 0)
        self.assert_directory_store(work.root / "store", stored(("w1", "one")))

    def test_scrape_answers_at_once_with_twenty_idle_connections_open(self):
        work, port, consumer = self.start_idle_consumer([])
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(K_IDLE_CONNECTIONS)]
        try:
            time.sleep(0.1)
            started = time.monotonic()
            status, text = http_get(f"http://127.0.0.1:{port}/metrics?from=test")
            elapsed = time.monotonic() - started
        finally:
            for connection in idle:
                connection.close()
        self.assertEqual(status, 200, text)
        self.assertLess(elapsed, K_SCRAPE_LIMIT_S, f"scrape took {elapsed * 1000:.1f} ms")
        self.assertEqual(sample(text, 'widget_consumer_requests_total{outcome="created"}'), 1)
        self.stop(consumer, work)

    def test_metrics_address_decides_who_can_connect(self):
        outside = non_loopback_address()
        work, port, consumer = self.start_idle_consumer([])
        self.assertEqual(http_get(f"http://{outside}:{port}/healthz")[0], 0,
                         "the default 127.0.0.1 must not be reachable from outside")
        self.stop(consumer, work)
        work, port, consumer = self.start_idle_consumer(["--metrics-address", "0.0.0.0"])
        self.assertEqual(http_get(f"http://{outside}:{port}/healthz"), (200, "ok\n"))
        self.stop(consumer, work)


class SettingsFromEnvironmentAndFile(h.ConsumerTestCase):
    def test_flag_beats_variable_beats_file_and_json_goes_to_the_console_only(self):
        work = self.workdir()
        requests_dir = work.root / "requests"
        h.write_request_files(requests_dir, {"1": request("w1", "one"),
                                             "2": request("w2", "two")})
        config = work.root / "consumer.toml"
        config.write_text(f'requests-dir = "{requests_dir}"\n'
                          f'widgets-dir = "{work.root / "from-file"}"\n'
                          'log-format = "text"\nno-log-file = true\nidle-timeout = 0.3\n'
                          f'dead-letter-dir = "{work.dead_letters}"\n')
        env = h.consumer_env(work, key_id=None, secret=None,
                             WIDGET_CONSUMER_CONFIG=str(config),
                             WIDGET_CONSUMER_WIDGETS_DIR=str(work.root / "from-variable"),
                             WIDGET_CONSUMER_LOG_FORMAT="json")
        result = h.run_consumer(["--widgets-dir", work.root / "from-flag"], work, env)

        self.assert_exit(result, 0)
        self.assert_directory_store(work.root / "from-flag", stored(("w1", "one"), ("w2", "two")))
        self.assertFalse((work.root / "from-variable").exists())
        self.assertFalse((work.root / "from-file").exists())
        lines = [json.loads(line) for line in result.stdout.splitlines()]  # JSON beat "text"
        outcomes = {line["key"]: line["outcome"] for line in lines if "outcome" in line}
        self.assertEqual(outcomes, {"1": "created", "2": "created"})
        self.assertFalse((work.cwd / "logs").exists(), "no-log-file from the file")
        self.assertFalse(work.logs.exists())
        self.assertEqual(h.files_under(requests_dir), {})

    def test_a_bad_variable_is_a_usage_error_that_names_it(self):
        work = self.workdir()
        env = h.consumer_env(work, key_id=None, secret=None,
                             WIDGET_CONSUMER_METRICS_ADDRESS="localhost")
        result = h.run_consumer(["--widgets-dir", work.root / "w", "--requests-dir",
                                 work.root / "r"], work, env)
        self.assert_exit(result, 2)
        self.assertIn("WIDGET_CONSUMER_METRICS_ADDRESS", result.stderr)
        self.assertFalse((work.root / "w").exists(), "nothing is touched on a usage error")


if __name__ == "__main__":
    unittest.main()
