"""The S3 store behind a fault-injecting proxy (tests/fault/fault_proxy.py) at 10% and 30% of
calls failing (503 SlowDown, 500, 429, connections reset before and after the call reached the
server, slow answers, truncated bodies): the store ends exactly as the serial application of the
requests, the retries show in the log, no request is lost, none applied twice or out of order,
and a request the store refuses for good is dead-lettered after bounded attempts (SPEC.md §6).
The order-sensitive workload runs at concurrency 1 and 32; the conformance sets at 32.

Requests are uploaded and results read directly from moto; only the consumer's calls go through
the proxy, so every fault lands on the consumer."""

import json
import sys
import unittest
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import wc_harness as h  # noqa: E402
from fault_proxy import FaultConfig  # noqa: E402
from reliability_case import ReliabilityTestCase  # noqa: E402
from workloads import CONCURRENT_ONLY, ordered_workload  # noqa: E402

K_SLOW_DELAY_S = 0.2
# Some 27 requests per widget: at concurrency 1 under 30 % faults, 300 took 30 s.
K_ORDERED_REQUESTS = 160
# Faults the client always sees as one failed attempt: each must be followed by a retry.
K_VISIBLE_HTTP_FAULTS = ("slowdown", "internal", "throttle")


class TransientFaultsOnTheS3Store(ReliabilityTestCase):
    def setUp(self):
        self.moto = h.shared_moto().endpoint
        self.s3 = h.s3_client(self.moto)

    def run_through_faults(self, requests: dict[str, bytes], rate: float, seed: int,
                           extra: list[str]):
        """Uploads `requests`, runs the consumer through a proxy failing `rate` of its calls,
        and returns (result, proxy stats, workdir, request bucket, widget bucket)."""
        request_bucket = h.create_bucket(self.s3, "wc-fault-req")
        widget_bucket = h.create_bucket(self.s3, "wc-fault-wid")
        h.upload_requests(self.s3, request_bucket, requests)
        work = self.workdir()
        proxy = self.start_proxy(self.moto, FaultConfig.even(rate, seed=seed,
                                                             slow_delay=K_SLOW_DELAY_S))
        result = h.run_consumer(
            ["-ss", "S3", "-rb", request_bucket, "-wb", widget_bucket, *h.idle_timeout_args(),
             "--endpoint-url", proxy.endpoint, *extra] + work.log_dir_args(),
            work, h.consumer_env(work), timeout=600)
        return result, proxy.snapshot(), work, request_bucket, widget_bucket

    def assert_survived(self, requests: dict[str, bytes], expected: dict[str, dict],
                        rejected: list[str], rate: float, seed: int, extra: list[str]):
        result, stats, work, request_bucket, widget_bucket = self.run_through_faults(
            requests, rate, seed, extra)
        context = f"\nproxy: {json.dumps(stats)}" + result.describe()
        self.assertEqual(result.returncode, 0, "expected exit 0" + context)
        self.assert_s3_store(self.s3, widget_bucket, expected)
        self.assertEqual(h.bucket_keys(self.s3, request_bucket), [], "requests left behind")
        self.assert_dead_letters(work.dead_letters, rejected, requests)
        self.assert_each_request_logged_once_in_order(work.logs, list(requests))

        retries = self.assert_faults_injected_and_retried(stats, rate, work.logs,
                                                          K_VISIBLE_HTTP_FAULTS, context)
        self.assertEqual(self.summary_retries(work.logs), len(retries),
                         "the closing summary's retry count differs from the retry lines")
        print(f"\n  {rate:.0%} faults{' ' + ' '.join(extra) if extra else ''}: "
              f"{stats['injected_total']} of {stats['requests']} calls failed "
              f"{json.dumps(stats['injected'])}; {len(retries)} retries logged; "
              f"{result.elapsed:.1f} s", file=sys.stderr)
        return stats, len(retries)

    def test_producer_set_survives_10_percent_faults(self):
        data = h.load_conformance("producer-2021")
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                self.assert_survived(data.requests, data.widgets, data.rejected, 0.10, 10, extra)

    def test_producer_set_survives_30_percent_faults(self):
        data = h.load_conformance("producer-2021")
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                self.assert_survived(data.requests, data.widgets, data.rejected, 0.30, 30, extra)

    def test_official_set_with_rejections_survives_30_percent_faults(self):
        data = h.load_conformance("hw6-official")
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                self.assert_survived(data.requests, data.widgets, data.rejected, 0.30, 31, extra)

    def test_many_updates_to_few_widgets_stay_in_order_under_30_percent_faults(self):
        workload = ordered_workload(K_ORDERED_REQUESTS, widgets=6, seed=32)
        for extra in self.variants():
            with self.subTest(args=extra):
                self.assert_survived(workload.requests, workload.widgets, [], 0.30, 32, extra)


