"""One outage policy, during a run (SPEC.md §10; issue 13 item 8): a store that stops answering
in the middle of a backlog is waited for, so that when it comes back nothing was dead-lettered
and the store is exactly right; a store, source or dead-letter place that stays away longer
than --outage-timeout ends the run with exit 1 naming it, the requests in hand left in the
source and nothing dead-lettered for it; and a source that goes away while the consumer is
idle ends the run at --idle-timeout when that comes first.

An endpoint goes down by stopping the proxy in front of moto (its connections are cut, new
ones refused) and comes back as a new proxy on the same port
(outage_harness.SwitchableEndpoint)."""

import signal
import time
import unittest

import outage_harness as oh
import sqs_harness as sq
import wc_harness as h
from reliability_case import ReliabilityTestCase
from workloads import ordered_workload

K_OUTAGE_TIMEOUT_S = 2
# The outage clock starts at the first failed call (up to 6 attempts, ~3 s of back-off at
# most) and is looked at after each one, and the requests in hand then get the stop's grace.
K_OUTAGE_SLACK_S = 10
# Health checks of the store that must have failed before it comes back: by then the
# requests in hand are waiting under the outage rule, not just retrying a call.
K_FAILED_CHECKS = 2
K_IDLE_TIMEOUT_S = 3
K_BACKLOG = dict(count=150, widgets=8)
K_DONE_BEFORE_OUTAGE = 20


def failed_health_checks(log_dir) -> int:
    """Health checks of the store (HeadBucket after a store call failed) whose last attempt
    was under way: each is followed by a wait under the outage rule when it fails too."""
    return len([m for m in oh.retries(log_dir, "HeadBucket") if m["attempt"] == "5"])


