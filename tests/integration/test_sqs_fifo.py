"""Scaling out on a FIFO queue (SPEC.md §9): three consumer processes share one queue whose
producer sets MessageGroupId to the widgetId, and the store ends exactly as the serial
application of the requests, even when one consumer is killed with SIGKILL halfway.

The workload is generated (many updates to few widgets, so that order matters on nearly every
request) and the oracle is the same requests applied by one consumer from a directory into a
directory store. The queue lives on a moto whose SQS operations are atomic (see
sqs_atomic_moto.py); the store is an S3 bucket on the same server."""

import re
import shutil
import signal
import unittest

import sqs_harness as sq
import wc_harness as h

# moto's FIFO send and receive take longer the longer the queue (a send 15 ms at 200
# messages): 300 requests keep production and consumption near 10 s each.
K_REQUESTS = 300
K_SEED = 20261125
K_MIX = "6,88,6"  # about 18 widgets, each updated some 15 times
K_START_MS = 1_700_000_000_000
K_CONSUMERS = 3


class FifoQueueAcrossConsumers(sq.AtomicSqsTestCase):

    def prepare(self, visibility_timeout: int) -> None:
        """Generates the workload, computes the oracle, and fills a FIFO queue with it."""
        generated = self.work.root / "generated"
        sq.run_producer(["--requests-dir", generated, "--count", K_REQUESTS, "--seed", K_SEED,
                         "--mix", K_MIX, "--start-ms", K_START_MS], self.work, self.env)
        self.expected = self.serial_oracle(generated)
        self.queue, self.url = sq.create_queue(self.sqs, "wc-fifo", fifo=True,
                                               visibility_timeout=visibility_timeout)
        sq.run_producer(["--from-dir", generated, "--queue", self.queue,
                         "--endpoint-url", self.endpoint], self.work, self.env)
        self.assertEqual(sq.messages_left(self.sqs, self.url), K_REQUESTS)
        self.bucket = h.create_bucket(self.s3, "wc-wid")

    def serial_oracle(self, generated) -> dict[str, dict]:
        requests = self.work.root / "oracle-requests"
        widgets = self.work.root / "oracle-widgets"
        shutil.copytree(generated, requests)
        result = h.run_consumer(
            ["--requests-dir", requests, "--widgets-dir", widgets, "--concurrency", "1",
             *h.idle_timeout_args(), "--log-dir", self.work.root / "oracle-logs",
             "--dead-letter-dir", self.work.root / "oracle-dead-letters"],
            self.work, h.consumer_env(self.work, key_id=None, secret=None))
        self.assert_exit(result, 0)
        return self.parse_widgets(h.files_under(widgets), "oracle")

    def start_consumers(self) -> list:
        """The consumers, with no idle timeout: an empty receive means little while the others
        hold every group, so the test stops them itself (stop_when_queue_empty). Short long
        polls, so that they stop at once (a stop waits for the receive in progress)."""
        consumers = []
        for i in range(K_CONSUMERS):
            args = ["-rq", self.queue, "-wb", self.bucket, "--queue-wait", "1",
                    "--endpoint-url", self.endpoint, "--log-dir", self.logs(i),
                    "--dead-letter-dir", self.work.root / f"dead-letters-{i}"]
            consumers.append(self.start_consumer(args, self.work, self.env))
        return consumers

    def stop_when_queue_empty(self, consumers: list, timeout: float) -> list:
        """Waits until every message is deleted (each one applied), then stops the consumers
        with SIGTERM; returns their results."""
        h.wait_until(lambda: not all(c.running() for c in consumers)
                     or sq.messages_left(self.sqs, self.url) == 0,
                     timeout=timeout, interval=0.2, what="the queue to be empty")
        for consumer in consumers:
            self.assertTrue(consumer.running(), "a consumer stopped by itself"
                            + consumer.result().describe())
            consumer.send(signal.SIGTERM)
        return [c.wait(h.K_GRACEFUL_STOP_S) for c in consumers]

    def logs(self, i: int):
        return self.work.root / f"logs-{i}"

    def assert_store_is_the_serial_one(self) -> None:
        try:
            self.assert_s3_store(self.s3, self.bucket, self.expected)
        except AssertionError as failure:
            # The logs are gone with the work dir: what the consumers warned of is the clue.
            raise AssertionError(f"{failure}\n{self.consumer_warnings()}") from None
        self.assertEqual(sq.messages_left(self.sqs, self.url), 0, "the queue should end empty")

    def consumer_warnings(self, limit: int = 60) -> str:
        """Every consumer's WARNING and ERROR lines, but for the routine ones: redeliveries
        (after the kill) and updates of deleted widgets (in the workload)."""
        routine = ("delivered", "does not exist")
        lines = [f"consumer {i}: {line}" for i in range(K_CONSUMERS)
                 for line in h.log_lines(self.logs(i))
                 if h.line_level(line) in ("WARNING", "ERROR")
                 and not any(word in line for word in routine)]
        shown = "\n".join(lines[:limit]) or "(none)"
        more = f"\n... and {len(lines) - limit} more" if len(lines) > limit else ""
        return f"consumers' warnings and errors:\n{shown}{more}"

    def test_three_consumers_end_as_the_serial_application(self):
        self.prepare(visibility_timeout=30)
        consumers = self.start_consumers()
        results = self.stop_when_queue_empty(consumers, h.K_CONSUMER_TIMEOUT_S)

        for result in results:
            self.assert_exit(result, 0)
        self.assert_store_is_the_serial_one()
        done = [len(sq.request_lines(self.logs(i))) for i in range(K_CONSUMERS)]
        self.assertTrue(all(n > 0 for n in done), f"requests per consumer: {done}")
        self.assertEqual(sum(done), K_REQUESTS,
                         f"every request applied exactly once across consumers: {done}")

    def test_a_consumer_killed_halfway_loses_nothing_and_the_others_finish(self):
        # The killed consumer's messages come back after this long: SQS's default. Shorter
        # would be quicker, but a lease must comfortably outlast the slowest renewal of a moto
        # on a busy machine (seconds, at times); a lease that runs out during an apply is the
        # one case where a queue lets two consumers hold a message at once.
        visibility_timeout = 30
        self.prepare(visibility_timeout)
        consumers = self.start_consumers()
        victim = consumers[0]
        h.wait_until(lambda: not victim.running() or len(sq.request_lines(self.logs(0))) >= 40,
                     timeout=120, interval=0.05, what="the first consumer's 40th request")
        self.assertTrue(victim.running(), "it stopped by itself" + victim.result().describe())
        left = sq.messages_left(self.sqs, self.url)
        victim.kill()
        self.assertGreater(left, K_REQUESTS // 10, "the kill came too late to test anything")

        results = self.stop_when_queue_empty(consumers[1:], h.K_CONSUMER_TIMEOUT_S)
        for result in results:
            self.assert_exit(result, 0)
        self.assert_store_is_the_serial_one()
        survivors = [sq.request_lines(self.logs(i)) for i in range(1, K_CONSUMERS)]
        self.assertTrue(all(survivors), "each surviving consumer should have done some work")
        # What the victim held came back to the others once its visibility timeout ran out.
        redelivered = [line for i in range(1, K_CONSUMERS) for line in h.log_lines(self.logs(i))
                       if h.line_level(line) == "WARNING"
                       and re.search(r": delivered \d+ times; ", line)]
        self.assertTrue(redelivered, "no survivor received a message the victim had held")


if __name__ == "__main__":
    unittest.main()