def lone_create(data: h.ConformanceSet) -> tuple[str, str, str]:
    """(request key, widgetId, store key) of a create that is the only request for its widget
    and whose widget is in the final store."""
    bodies = {key: json.loads(body) for key, body in data.requests.items() if body.strip()}
    per_widget = Counter(body.get("widgetId") for body in bodies.values())
    for key, body in bodies.items():
        widget_id = body.get("widgetId")
        store_key = f"widgets/{body.get('owner', '').replace(' ', '-').lower()}/{widget_id}"
        if body.get("type") == "create" and per_widget[widget_id] == 1 and store_key in data.widgets:
            return key, widget_id, store_key
    raise AssertionError(f"{data.name} has no lone create to refuse")


class PermanentlyRefusedWrite(ReliabilityTestCase):
    """The store refuses one request's write for good (400, not transient): that request is
    dead-lettered with the store's error after a bounded number of calls, and the others go on."""

    def test_refused_write_is_dead_lettered_after_bounded_attempts_and_the_rest_applied(self):
        data = h.load_conformance("producer-2021")
        key, widget_id, store_key = lone_create(data)
        moto = h.shared_moto().endpoint
        s3 = h.s3_client(moto)
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                request_bucket = h.create_bucket(s3, "wc-refuse-req")
                widget_bucket = h.create_bucket(s3, "wc-refuse-wid")
                h.upload_requests(s3, request_bucket, data.requests)
                work = self.workdir()
                proxy = self.start_proxy(moto, FaultConfig(
                    bad_request=1.0, match=rf"^PUT /{widget_bucket}/.*{widget_id}"))
                result = h.run_consumer(
                    ["-ss", "S3", "-rb", request_bucket, "-wb", widget_bucket,
                     *h.idle_timeout_args(), "--endpoint-url", proxy.endpoint, *extra]
                    + work.log_dir_args(), work, h.consumer_env(work), timeout=300)

                self.assert_exit(result, 0)
                expected = {k: v for k, v in data.widgets.items() if k != store_key}
                self.assert_s3_store(s3, widget_bucket, expected)
                self.assertEqual(h.bucket_keys(s3, request_bucket), [])
                self.assert_dead_letters(work.dead_letters, [key], data.requests)
                record = json.loads((work.dead_letters / f"{key}.error.json").read_bytes())
                self.assertIn("InvalidArgument", json.dumps(record),
                              "the dead letter does not carry the store's error")
                refused_calls = [r for r in proxy.log() if r["fault"] == "bad_request"]
                self.assertGreaterEqual(len(refused_calls), 1)
                self.assertLessEqual(len(refused_calls), 5,
                                     "a permanently refused write was retried like a transient"
                                     f" one: {len(refused_calls)} calls")
                self.assertEqual(self.retry_lines(work.logs), [],
                                 "a 400 InvalidArgument must not be retried by the AWS layer")


if __name__ == "__main__":
    unittest.main()
