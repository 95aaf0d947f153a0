"""Long polling (SPEC.md §6, §9): an idle consumer waits in the queue rather than polling it
often, a message arriving meanwhile is taken at once, and the idle timeout still ends the run
on time, even when it is shorter than one long poll."""

import signal
import sys
import time
import unittest

import sqs_harness as sq
import wc_harness as h

sys.path.insert(0, str(h.REPO_ROOT / "tests" / "fault"))
from fault_proxy import FaultConfig, FaultProxy  # noqa: E402

# Idle long enough that polling without a long poll (at 0, 0.1, 0.3, 0.7, 1.5 and 3.1 s) makes
# clearly more calls than one waiting receive.
K_IDLE_S = 4
K_SHORT_IDLE_S = 1
K_IDLE_AFTER_REQUEST_S = 2


class LongPolling(h.ConsumerTestCase):
    def setUp(self):
        self.endpoint = h.shared_moto().endpoint
        self.sqs = sq.sqs_client(self.endpoint)
        self.work = self.workdir()
        self.env = h.consumer_env(self.work)
        self.queue, self.url = sq.create_queue(self.sqs, "wc-idle")
        self.widgets = self.work.root / "widgets"

    def args(self, *extra) -> list:
        return (["-rq", self.queue, "--widgets-dir", self.widgets, "--endpoint-url",
                 self.endpoint] + self.work.log_dir_args() + [str(a) for a in extra])

    def idle_run(self, *extra) -> h.RunResult:
        result = h.run_consumer(self.args("--idle-timeout", K_IDLE_S, *extra), self.work,
                                self.env, timeout=60)
        self.assert_exit(result, 0)
        summary = h.summary_of(result.stdout.split("\n"))
        self.assertEqual(summary and summary.reason, "idle timeout", result.describe())
        return result

    def test_idle_consumer_makes_few_calls_and_the_idle_timeout_still_ends_it(self):
        result = self.idle_run()  # the default --queue-wait is 20 s
        self.assertGreaterEqual(result.elapsed, K_IDLE_S - 0.2)
        self.assertLess(result.elapsed, K_IDLE_S + 4, "the long poll outlived the idle timeout")
        calls = sq.aws_calls(result)
        # GetQueueUrl, GetQueueAttributes, and a receive or two waiting in the queue.
        self.assertLessEqual(calls, 5, result.describe())

        short = self.idle_run("--queue-wait", 0)
        self.assertGreater(sq.aws_calls(short), calls + 2,
                           "without long polling the same idle time should cost more calls")

    def test_idle_timeout_shorter_than_the_queue_wait_is_kept(self):
        result = h.run_consumer(self.args("--idle-timeout", K_SHORT_IDLE_S, "--queue-wait", 20),
                                self.work, self.env, timeout=60)
        self.assert_exit(result, 0)
        self.assertLess(result.elapsed, K_SHORT_IDLE_S + 4,
                        "the receive should wait no longer than the idle time")

    def test_message_arriving_during_a_long_poll_is_applied_at_once(self):
        """The consumer talks to moto through a proxy (no faults) that logs its calls: the
        message is sent once its first receive is under way, and must come back in the answer
        to that very receive, not in a later one."""
        proxy = FaultProxy(self.endpoint, FaultConfig()).__enter__()
        self.addCleanup(proxy.stop)
        args = self.args("--idle-timeout", K_IDLE_AFTER_REQUEST_S, "--queue-wait", 20)
        args[args.index(self.endpoint)] = proxy.endpoint

        def receives() -> int:
            return proxy.snapshot()["calls"].get("ReceiveMessage", 0)

        consumer = self.start_consumer(args, self.work, self.env)
        h.wait_until(lambda: not consumer.running() or receives() >= 1, timeout=30,
                     what="the consumer's first receive")
        self.assertTrue(consumer.running(), consumer.result().describe())
        body = ('{"type":"create","requestId":"r-1","widgetId":"w-late",'
                '"owner":"Sue Smith","label":"L"}')
        sent = time.monotonic()
        self.sqs.send_message(QueueUrl=self.url, MessageBody=body)
        path = self.widgets / "widgets/sue-smith/w-late"
        h.wait_until(path.exists, timeout=20, interval=0.02, what="the widget file")
        latency = time.monotonic() - sent
        first = next(r for r in proxy.log() if r["operation"] == "ReceiveMessage")
        self.assertGreaterEqual(first.get("answer_bytes", 0), len(body),
                                f"the receive waiting when the message was sent did not "
                                f"return it: {first}")
        self.assertLess(latency, 2.0, "the waiting receive should have returned the message")

        result = consumer.wait(60)
        self.assert_exit(result, 0)
        self.assertEqual(sq.messages_left(self.sqs, self.url), 0)
        self.assertEqual(len(sq.request_lines(self.work.logs)), 1)
        # The idle timeout counts from the request, not from the start.
        self.assertGreater(result.elapsed,
                           sent - consumer.started + K_IDLE_AFTER_REQUEST_S - 0.5)

    def test_sigterm_during_a_long_poll_stops_within_2_s(self):
        """SPEC.md §2: a graceful stop takes at most 2 s in any state, a long poll included:
        the stop cuts the receive in progress short (it used to wait up to --queue-wait)."""
        proxy = FaultProxy(self.endpoint, FaultConfig()).__enter__()
        self.addCleanup(proxy.stop)
        args = self.args("--queue-wait", 20)
        args[args.index(self.endpoint)] = proxy.endpoint
        consumer = self.start_consumer(args, self.work, self.env)
        h.wait_until(lambda: not consumer.running()
                     or proxy.snapshot()["calls"].get("ReceiveMessage", 0) >= 1,
                     timeout=30, what="the consumer's first receive")
        self.assertTrue(consumer.running(), consumer.result().describe())
        consumer.send(signal.SIGTERM)
        result = consumer.wait(h.K_SPEC_STOP_S + h.K_STOP_MARGIN_S)
        self.assert_exit(result, 0)


if __name__ == "__main__":
    unittest.main()
