"""Permanent errors (SPEC.md §2, §6): when nothing can succeed, the consumer stops with exit 1
and a message naming the operation, the resource and the cause, leaves the requests in place,
dead-letters nothing, and does not hammer the service on the way out.

 * AccessDenied: moto checking signatures and IAM policies (INITIAL_NO_AUTH_ACTION_COUNT), a
   user allowed everything except PutObject on the widget bucket (or DeleteObject on the
   request bucket).
 * A bucket deleted while the consumer runs.

Every consumer call goes through the fault proxy with no faults, only to count the calls."""

import json
import re
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import boto3  # noqa: E402

import wc_harness as h  # noqa: E402
from fault_proxy import FaultConfig  # noqa: E402
from reliability_case import ReliabilityTestCase, upload_in_parallel  # noqa: E402
from workloads import concurrency_of, ordered_workload  # noqa: E402

DENIED = re.compile(r"AccessDenied|access denied|not authorized", re.I)
DOES_NOT_EXIST = re.compile(r"NoSuchBucket|does not exist|no such bucket", re.I)
# A consumer that gives up at once tries each request in flight once (up to its concurrency)
# and makes a few more calls on its way out; a retry storm makes many per request.
K_MAX_CALLS_PER_DENIED_RESOURCE = 1
# A denied removal is tried in a DeleteObjects batch, then once on its own.
K_MAX_REMOVALS_PER_DENIED_KEY = 2
K_CALLS_PER_REQUEST_IN_FLIGHT = 4
K_CALLS_ON_THE_WAY_OUT = 10
K_REQUESTS_WHILE_DELETING = 300
K_SLOW_DELAY_S = 0.03


def restricted_user(admin_iam, name: str, deny_action: str, deny_resource: str) -> tuple:
    """An IAM user allowed all of S3 except `deny_action` on `deny_resource`: (key, secret)."""
    admin_iam.create_user(UserName=name)
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": deny_action, "Resource": deny_resource}]}
    admin_iam.put_user_policy(UserName=name, PolicyName="almost-everything",
                              PolicyDocument=json.dumps(policy))
    key = admin_iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