class OutageDuringRun(ReliabilityTestCase):
    def setUp(self):
        self.use_moto()
        self.requests_dir = self.work.root / "requests"
        self.widgets_dir = self.work.root / "widgets"
        self.endpoint = oh.SwitchableEndpoint(self.moto)
        self.addCleanup(self.endpoint.stop)

    def source_keys(self) -> set[str]:
        return set(h.files_under(self.requests_dir))

    def logged_keys(self) -> set[str]:
        return {line.key for line in h.request_lines(h.log_lines(self.work.logs))}

    # --- the store

    def store_goes_down_during_a_backlog(self, *extra):
        """A consumer from a directory into an S3 bucket behind the switchable endpoint;
        the endpoint goes down once K_DONE_BEFORE_OUTAGE requests were applied. Returns the
        consumer and the workload."""
        self.bucket = h.create_bucket(self.s3, "wc-outage")
        workload = ordered_workload(**K_BACKLOG, seed=701)
        h.write_request_files(self.requests_dir, workload.requests)
        # Slow answers keep the backlog long enough to go down in the middle of it.
        self.endpoint.up(oh.FaultConfig(slow=1.0, slow_delay=0.02))
        consumer = self.start_consumer(
            ["--requests-dir", self.requests_dir, "-wb", self.bucket, "--endpoint-url",
             self.endpoint.endpoint] + self.work.log_dir_args() + [str(a) for a in extra],
            self.work, self.env)
        oh.wait_for_log(consumer, self.work.logs,
                        lambda d: len(h.request_lines(h.log_lines(d))) >= K_DONE_BEFORE_OUTAGE,
                        f"{K_DONE_BEFORE_OUTAGE} requests to be applied")
        self.endpoint.down()
        self.assertTrue(self.source_keys(), "the backlog ended before the outage")
        return consumer, workload

    def restart_finishes(self, workload) -> None:
        result = h.run_consumer(["--requests-dir", self.requests_dir, "-wb", self.bucket,
                                 "--endpoint-url", self.moto, *h.idle_timeout_args()]
                                + self.work.log_dir_args(), self.work, self.env)
        self.assert_exit(result, 0)
        self.assert_s3_store(self.s3, self.bucket, workload.widgets)
        self.assertEqual(self.source_keys(), set())

    def assert_gave_up(self, result, pattern: str, cause: str = "",
                       down: float | None = None) -> None:
        """Exit 1 with one "stopping: " ERROR: `pattern`, the outage timeout, then `cause`;
        with `down` (when the place went down, monotonic), the run gave up
        no sooner than the timeout after it and not much later."""
        gave_up_after = time.monotonic() - down if down is not None else None
        self.assert_exit(result, 1)
        errors = [m for m in oh.messages(self.work.logs, "ERROR") if m.startswith("stopping: ")]
        self.assertEqual(len(errors), 1, result.describe())
        self.assertRegex(errors[0],
                         pattern + rf"\(--outage-timeout {K_OUTAGE_TIMEOUT_S} s\): " + cause)
        if gave_up_after is not None:
            self.assertGreaterEqual(gave_up_after, K_OUTAGE_TIMEOUT_S)
            self.assertLess(gave_up_after, K_OUTAGE_TIMEOUT_S + K_OUTAGE_SLACK_S)

    def test_a_store_down_during_a_backlog_and_back_loses_nothing(self):
        consumer, workload = self.store_goes_down_during_a_backlog("--outage-timeout", 60)
        oh.wait_for_log(consumer, self.work.logs,
                        lambda d: failed_health_checks(d) >= K_FAILED_CHECKS,
                        f"{K_FAILED_CHECKS} failed health checks of the store")
        self.endpoint.up()
        h.wait_until(lambda: not consumer.running() or not self.source_keys(), timeout=120,
                     interval=0.05, what="every request to be consumed")
        self.assertTrue(consumer.running(), consumer.result().describe())

        result, _ = oh.stop_and_time(self, consumer, signal.SIGTERM)

        self.assert_exit(result, 0)
        self.assertEqual(h.files_under(self.work.dead_letters), {},
                         "an outage of the store is no request's fault: nothing is "
                         "dead-lettered")
        self.assert_s3_store(self.s3, self.bucket, workload.widgets)
        self.assert_each_request_logged_once_in_order(self.work.logs, list(workload.requests))
        self.assertEqual(h.summary_of(h.log_lines(self.work.logs)).counts["dead-lettered"], 0)

    def test_a_store_down_longer_than_the_outage_timeout_ends_the_run_with_exit_1(self):
        consumer, workload = self.store_goes_down_during_a_backlog(
            "--outage-timeout", K_OUTAGE_TIMEOUT_S)
        down = time.monotonic()
        result = consumer.wait(60)

        self.assert_gave_up(result, rf"widget store S3 bucket '{self.bucket}' unreachable for "
                            rf"\d+ s ", ".*ConnectionError", down)
        self.assertEqual(h.files_under(self.work.dead_letters), {}, "nothing is dead-lettered")
        logged = self.logged_keys()
        self.assertEqual(self.source_keys(), set(workload.requests) - logged,
                         "the requests applied are removed, the others left in the source")
        self.restart_finishes(workload)

    # --- the source

    def queue_consumer(self, requests: dict[str, bytes], *extra):
        """A consumer of a standard queue behind the switchable endpoint into a directory,
        once it has applied `requests`; returns it with the queue's client and URL."""
        sqs = sq.sqs_client(self.moto)
        queue, url = sq.create_queue(sqs, "wc-outage")
        sq.send_in_order(sqs, url, requests)
        self.endpoint.up()
        consumer = self.start_consumer(
            ["-rq", queue, "--widgets-dir", self.widgets_dir, "--queue-wait", "1",
             "--concurrency", "1", "--endpoint-url", self.endpoint.endpoint]
            + self.work.log_dir_args() + [str(a) for a in extra], self.work, self.env)
        oh.wait_for_log(consumer, self.work.logs,
                        lambda d: len(h.request_lines(h.log_lines(d))) == len(requests),
                        "every request to be applied")
        h.wait_until(lambda: sq.messages_left(sqs, url) == 0, timeout=30,
                     what="the queue to be empty")
        self.queue = queue
        return consumer, sqs, url

    def test_a_source_down_while_idle_ends_the_run_at_the_idle_timeout(self):
        """The idle timeout is shorter than the outage timeout: the run ends with exit 0 at
        the idle timeout although the source stopped answering (it used to be retried for
        ever, past the idle timeout)."""
        workload = ordered_workload(count=4, widgets=2, seed=702)
        consumer, sqs, url = self.queue_consumer(
            workload.requests, "--idle-timeout", K_IDLE_TIMEOUT_S, "--outage-timeout", 60)
        down = time.monotonic()
        self.endpoint.down()
        result = consumer.wait(60)
        ended_after = time.monotonic() - down

        self.assert_exit(result, 0)
        self.assertEqual(oh.stop_reason(self.work.logs), oh.IDLE_TIMEOUT, result.describe())
        self.assertLess(ended_after, K_IDLE_TIMEOUT_S + oh.K_STOP_LIMIT_S, result.describe())
        refused = [m for m in oh.retries(self.work.logs, "ReceiveMessage")
                   if "ConnectionError" in m["reason"]]
        self.assertTrue(refused, "the source should have been down while idle"
                        + result.describe())
        self.assert_directory_store(self.widgets_dir, workload.widgets)

    def test_a_source_down_longer_than_the_outage_timeout_ends_the_run_with_exit_1(self):
        """No idle timeout: the source down for longer than the outage timeout ends the
        run with exit 1 naming the queue; messages sent meanwhile stay in it."""
        workload = ordered_workload(count=6, widgets=3, seed=703)
        keys = list(workload.requests)
        first = {k: workload.requests[k] for k in keys[:3]}
        later = {k: workload.requests[k] for k in keys[3:]}
        consumer, sqs, url = self.queue_consumer(first, "--outage-timeout", K_OUTAGE_TIMEOUT_S)
        self.endpoint.down()
        down = time.monotonic()
        sq.send_in_order(sqs, url, later)
        result = consumer.wait(60)

        self.assert_gave_up(result, rf"request source SQS queue '{self.queue}' unreachable for "
                            rf"\d+ s ", ".*ConnectionError", down)
        self.assert_directory_store(self.widgets_dir, workload.expected_after(first))
        self.assertEqual(sq.messages_left(sqs, url), len(later))

    def test_a_queue_down_while_removals_wait_ends_the_run_and_loses_nothing(self):
        """Requests applied whose removal the queue never answers: after the outage timeout
        the run ends with exit 1 naming them, the messages it still holds are given back as
        it exits (that used to crash it: a CI run of issue 12 died with SIGSEGV, logging the
        give-back's retries after the log had been shut down), and a restart applies them
        again, which changes nothing."""
        workload = ordered_workload(count=3, widgets=3, seed=705)
        sqs = sq.sqs_client(self.moto)
        queue, url = sq.create_queue(sqs, "wc-outage", visibility_timeout=8)
        sq.send_in_order(sqs, url, workload.requests)
        proxy = self.endpoint.up(oh.FaultConfig(hold=True, match_target="DeleteMessageBatch"))
        args = ["-rq", queue, "--widgets-dir", self.widgets_dir, "--queue-wait", "1",
                "--endpoint-url", self.endpoint.endpoint] + self.work.log_dir_args()
        consumer = self.start_consumer(args + ["--outage-timeout", K_OUTAGE_TIMEOUT_S],
                                       self.work, self.env)
        # A widget's next request waits for the removal of the one before: one held
        # DeleteMessageBatch may stop the others from being applied.
        h.wait_until(lambda: proxy.snapshot()["calls"].get("DeleteMessageBatch", 0) >= 1,
                     timeout=30, what="a DeleteMessageBatch to be held")
        down = time.monotonic()
        self.endpoint.down()
        result = consumer.wait(60)

        # The removals or the next poll, whichever finds the outage too long first.
        self.assert_gave_up(result, rf"(\S+: applied but could not be removed: )?request source "
                            rf"SQS queue '{queue}' unreachable for \d+ s ", ".*ConnectionError",
                            down)
        messages = [parsed.message for parsed in map(h.parse_log_line,
                                                     h.log_lines(self.work.logs)) if parsed]
        self.assertTrue(any("could not give back" in m for m in messages),
                        "the messages held are given back as the run ends")
        self.assertTrue(messages[-1].startswith("AWS: "),
                        "the summary is the last thing logged, after the give-back")
        self.assertTrue(self.logged_keys(), "a request was applied before the outage")
        self.assertEqual(sq.messages_left(sqs, url), len(workload.requests),
                         "nothing was removed")

        h.wait_until(lambda: sq.messages_visible(sqs, url) == len(workload.requests), timeout=60,
                     what="the messages to be visible again")
        self.endpoint.up()
        restarted = h.run_consumer(args + h.idle_timeout_args(), self.work, self.env)
        self.assert_exit(restarted, 0)
        self.assert_directory_store(self.widgets_dir, workload.widgets)
        self.assertEqual(sq.messages_left(sqs, url), 0)

    # --- the dead-letter place

    def test_a_dead_letter_queue_down_longer_than_the_outage_timeout_ends_the_run(self):
        """A rejected request cannot be kept while the dead-letter queue is down: after the
        outage timeout the run ends with exit 1 naming it, the request left in the source;
        a restart once it is back dead-letters it."""
        sqs = sq.sqs_client(self.moto)
        dead_queue, dead_url = sq.create_queue(sqs, "wc-outage-dlq")
        workload = ordered_workload(count=4, widgets=4, seed=704)
        bad = {"1600000000000": b'{"type":"create","widgetId":"w-bad"}'}  # no owner
        self.requests_dir.mkdir()
        self.endpoint.up()
        args = (["--requests-dir", self.requests_dir, "--widgets-dir", self.widgets_dir,
                 "--dead-letter-queue", dead_queue, "--endpoint-url", self.endpoint.endpoint,
                 "--log-dir", self.work.logs])
        consumer = self.start_consumer(args + ["--outage-timeout", K_OUTAGE_TIMEOUT_S],
                                       self.work, self.env)
        oh.wait_until_consuming(consumer, self.work.logs)
        self.endpoint.down()
        oh.drop_requests(self.requests_dir, {**bad, **workload.requests})
        result = consumer.wait(60)

        self.assert_gave_up(result, rf"^stopping: 1600000000000: could not be dead-lettered, "
                            rf"left in the source: .*'{dead_queue}'.* unreachable for \d+ s ")
        self.assertIn("1600000000000", self.source_keys(), "the rejected request stays")
        self.assertEqual(sq.messages_left(sqs, dead_url), 0)
        applied = self.logged_keys()
        self.assertEqual(self.source_keys(), set(bad) | set(workload.requests) - applied)

        self.endpoint.up()
        restarted = h.run_consumer(args + h.idle_timeout_args(), self.work, self.env)
        self.assert_exit(restarted, 0)
        self.assertEqual(self.source_keys(), set())
        self.assert_directory_store(self.widgets_dir, workload.widgets)
        kept = sq.drain(sqs, dead_url)
        self.assertEqual([m["Body"].encode() for m in kept], list(bad.values()))


if __name__ == "__main__":
    unittest.main()
