"""A request bucket of 10,000+ keys (SPEC.md §3, §6): S3 lists at most 1000 keys a page, so the
consumer must page through (with continuation tokens) and still take every request exactly
once, in key order.

To keep the run short, most requests are updates of widgets that do not exist (two S3 calls
each, no store write, a WARNING each); every 25th request updates one of 20 real widgets, so a
page taken twice, skipped or out of order leaves a visibly wrong `last` attribute. The store is
the local directory; the requests go through the fault proxy (no faults) to count the listing
calls."""

import json
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import wc_harness as h  # noqa: E402
from fault_proxy import FaultConfig  # noqa: E402
from reliability_case import ReliabilityTestCase, upload_in_parallel, visible_files  # noqa: E402
from workloads import CONCURRENT_ONLY, K_FIRST_KEY, Workload  # noqa: E402

K_REQUESTS = 10_050
K_REAL_WIDGETS = 20
K_EVERY = 25
K_PAGE = 1000
OWNER = "Many Keys"


def large_workload() -> Workload:
    requests = {}
    for n in range(K_REAL_WIDGETS):
        requests[str(K_FIRST_KEY + n)] = json.dumps(
            {"type": "create", "requestId": f"c{n}", "widgetId": f"real-{n:02d}", "owner": OWNER,
             "label": "new", "otherAttributes": [{"name": "last", "value": "created"}]}).encode()
    for n in range(K_REAL_WIDGETS, K_REQUESTS):
        if n % K_EVERY == 0:
            body = {"type": "update", "requestId": f"u{n}",
                    "widgetId": f"real-{(n // K_EVERY) % K_REAL_WIDGETS:02d}", "owner": OWNER,
                    "otherAttributes": [{"name": "last", "value": str(n)}]}
        else:
            body = {"type": "update", "requestId": f"g{n}", "widgetId": f"ghost-{n}",
                    "owner": OWNER, "label": "never stored"}
        requests[str(K_FIRST_KEY + n)] = json.dumps(body).encode()
    workload = Workload(requests, {})
    workload.widgets = workload.expected_after(requests)
    return workload


class TenThousandKeys(ReliabilityTestCase):
    @classmethod
    def setUpClass(cls):
        # A moto of its own: 20,000 uploads and as many consumer calls would otherwise slow
        # down every module sharing the common one (moto serves one call at a time).
        cls.moto = h.MotoServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def test_every_request_of_a_10050_key_bucket_is_taken_once_in_order(self):
        workload = large_workload()
        moto = self.moto.endpoint
        s3 = h.s3_client(moto)
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                work = self.workdir()
                requests = h.create_bucket(s3, "wc-many-req")
                started = time.monotonic()
                upload_in_parallel(moto, requests, workload.requests)
                uploaded = time.monotonic() - started
                self.assertEqual(len(h.bucket_keys(s3, requests)), K_REQUESTS)
                proxy = self.start_proxy(moto, FaultConfig())
                store = work.root / "store"
                result = h.run_consumer(
                    ["-rb", requests, "--widgets-dir", store, *h.idle_timeout_args(),
                     "--endpoint-url", proxy.endpoint, *extra] + work.log_dir_args(),
                    work, h.consumer_env(work), timeout=1200)

                self.assert_exit(result, 0)
                self.assert_widgets_equal(self.parse_widgets(visible_files(store), "store"),
                                          workload.widgets, "store after 10,050 requests")
                self.assertEqual(h.bucket_keys(s3, requests), [], "requests left behind")
                self.assert_each_request_logged_once_in_order(work.logs, list(workload.requests))
                # It runs for longer than the 5 s between progress lines.
                progress = self.assert_progress_lines(work.logs)
                self.assertLessEqual(max(int(p["done"]) for p in progress), K_REQUESTS)
                lists = proxy.snapshot()["calls"].get("ListObjectsV2", 0)
                self.assertGreaterEqual(lists, K_REQUESTS // K_PAGE + 1,
                                        f"only {lists} listing calls for {K_REQUESTS} keys")
                print(f"\n  {K_REQUESTS} keys {' '.join(extra)}: uploaded in {uploaded:.0f} s, "
                      f"consumed in {result.elapsed:.0f} s with {lists} listing calls",
                      file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
