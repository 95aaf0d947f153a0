"""Operator mistakes (issue 13, items 1, 2 and 11; SPEC.md §2): places that overlap and bad flag
values are usage errors, exit 2 with one line on stderr naming the flags at fault, and nothing is
touched: the request source keeps every request, the store and dead-letter place stay as they
were, no log or dead-letter directory is made. A bucket in another region is named with its
region, not as an HTTP code.

The overlap cases run against real places: buckets and queues of the shared moto, directories
reached through symbolic links."""

import json
import os
import re
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import sqs_harness as sq  # noqa: E402
import wc_harness as h  # noqa: E402
from fault_proxy import FaultConfig  # noqa: E402
from reliability_case import ReliabilityTestCase  # noqa: E402

OWNER = "Operator Mistake"


def requests_of(count: int) -> dict[str, bytes]:
    """`count` valid creates under 13-digit keys, and one invalid request among them: a run
    that touched the source would dead-letter it."""
    requests = {f"16000000000{i:02d}": json.dumps(
        {"type": "create", "requestId": f"r{i}", "widgetId": f"w{i}", "owner": OWNER}).encode()
        for i in range(count)}
    requests["1600000000099"] = b"not JSON at all"
    return requests


class UsageErrorCase(ReliabilityTestCase):
    @classmethod
    def setUpClass(cls):
        cls.endpoint = h.shared_moto().endpoint
        cls.s3 = h.s3_client(cls.endpoint)

    def run_refused(self, args: list, work: h.Workdir, cwd_files_before=None) -> str:
        """Runs the consumer, asserts exit 2, one stderr line, no log or dead-letter directory
        made in the working directory; returns the line."""
        before = sorted(os.listdir(work.cwd)) if cwd_files_before is None else cwd_files_before
        result = h.run_consumer([str(a) for a in args], work,
                                h.consumer_env(work, AWS_ENDPOINT_URL=self.endpoint), timeout=30)
        self.assert_exit(result, 2)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, "stderr should be exactly one line" + result.describe())
        self.assertEqual(result.stdout, "", "a usage error printed to stdout")
        self.assertEqual(sorted(os.listdir(work.cwd)), before,
                         "a usage error created files in the working directory")
        self.assertFalse(work.logs.exists() or work.dead_letters.exists())
        return lines[0]

    def bucket_with_requests(self, prefix: str, requests: dict[str, bytes]) -> str:
        bucket = h.create_bucket(self.s3, prefix)
        h.upload_requests(self.s3, bucket, requests)
        return bucket

    def assert_bucket_holds(self, bucket: str, objects: dict[str, bytes]) -> None:
        held = {key: obj.body for key, obj in h.read_bucket(self.s3, bucket).items()}
        self.assertEqual(held, objects, f"bucket {bucket} changed")


