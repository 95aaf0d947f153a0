"""The DynamoDB store behind the fault-injecting proxy at 10% and 30% of its calls failing
(503, 500, 400 ThrottlingException / ProvisionedThroughputExceededException, resets before and
after the call reached the server, slow answers, truncated bodies), against moto and DynamoDB
Local: the table ends exactly as the serial application of the requests, the retries show in
the log, no request is lost, none applied twice or out of order (SPEC.md §5, §6).

The requests live in moto's S3, reached directly; only the DynamoDB calls cross the proxy."""

import json
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import dynamodb_harness as dh  # noqa: E402
import wc_harness as h  # noqa: E402
from fault_proxy import FaultConfig  # noqa: E402
from reliability_case import ReliabilityTestCase  # noqa: E402
from workloads import CONCURRENT_ONLY, ordered_workload  # noqa: E402

# Answers the client always sees as one failed attempt, each to be followed by a retry.
K_VISIBLE_HTTP_FAULTS = ("slowdown", "internal", "throttle")


def as_items(widgets: dict[str, dict]) -> dict[str, dict[str, str]]:
    """Widgets in the S3 layout as the DynamoDB layout stores them (SPEC §5): by id, every
    other attribute a top-level string attribute."""
    items = {}
    for widget in widgets.values():
        item = {"id": widget["widgetId"], "owner": widget["owner"]}
        for name in ("label", "description"):
            if name in widget:
                item[name] = widget[name]
        for attribute in widget.get("otherAttributes", []):
            item[attribute["name"]] = attribute["value"]
        items[widget["widgetId"]] = item
    return items


def expected_dynamodb(name: str) -> tuple[dict, list[str]]:
    expected = json.loads((h.conformance_dir() / f"{name}.expected.json").read_text())
    return expected["dynamodb"]["widgets"], list(expected["dynamodb"]["rejected"])


class FaultCases:
    server = ""

    def survive(self, requests: dict[str, bytes], items: dict, rejected: list[str],
                rate: float, seed: int) -> None:
        """At concurrency 32 (test_faults_s3 runs the order-sensitive workload at 1 as well:
        the order of a run does not depend on the store)."""
        s3_endpoint = h.shared_moto().endpoint
        s3 = h.s3_client(s3_endpoint)
        dynamodb = dh.dynamodb_client(dh.SERVERS[self.server]())
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                request_bucket = h.create_bucket(s3, "wc-dfault-req")
                table = dh.create_table(dynamodb)
                h.upload_requests(s3, request_bucket, requests)
                work = self.workdir()
                proxy = self.start_proxy(dh.SERVERS[self.server](),
                                         FaultConfig.even(rate, seed=seed, slow_delay=0.2))
                result = h.run_consumer(
                    dh.consumer_args(request_bucket, table, work) + extra,
                    work, dh.consumer_env(work, s3_endpoint, proxy.endpoint), timeout=600)
                stats = proxy.snapshot()
                context = f"\nproxy: {json.dumps(stats)}" + result.describe()

                self.assertEqual(result.returncode, 0, "expected exit 0" + context)
                self.assert_widgets_equal(dh.read_table(dynamodb, table), items,
                                          f"table {table} after {rate:.0%} faults")
                self.assertEqual(h.bucket_keys(s3, request_bucket), [], "requests left behind")
                self.assert_dead_letters(work.dead_letters, rejected, requests)
                self.assert_each_request_logged_once_in_order(work.logs, list(requests))
                retries = self.assert_faults_injected_and_retried(
                    stats, rate, work.logs, K_VISIBLE_HTTP_FAULTS, context)
                print(f"\n  DynamoDB ({self.server}) {rate:.0%} faults {' '.join(extra)}: "
                      f"{stats['injected_total']} of {stats['requests']} calls failed "
                      f"{json.dumps(stats['injected'])}; {len(retries)} retries logged; "
                      f"{result.elapsed:.1f} s", file=sys.stderr)

    def test_producer_set_survives_10_percent_faults(self):
        data = h.load_conformance("producer-2021")
        items, rejected = expected_dynamodb("producer-2021")
        self.survive(data.requests, items, rejected, 0.10, 110)

    def test_official_set_with_rejections_survives_30_percent_faults(self):
        data = h.load_conformance("hw6-official")
        items, rejected = expected_dynamodb("hw6-official")
        self.survive(data.requests, items, rejected, 0.30, 130)

    def test_many_updates_to_few_widgets_stay_in_order_under_30_percent_faults(self):
        workload = ordered_workload(250, widgets=5, seed=131)
        self.survive(workload.requests, as_items(workload.widgets), [], 0.30, 131)


class FaultsOnMoto(FaultCases, ReliabilityTestCase):
    server = "moto"


class FaultsOnDynamoDbLocal(FaultCases, ReliabilityTestCase):
    server = "dynamodb-local"


if __name__ == "__main__":
    unittest.main()
