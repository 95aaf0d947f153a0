"""One outage policy, at start (SPEC.md §10; issue 13 item 8): an endpoint that does not answer
when the run starts is tried again with back-off for up to --outage-timeout seconds, then the
run ends with exit 1 and a line naming the resource, having touched nothing; an endpoint that
comes back before then lets the run proceed, and the store ends right; and --idle-timeout
counts the time the source does not answer as time without work.

"Unreachable" is a loopback port bound by no server (connections refused); "comes back" is a
proxy to moto started on that same port (outage_harness.SwitchableEndpoint)."""

import re
import signal
import unittest

import outage_harness as oh
import sqs_harness as sq
import wc_harness as h
from workloads import ordered_workload

K_OUTAGE_TIMEOUT_S = 1
# The outage clock starts at the first failed call (itself up to 6 attempts, ~3 s of
# back-off at most) and is looked at after each one: the run ends within this much more.
K_OUTAGE_SLACK_S = 8
K_IDLE_TIMEOUT_S = 1


class OutageAtStart(h.ConsumerTestCase):
    def setUp(self):
        self.use_moto()
        self.requests_dir = self.work.root / "requests"
        self.widgets_dir = self.work.root / "widgets"

    def assert_gave_up_on(self, result: h.RunResult, resource: str, timeout_s: int) -> str:
        """Exit 1 after the outage timeout, with an ERROR naming `resource`, the outage rule
        and the connection error; returns that line's message."""
        self.assert_exit(result, 1)
        self.assertEqual(oh.stop_reason(self.work.logs), oh.FATAL_ERROR, result.describe())
        errors = [m for m in oh.messages(self.work.logs, "ERROR") if m.startswith("stopping: ")]
        self.assertEqual(len(errors), 1, result.describe())
        self.assertIn(resource, errors[0])
        self.assertRegex(errors[0], rf"unreachable for \d+ s \(--outage-timeout {timeout_s} s\): ")
        self.assertIn("ConnectionError", errors[0], "the last error should be named")
        self.assertIn(errors[0], result.stdout, "the console shows the reason too")
        self.assertGreaterEqual(result.elapsed, timeout_s, "gave up before the outage timeout")
        self.assertLess(result.elapsed, timeout_s + K_OUTAGE_SLACK_S, result.describe())
        return errors[0]

    def test_an_unreachable_store_ends_the_run_with_exit_1_and_nothing_is_touched(self):
        bucket = h.create_bucket(self.s3, "wc-outage")
        endpoint = oh.unreachable_endpoint(self)
        workload = ordered_workload(count=6, widgets=3, seed=601)
        h.write_request_files(self.requests_dir, workload.requests)
        result = h.run_consumer(
            ["--requests-dir", self.requests_dir, "-wb", bucket, "--endpoint-url",
             endpoint.endpoint, "--outage-timeout", K_OUTAGE_TIMEOUT_S]
            + self.work.log_dir_args(), self.work, self.env, timeout=60)

        self.assert_gave_up_on(result, f"widget store S3 bucket '{bucket}'", K_OUTAGE_TIMEOUT_S)
        self.assertEqual(h.files_under(self.requests_dir), workload.requests,
                         "the requests must be untouched")
        self.assertEqual(h.files_under(self.work.dead_letters), {})
        self.assertEqual(h.bucket_keys(self.s3, bucket), [])
        self.assertEqual(h.request_lines(h.log_lines(self.work.logs)), [])

    def test_an_unreachable_queue_ends_the_run_with_exit_1_and_nothing_is_touched(self):
        sqs = sq.sqs_client(self.moto)
        queue, url = sq.create_queue(sqs, "wc-outage")
        workload = ordered_workload(count=3, widgets=3, seed=602)
        sq.send_in_order(sqs, url, workload.requests)
        endpoint = oh.unreachable_endpoint(self)
        result = h.run_consumer(
            ["-rq", queue, "--widgets-dir", self.widgets_dir, "--endpoint-url",
             endpoint.endpoint, "--outage-timeout", K_OUTAGE_TIMEOUT_S]
            + self.work.log_dir_args(), self.work, self.env, timeout=60)

        self.assert_gave_up_on(result, f"request source SQS queue '{queue}'", K_OUTAGE_TIMEOUT_S)
        self.assertEqual(h.files_under(self.widgets_dir), {})
        self.assertEqual(h.files_under(self.work.dead_letters), {})
        self.assertEqual(sq.messages_left(sqs, url), len(workload.requests))

    def test_a_store_back_before_the_outage_timeout_lets_the_run_proceed(self):
        """Down at start, up a few seconds later: the run goes on as if nothing happened."""
        bucket = h.create_bucket(self.s3, "wc-outage")
        endpoint = oh.SwitchableEndpoint(self.moto)
        self.addCleanup(endpoint.stop)
        workload = ordered_workload(count=30, widgets=6, seed=603)
        h.write_request_files(self.requests_dir, workload.requests)
        consumer = self.start_consumer(
            ["--requests-dir", self.requests_dir, "-wb", bucket, "--endpoint-url",
             endpoint.endpoint, "--outage-timeout", 60] + self.work.log_dir_args(),
            self.work, self.env)
        oh.wait_for_log(consumer, self.work.logs, lambda d: [
            m for m in oh.messages(d, "WARNING")
            if re.match(rf"widget store S3 bucket '{bucket}': .*; trying again in \d+ ms$", m)],
            "the consumer to wait for the store", timeout=30)
        endpoint.up()
        h.wait_until(lambda: not consumer.running() or not h.files_under(self.requests_dir),
                     timeout=60, what="every request to be consumed")
        self.assertTrue(consumer.running(), consumer.result().describe())

        result, _ = oh.stop_and_time(self, consumer, signal.SIGTERM)

        self.assert_exit(result, 0)
        self.assert_s3_store(self.s3, bucket, workload.widgets)
        self.assertEqual(h.files_under(self.work.dead_letters), {})
        self.assertEqual(len(h.request_lines(h.log_lines(self.work.logs))),
                         len(workload.requests))

    def test_an_unreachable_queue_ends_the_run_at_a_shorter_idle_timeout(self):
        """--idle-timeout counts time the source does not answer as time without work: with
        an idle timeout shorter than the outage timeout, the run ends with exit 0."""
        sqs = sq.sqs_client(self.moto)
        queue, _ = sq.create_queue(sqs, "wc-outage")
        endpoint = oh.unreachable_endpoint(self)
        result = h.run_consumer(
            ["-rq", queue, "--widgets-dir", self.widgets_dir, "--endpoint-url",
             endpoint.endpoint, "--idle-timeout", K_IDLE_TIMEOUT_S, "--outage-timeout", 60]
            + self.work.log_dir_args(), self.work, self.env, timeout=60)

        self.assert_exit(result, 0)
        self.assertEqual(oh.stop_reason(self.work.logs), oh.IDLE_TIMEOUT, result.describe())
        self.assertGreaterEqual(result.elapsed, K_IDLE_TIMEOUT_S)
        self.assertLess(result.elapsed, K_IDLE_TIMEOUT_S + K_OUTAGE_SLACK_S, result.describe())
        self.assertEqual(h.files_under(self.widgets_dir), {})


if __name__ == "__main__":
    unittest.main()