class PlacesNeverOverlap(UsageErrorCase):
    def test_store_bucket_that_is_the_request_bucket_is_refused_and_nothing_wiped(self):
        """Item 1: -ss S3 -rb X -wb X used to read every widget back as a request and delete it."""
        requests = requests_of(3)
        existing = {"widgets/operator-mistake/old": b'{"widgetId":"old","owner":"Operator Mistake"}'}
        bucket = self.bucket_with_requests("wc-overlap", {**requests, **existing})
        work = self.workdir()
        line = self.run_refused(["-ss", "S3", "-rb", bucket, "-wb", bucket, "--idle-timeout", "0.5"]
                                + work.log_dir_args(), work)
        self.assertIn("-rb/--source", line)
        self.assertIn("-wb/--target", line)
        self.assertIn("same bucket", line)
        self.assert_bucket_holds(bucket, {**requests, **existing})

    def test_dead_letter_bucket_that_is_the_request_bucket_is_refused(self):
        """Item 2: rejected requests used to be written back into the source, forever."""
        requests = requests_of(2)
        bucket = self.bucket_with_requests("wc-overlap", requests)
        widgets = h.create_bucket(self.s3, "wc-overlap-wid")
        work = self.workdir()
        line = self.run_refused(["-rb", bucket, "-wb", widgets, "--dead-letter-bucket", bucket,
                                 "--idle-timeout", "0.5", "--log-dir", work.logs], work)
        self.assertIn("-rb/--source", line)
        self.assertIn("--dead-letter-bucket", line)
        self.assert_bucket_holds(bucket, requests)
        self.assertEqual(h.bucket_keys(self.s3, widgets), [])

    def test_dead_letter_queue_given_by_url_that_is_the_request_queue_by_name_is_refused(self):
        sqs = sq.sqs_client(self.endpoint)
        name, url = sq.create_queue(sqs, "wc-overlap")
        requests = requests_of(2)
        sq.send_in_order(sqs, url, {k: v for k, v in requests.items() if v.startswith(b"{")})
        widgets = h.create_bucket(self.s3, "wc-overlap-wid")
        work = self.workdir()
        line = self.run_refused(["-rq", name, "-wb", widgets, "--dead-letter-queue", url,
                                 "--idle-timeout", "0.5", "--log-dir", work.logs], work)
        self.assertIn("-rq/--request-queue", line)
        self.assertIn("--dead-letter-queue", line)
        self.assertIn(f"same queue '{name}'", line)
        visible = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        self.assertEqual(int(visible["ApproximateNumberOfMessages"]), 2,
                         "messages were received or deleted")
        self.assertEqual(h.bucket_keys(self.s3, widgets), [])

    def test_store_directory_reached_through_a_symlink_into_the_requests_is_refused(self):
        work = self.workdir()
        requests_dir = work.root / "requests"
        requests = requests_of(3)
        h.write_request_files(requests_dir, requests)
        (work.root / "store-link").symlink_to(requests_dir / "store", target_is_directory=True)
        line = self.run_refused(["--requests-dir", requests_dir, "--widgets-dir",
                                 work.root / "store-link", "--idle-timeout", "0.5"]
                                + work.log_dir_args(), work)
        self.assertIn("--requests-dir", line)
        self.assertIn("--widgets-dir", line)
        self.assertIn(f"{requests_dir.resolve()}/store is inside {requests_dir.resolve()}", line)
        self.assertEqual(h.files_under(requests_dir), requests, "request files were touched")
        self.assertFalse((requests_dir / "store").exists())

    def test_requests_in_the_working_directory_overlap_the_default_dead_letter_directory(self):
        """`--requests-dir .` puts the default dead-letters/ and logs/ inside the source."""
        work = self.workdir()
        requests = requests_of(2)
        h.write_request_files(work.cwd, requests)
        line = self.run_refused(["--requests-dir", ".", "--widgets-dir", work.root / "store",
                                 "--idle-timeout", "0.5"], work)
        self.assertIn("--requests-dir '.'", line)
        self.assertIn("--dead-letter-dir 'dead-letters' (the default)", line)
        self.assertEqual(h.files_under(work.cwd), requests, "request files were touched")
        self.assertFalse((work.root / "store").exists())

    def test_dead_letter_directory_not_yet_made_inside_the_requests_is_refused(self):
        work = self.workdir()
        requests_dir = work.root / "requests"
        requests = requests_of(2)
        h.write_request_files(requests_dir, requests)
        line = self.run_refused(["--requests-dir", requests_dir, "--widgets-dir",
                                 work.root / "store", "--dead-letter-dir",
                                 work.root / "store" / ".." / "requests" / "new" / "dead",
                                 "--log-dir", work.logs, "--idle-timeout", "0.5"], work)
        self.assertIn("--dead-letter-dir", line)
        self.assertEqual(h.files_under(requests_dir), requests, "request files were touched")
        self.assertFalse((requests_dir / "new").exists())