class AccessDeniedOnTheStore(ReliabilityTestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = h.MotoServer(auth_after=h.IAM_SETUP_CALLS).start()
        cls.admin_key, cls.admin_secret = h.iam_user_with_key(cls.moto.endpoint, "wc-admin")
        cls.s3 = h.s3_client(cls.moto.endpoint, cls.admin_key, cls.admin_secret)
        cls.iam = boto3.client("iam", endpoint_url=cls.moto.endpoint, region_name=h.TEST_REGION,
                               aws_access_key_id=cls.admin_key,
                               aws_secret_access_key=cls.admin_secret)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def prepare(self):
        """Fresh buckets for each run (each concurrency variant)."""
        self.data = h.load_conformance("hw6-official")
        self.requests = h.create_bucket(self.s3, "wc-deny-req")
        self.widgets = h.create_bucket(self.s3, "wc-deny-wid")
        h.upload_requests(self.s3, self.requests, self.data.requests)

    def run_as(self, key_id: str, secret: str, extra: list[str]):
        work = self.workdir()
        proxy = self.start_proxy(self.moto.endpoint, FaultConfig())
        result = h.run_consumer(
            ["-ss", "S3", "-rb", self.requests, "-wb", self.widgets, *h.idle_timeout_args(),
             "--endpoint-url", proxy.endpoint, *extra] + work.log_dir_args(),
            work, h.consumer_env(work, key_id=key_id, secret=secret), timeout=120)
        return result, proxy, work

    def assert_stopped_naming(self, result, operation: str, bucket: str) -> None:
        self.assert_exit(result, 1)
        error_lines = [line for line in result.output.splitlines() if operation in line]
        self.assertTrue(any(bucket in line and DENIED.search(line) for line in error_lines),
                        f"no line names {operation}, bucket {bucket} and the denial"
                        + result.describe())

    def assert_requests_untouched(self, work) -> None:
        """Every request that needs the store is still there, unchanged. Only a request that
        is invalid anyway (rejected without the store) may have been dead-lettered and
        removed meanwhile, by a worker that ran beside the refused one."""
        left = {key: obj.body for key, obj in h.read_bucket(self.s3, self.requests).items()}
        gone = sorted(set(self.data.requests) - set(left))
        self.assertEqual(sorted(set(gone) - set(self.data.rejected)), [],
                         "requests that need the store were removed")
        self.assertEqual(left, {k: self.data.requests[k] for k in left}, "requests changed")
        dead = h.files_under(work.dead_letters)
        self.assertEqual(sorted(name for name in dead if not name.endswith(".error.json")),
                         gone, "dead letters other than the rejected requests that were removed")

    def assert_no_retry_storm(self, proxy, operation: str, bucket: str, extra) -> None:
        """Each denied resource was tried once, and no more were tried than run at once."""
        calls = [r["key"] for r in proxy.log()
                 if r["operation"] == operation and r.get("bucket") == bucket]
        self.assertGreaterEqual(len(calls), 1, f"{operation} was never tried")
        most = max(calls.count(key) for key in set(calls))
        self.assertLessEqual(most, K_MAX_CALLS_PER_DENIED_RESOURCE,
                             f"retry storm: one object got {most} denied {operation} calls")
        self.assertLessEqual(len(calls), concurrency_of(extra),
                             f"{len(calls)} denied {operation} calls: requests went on being "
                             "started after the first denial")

    def test_denied_widget_writes_stop_the_consumer_with_exit_1_and_leave_the_requests(self):
        for extra in self.variants():
            with self.subTest(args=extra):
                self.prepare()
                key_id, secret = restricted_user(
                    self.iam, h.fresh_name("no-put"), "s3:PutObject",
                    f"arn:aws:s3:::{self.widgets}/*")
                result, proxy, work = self.run_as(key_id, secret, extra)

                self.assert_stopped_naming(result, "PutObject", self.widgets)
                self.assert_requests_untouched(work)
                self.assertEqual(h.bucket_keys(self.s3, self.widgets), [])
                self.assert_no_retry_storm(proxy, "PutObject", self.widgets, extra)
                self.assertEqual(self.retry_lines(work.logs), [], "AccessDenied was retried")
                self.assert_secret_absent(secret, result.output, log_dir=work.logs)

    def test_denied_request_removal_stops_the_consumer_with_exit_1(self):
        """Requests are applied but cannot be removed: going on could let a replay undo later
        state, so the consumer stops; the requests stay for a later run. S3 refuses each key
        of a DeleteObjects separately; moto's IAM skips that call, so the proxy plays S3."""
        for extra in self.variants():
            with self.subTest(args=extra):
                self.prepare()
                work = self.workdir()
                proxy = self.start_proxy(self.moto.endpoint, FaultConfig(
                    deny=1.0, match=rf"^(DELETE /{self.requests}/|POST /{self.requests}/?\?delete)"))
                result = h.run_consumer(
                    ["-ss", "S3", "-rb", self.requests, "-wb", self.widgets,
                     *h.idle_timeout_args(), "--endpoint-url", proxy.endpoint, *extra]
                    + work.log_dir_args(),
                    work, h.consumer_env(work, key_id=self.admin_key, secret=self.admin_secret),
                    timeout=120)

                self.assert_exit(result, 1)
                self.assertTrue(any(self.requests in line and DENIED.search(line)
                                    for line in result.output.splitlines()),
                                "no line names the request bucket and the denial"
                                + result.describe())
                left = {k: o.body for k, o in h.read_bucket(self.s3, self.requests).items()}
                self.assertEqual(left, self.data.requests, "a request was removed or changed")
                tries = [key for r in proxy.log() if r["fault"] == "deny"
                         for key in r.get("keys", [r["key"]])]
                self.assertGreaterEqual(len(tries), 1, "no removal was tried")
                most = max(tries.count(key) for key in set(tries))
                self.assertLessEqual(most, K_MAX_REMOVALS_PER_DENIED_KEY,
                                     f"retry storm: one request's removal was denied {most} times")
                self.assertEqual(self.retry_lines(work.logs), [], "AccessDenied was retried")


def empty_and_delete_bucket(s3, bucket: str, timeout: float = 30) -> None:
    """Deletes a bucket the consumer may still be writing to (it must be empty to go)."""
    deadline = time.monotonic() + timeout
    while True:
        keys = h.bucket_keys(s3, bucket)
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
        try:
            s3.delete_bucket(Bucket=bucket)
            return
        except s3.exceptions.ClientError as error:
            if time.monotonic() > deadline:
                raise AssertionError(f"could not delete bucket {bucket}: {error}") from error


class BucketDeletedWhileRunning(ReliabilityTestCase):
    def setUp(self):
        self.moto = h.shared_moto().endpoint
        self.s3 = h.s3_client(self.moto)

    def prepare(self):
        """Fresh buckets for each run (each concurrency variant), and enough requests that a
        consumer at concurrency 32 still has work when the bucket goes."""
        self.workload = ordered_workload(K_REQUESTS_WHILE_DELETING, widgets=300, seed=7)
        self.requests = h.create_bucket(self.s3, "wc-gone-req")
        self.widgets = h.create_bucket(self.s3, "wc-gone-wid")
        upload_in_parallel(self.moto, self.requests, self.workload.requests)

    def start_slowed(self, extra: list[str]):
        """The consumer through a proxy that delays every answer, so a run lasts long enough
        to pull a bucket from under it."""
        work = self.workdir()
        proxy = self.start_proxy(self.moto, FaultConfig(slow=1.0, slow_delay=K_SLOW_DELAY_S))
        consumer = self.start_consumer(
            ["-ss", "S3", "-rb", self.requests, "-wb", self.widgets,
             "--endpoint-url", proxy.endpoint, *extra] + work.log_dir_args(),
            work, h.consumer_env(work))
        total = len(self.workload.requests)
        h.wait_until(lambda: not consumer.running()
                     or h.bucket_key_count(self.s3, self.requests) <= total - 10,
                     timeout=60, what="ten requests done")
        self.assertTrue(consumer.running(), "stopped early" + consumer.result().describe())
        return consumer, proxy, work

    def delete_under_load(self, proxy, bucket: str) -> None:
        """Holds the consumer's calls to `bucket` back while it is emptied and deleted (a busy
        consumer would otherwise refill it faster than it empties); they then meet a bucket
        that is gone."""
        proxy.configure(match=rf"^\S+ /{bucket}[/?]", hold=True)
        empty_and_delete_bucket(self.s3, bucket)
        proxy.configure(hold=False)

    def assert_few_calls_after(self, proxy, calls_when_gone: int, extra) -> None:
        after = proxy.snapshot()["requests"] - calls_when_gone
        bound = K_CALLS_PER_REQUEST_IN_FLIGHT * concurrency_of(extra) + K_CALLS_ON_THE_WAY_OUT
        self.assertLessEqual(after, bound, f"{after} calls after the bucket was deleted")

    def test_widget_bucket_deleted_while_running_stops_with_exit_1_naming_it(self):
        for extra in self.variants():
            with self.subTest(args=extra):
                self.prepare()
                consumer, proxy, work = self.start_slowed(extra)
                self.delete_under_load(proxy, self.widgets)
                calls_when_gone = proxy.snapshot()["requests"]
                result = consumer.wait(timeout=60)

                self.assert_exit(result, 1)
                self.assertTrue(any(self.widgets in line and DOES_NOT_EXIST.search(line)
                                    for line in result.output.splitlines()),
                                "no line names the widget bucket and says it is gone"
                                + result.describe())
                left = h.bucket_keys(self.s3, self.requests)
                self.assertGreater(len(left), 0, "all requests were removed")
                for key in left:
                    self.assertEqual(self.s3.get_object(Bucket=self.requests, Key=key)["Body"]
                                     .read(), self.workload.requests[key])
                self.assertEqual(h.files_under(work.dead_letters), {},
                                 "requests were dead-lettered because the bucket went away")
                self.assert_few_calls_after(proxy, calls_when_gone, extra)

    def test_request_bucket_deleted_while_running_stops_with_exit_1_naming_it(self):
        for extra in self.variants():
            with self.subTest(args=extra):
                self.prepare()
                consumer, proxy, work = self.start_slowed(extra)
                self.delete_under_load(proxy, self.requests)
                calls_when_gone = proxy.snapshot()["requests"]
                result = consumer.wait(timeout=60)

                self.assert_exit(result, 1)
                self.assertTrue(any(self.requests in line and DOES_NOT_EXIST.search(line)
                                    for line in result.output.splitlines()),
                                "no line names the request bucket and says it is gone"
                                + result.describe())
                self.assert_few_calls_after(proxy, calls_when_gone, extra)


if __name__ == "__main__":
    unittest.main()