# name: (arguments, text the one stderr line must contain). REQ and WID become real buckets.
BAD_VALUES = {
    "empty_endpoint_url": (["--endpoint-url", ""], "--endpoint-url: is empty"),
    "endpoint_url_without_scheme": (["--endpoint-url", "127.0.0.1:9"],
                                    "write http://127.0.0.1:9 or https://127.0.0.1:9"),
    "ftp_endpoint_url": (["--endpoint-url", "ftp://127.0.0.1:9"],
                         "only http:// and https:// are supported"),
    "idle_timeout_nan": (["--idle-timeout", "nan"], "--idle-timeout: 'nan' is not a number"),
    "idle_timeout_inf": (["--idle-timeout", "inf"], "--idle-timeout: inf is out of range"),
    "idle_timeout_below_a_millisecond": (["--idle-timeout", "0.0004"],
                                         "below the 1 ms resolution"),
    "idle_timeout_not_a_number": (["--idle-timeout", "abc"],
                                  "--idle-timeout: 'abc' is not a number"),
    "max_runtime_huge": (["--max-runtime", "1e400"],
                         "--max-runtime: 1e400 is out of range: give 0 (never) or 0.001 to "
                         "1000000000 seconds"),
    "queue_wait_not_a_number": (["--queue-wait", "soon"], "'soon' is not a whole number"),
    "version_with_a_bogus_flag": (["--version", "--bogus"], "--bogus"),
}


class BadValuesAreUsageErrors(UsageErrorCase):
    def check_bad_value(self, args: list, expected: str) -> None:
        requests = requests_of(2)
        bucket = self.bucket_with_requests("wc-values", requests)
        widgets = h.create_bucket(self.s3, "wc-values-wid")
        work = self.workdir()
        line = self.run_refused(["-rb", bucket, "-wb", widgets, *args], work)
        self.assertIn(expected, line)
        self.assertLess(len(line), 400, "the line is not short")
        self.assert_bucket_holds(bucket, requests)
        self.assertEqual(h.bucket_keys(self.s3, widgets), [])

    def test_help_lists_no_progress_without_a_default_marker(self):
        work = self.workdir()
        result = h.run_consumer(["--help"], work, h.consumer_env(work), timeout=30)
        self.assert_exit(result, 0)
        self.assertRegex(result.stdout, r"\n\s*--no-progress\s")
        self.assertNotIn("{false}", result.stdout)


def _add_bad_value_test(name: str, args: list, expected: str) -> None:
    def test(self):
        self.check_bad_value(args, expected)
    test.__name__ = f"test_{name}_is_a_usage_error"
    setattr(BadValuesAreUsageErrors, test.__name__, test)


for _name, (_args, _expected) in BAD_VALUES.items():
    _add_bad_value_test(_name, _args, _expected)


class BucketInAnotherRegion(UsageErrorCase):
    def test_the_error_names_the_buckets_region_and_the_flag_to_run_with(self):
        """S3 answers 301 with x-amz-bucket-region (played by the proxy for the store bucket);
        the consumer stops with exit 1 naming the bucket, its region and --region."""
        requests = requests_of(2)
        bucket = self.bucket_with_requests("wc-region", requests)
        widgets = h.create_bucket(self.s3, "wc-region-wid")
        proxy = self.start_proxy(self.endpoint, FaultConfig(
            wrong_region=1.0, bucket_region="ap-southeast-2", match=re.escape(f"/{widgets}")))
        work = self.workdir()
        result = h.run_consumer(["-rb", bucket, "-wb", widgets, "--idle-timeout", "0.5",
                                 "--endpoint-url", proxy.endpoint] + work.log_dir_args(),
                                work, h.consumer_env(work), timeout=60)
        self.assert_exit(result, 1)
        line = next((l for l in result.output.splitlines() if widgets in l and "region" in l), "")
        self.assertIn("the bucket is in region ap-southeast-2, not us-east-1", line,
                      result.describe())
        self.assertIn("--region ap-southeast-2", line)
        self.assertNotIn("Http301", result.output)
        self.assert_bucket_holds(bucket, requests)
        self.assertEqual(h.files_under(work.dead_letters), {})


if __name__ == "__main__":
    unittest.main()
