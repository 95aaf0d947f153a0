"""A lost lease is never written after (SPEC.md §9; issue 13 item 10): three consumers share a
FIFO queue (MessageGroupId = widgetId) with a short visibility timeout; one is frozen with
SIGSTOP, while it holds messages, for longer than that timeout, as a VM pause or a stalled host
would freeze it. The queue hands what it held to the others, who apply those and the later
requests of the same widgets. Woken with SIGCONT, the frozen consumer must not apply what it
held (it checks each lease on the monotonic clock before a store call), and its stale receipt
handles are WARNINGs ("lease lost"), not a fatal error: every consumer exits 0, and the store
ends exactly as the serial application of every request in order.

The workload is order-sensitive (tests/fault/workloads.py): every update sets `last` and one of
seven attributes to its own sequence number, so an older request applied over a newer one
shows in the store. The queue lives on a moto whose SQS operations are atomic (see
sqs_atomic_moto.py), the store is an S3 bucket on the same server. The frozen consumer reaches
S3 through a proxy that delays each answer a little, so that it always has requests in hand
(a write it sent before the freeze lands 0.1 s later, well within its lease), and SQS through
a proxy that holds its receives across the freeze: that test is about the messages in hand.
A receive that the queue answers while the consumer is frozen is the second test's subject.
"""

import json
import re
import signal
import sys
import time
import unittest

import outage_harness as oh
import sqs_harness as sq
import wc_harness as h
from fault_proxy import FaultConfig
from workloads import ordered_workload

K_REQUESTS = 200
K_WIDGETS = 8  # some 25 requests a widget: nearly every one depends on the one before
K_SEED = 20261204
K_CONSUMERS = 3
# Short, so the test is quick, but a lease must outlast a renewal by moto on a busy machine.
K_VISIBILITY_TIMEOUT_S = 4
# Its writes are slow, so that it has a backlog in hand when its receives are held.
K_VICTIM_DELAY_S = 0.1
# The victim is frozen once it has applied this many requests and a write is under way.
K_DONE_BEFORE_FREEZE = 3
# Requests still in the queue at the freeze, at least: later requests of the widgets the
# victim holds, which the others apply before it wakes.
K_LEFT_AT_FREEZE = K_REQUESTS // 10
# After the victim's messages came back to the others, they apply this many more requests
# (or empty the queue) before it is woken.
K_PROGRESS_WHILE_FROZEN = 10
# The freeze lasts at least this much longer than a visibility timeout.
K_PAST_LEASE_S = 1
# What a consumer says of a message whose lease ran out, depending on where it notices: the
# heartbeat, a removal or the check before a store call ("lease lost"), or a store call in
# progress cut at the lease's end ("not applied, left to ...: ... cut short: no time left
# before its deadline").
LEASE_LOST_RE = re.compile(r"lease lost|cut short: no time left before its deadline")
REDELIVERED_RE = re.compile(r": delivered \d+ times; ")


class LostLeases(sq.AtomicSqsTestCase):

    def prepare(self) -> None:
        """The workload, in a FIFO queue, one group per widget (as widget-producer --queue
        sends it; sent here so that each message id's request is known for the diagnosis)."""
        self.workload = ordered_workload(K_REQUESTS, K_WIDGETS, K_SEED)
        self.queue, self.url = sq.create_queue(self.sqs, "wc-lease", fifo=True,
                                               visibility_timeout=K_VISIBILITY_TIMEOUT_S)
        self.sequence_of: dict[str, int] = {}  # message id -> position in the workload
        keys = list(self.workload.requests)
        for first in range(0, len(keys), 10):
            batch = keys[first:first + 10]
            entries = [{"Id": str(n), "MessageBody": self.workload.requests[key].decode(),
                        "MessageGroupId": json.loads(self.workload.requests[key])["widgetId"],
                        "MessageDeduplicationId": key} for n, key in enumerate(batch)]
            sent = self.sqs.send_message_batch(QueueUrl=self.url, Entries=entries)
            self.assertFalse(sent.get("Failed"), sent)
            for entry in sent["Successful"]:
                self.sequence_of[entry["MessageId"]] = first + int(entry["Id"])
        self.assertEqual(sq.messages_left(self.sqs, self.url), K_REQUESTS)
        self.bucket = h.create_bucket(self.s3, "wc-lease")

    def history(self, widget_id: str) -> str:
        """Every consumer's per-request lines for one widget, merged by time, with each
        message's position in the workload: who applied what, in which order."""
        rows = []
        for i in range(K_CONSUMERS):
            for line in h.log_lines(self.logs(i)):
                parsed = h.parse_log_line(line)
                match = parsed and h.REQUEST_MESSAGE_RE.match(parsed.message)
                if match and match["widget"] == widget_id:
                    rows.append((parsed.time, i, self.sequence_of.get(match["key"], -1),
                                 match["type"], match["outcome"]))
        return "\n".join(f"  {t} consumer {i}: request {n} {kind} {outcome}"
                         for t, i, n, kind, outcome in sorted(rows))

    def logs(self, i: int):
        return self.work.root / f"logs-{i}"

    def start_consumers(self, victim_s3: str, victim_sqs: str) -> list:
        """Consumer 0 (the victim) through the given S3 and SQS endpoints, the others
        straight to moto. No idle timeout (an empty receive means little while others hold
        every group): the test stops them once the queue is empty. Short long polls."""
        consumers = []
        for i in range(K_CONSUMERS):
            args = ["-rq", self.queue, "-wb", self.bucket, "--queue-wait", "1",
                    "--log-dir", self.logs(i),
                    "--dead-letter-dir", self.work.root / f"dead-letters-{i}"]
            if i == 0:
                env = h.consumer_env(self.work, AWS_ENDPOINT_URL_S3=victim_s3,
                                     AWS_ENDPOINT_URL_SQS=victim_sqs)
            else:
                args += ["--endpoint-url", self.endpoint]
                env = self.env
            consumers.append(self.start_consumer(args, self.work, env))
        return consumers

    def done(self, i: int) -> int:
        return len(h.request_lines(h.log_lines(self.logs(i))))

    def survivors_done(self) -> int:
        return sum(self.done(i) for i in range(1, K_CONSUMERS))

    def warnings(self, i: int, pattern: re.Pattern) -> list[str]:
        return [m for m in oh.messages(self.logs(i), "WARNING") if pattern.search(m)]

    def consumer_problems(self, limit: int = 60) -> str:
        """Every consumer's WARNING and ERROR lines, but for the routine ones (updates of
        deleted widgets), for a failure message."""
        lines = [f"consumer {i}: {line}" for i in range(K_CONSUMERS)
                 for line in h.log_lines(self.logs(i))
                 if h.line_level(line) in ("WARNING", "ERROR") and "does not exist" not in line]
        more = f"\n... and {len(lines) - limit} more" if len(lines) > limit else ""
        return "consumers' warnings and errors:\n" + ("\n".join(lines[:limit]) or "(none)") + more

    def start_proxy(self, config: FaultConfig):
        proxy = oh.FaultProxy(self.endpoint, config).__enter__()
        self.addCleanup(proxy.stop)
        return proxy

    def test_a_consumer_frozen_past_its_lease_writes_nothing_it_held(self):
        self.prepare()
        store_proxy = self.start_proxy(FaultConfig(
            slow=1.0, slow_delay=K_VICTIM_DELAY_S, match=rf"^\S+ /{self.bucket}/"))
        queue_proxy = self.start_proxy(FaultConfig(match_target=r"\.ReceiveMessage$"))
        consumers = self.start_consumers(store_proxy.endpoint, queue_proxy.endpoint)
        victim = consumers[0]
        h.wait_until(lambda: not victim.running() or self.done(0) >= K_DONE_BEFORE_FREEZE,
                     timeout=120, interval=0.05, what=f"the victim's request "
                     f"{K_DONE_BEFORE_FREEZE}")
        # From now on its receives wait in the proxy: once the one the queue answered last
        # has been read (its next receive is held), nothing reaches it during the freeze.
        queue_proxy.configure(hold=True)
        answered_before = max(r["sequence"] for r in queue_proxy.log())

        def write_under_way() -> bool:
            stats = store_proxy.snapshot()
            return stats["requests"] > stats["forwarded"]

        def receive_held() -> bool:
            return any(r["sequence"] > answered_before and r["operation"] == "ReceiveMessage"
                       for r in queue_proxy.log())

        h.wait_until(lambda: not victim.running() or (receive_held() and write_under_way()),
                     timeout=60, interval=0.002, what="a receive held and a write under way")
        self.assertTrue(victim.running(), victim.result().describe())
        victim.send(signal.SIGSTOP)
        frozen = time.monotonic()
        self.addCleanup(lambda: victim.running() and victim.send(signal.SIGCONT))
        left_at_freeze = sq.messages_left(self.sqs, self.url)
        print(f"\n  frozen after {self.done(0)} requests of its own, {left_at_freeze} messages "
              "left in the queue", file=sys.stderr)
        self.assertGreater(left_at_freeze, K_LEFT_AT_FREEZE, "frozen too late to test anything")

        # What it held comes back to the others once its visibility timeout has run out
        # (counted from its last renewal before the freeze), and the freeze outlasts a whole
        # visibility timeout.
        h.wait_until(lambda: any(self.warnings(i, REDELIVERED_RE)
                                 for i in range(1, K_CONSUMERS))
                     and time.monotonic() - frozen > K_VISIBILITY_TIMEOUT_S + K_PAST_LEASE_S,
                     timeout=60, interval=0.05, what="a survivor to receive a held message")
        after_redelivery = self.survivors_done()
        h.wait_until(lambda: self.survivors_done() >= after_redelivery + K_PROGRESS_WHILE_FROZEN
                     or sq.messages_left(self.sqs, self.url) == 0,
                     timeout=60, interval=0.05, what="the survivors to go on past it")
        frozen_for = time.monotonic() - frozen
        self.assertGreater(frozen_for, K_VISIBILITY_TIMEOUT_S)
        victim.send(signal.SIGCONT)
        queue_proxy.configure(hold=False)  # its next receive is answered after the wake

        h.wait_until(lambda: not all(c.running() for c in consumers)
                     or sq.messages_left(self.sqs, self.url) == 0,
                     timeout=h.K_CONSUMER_TIMEOUT_S, interval=0.2, what="the queue to be empty")
        for consumer in consumers:
            self.assertTrue(consumer.running(), "a consumer stopped by itself"
                            + consumer.result().describe() + "\n" + self.consumer_problems())
            consumer.send(signal.SIGTERM)
        results = [c.wait(h.K_GRACEFUL_STOP_S) for c in consumers]

        for result in results:
            self.assert_exit(result, 0)
        try:
            self.assert_s3_store(self.s3, self.bucket, self.workload.widgets)
        except AssertionError as failure:
            wrong = re.search(r"first widgets/[^/]+/(\S+)", str(failure))
            history = (f"\nrequests of {wrong[1]} as applied:\n{self.history(wrong[1])}"
                       if wrong else "")
            raise AssertionError(f"{failure}{history}\n{self.consumer_problems()}") from None
        self.assertEqual(sq.messages_left(self.sqs, self.url), 0)
        self.assertTrue(self.warnings(0, LEASE_LOST_RE),
                        "the frozen consumer should warn that it lost leases\n"
                        + self.consumer_problems())
        for i in range(K_CONSUMERS):
            self.assertEqual([m for m in oh.messages(self.logs(i), "ERROR")], [],
                             f"consumer {i} logged errors")
        applied = {line.key for i in range(K_CONSUMERS)
                   for line in h.request_lines(h.log_lines(self.logs(i)))}
        self.assertEqual(len(applied), K_REQUESTS, "every message applied at least once")

    def test_a_receive_answered_while_frozen_is_not_applied_after_its_lease(self):
        """The consumer is frozen while its long poll waits in the queue. A message arrives:
        the queue hands it to that waiting receive (its visibility timeout starts), and the
        answer waits in the frozen consumer's socket. The timeout runs out, another consumer
        applies the message and a newer one for the same widget. Woken, the frozen consumer
        reads the old answer: the message's lease ran out long ago, so it must not apply
        it (which would put the older state over the newer one). The lease counts from the
        send of the receive, and a long poll waits at most half a lease, for this."""
        self.queue, self.url = sq.create_queue(self.sqs, "wc-lease", fifo=True,
                                               visibility_timeout=K_VISIBILITY_TIMEOUT_S)
        self.bucket = h.create_bucket(self.s3, "wc-lease")
        first = {"type": "create", "requestId": "r1", "widgetId": "w-frozen",
                 "owner": "Sue Smith", "label": "older"}
        second = {"type": "update", "requestId": "r2", "widgetId": "w-frozen",
                  "owner": "Sue Smith", "label": "newer"}
        proxy = oh.FaultProxy(self.endpoint, FaultConfig()).__enter__()
        self.addCleanup(proxy.stop)
        victim = self.start_consumer(
            ["-rq", self.queue, "-wb", self.bucket, "--queue-wait", "20", "--endpoint-url",
             proxy.endpoint, "--log-dir", self.logs(0), "--dead-letter-dir",
             self.work.root / "dead-letters-0"], self.work, self.env)
        oh.wait_until_consuming(victim, self.logs(0))

        def waiting_receive():
            return next((r for r in proxy.log() if r["operation"] == "ReceiveMessage"
                         and "answer_bytes" not in r), None)

        h.wait_until(lambda: not victim.running() or waiting_receive(), timeout=30,
                     what="the consumer's long poll")
        receive = waiting_receive()
        victim.send(signal.SIGSTOP)
        self.addCleanup(lambda: victim.running() and victim.send(signal.SIGCONT))
        self.send_to_group(first)
        h.wait_until(lambda: next(r for r in proxy.log() if r is receive or (
            r["sequence"] == receive["sequence"])).get("answer_bytes", 0) > 0, timeout=30,
            what="the queue to answer the frozen consumer's receive with the message")
        # The message's visibility timeout runs out while the consumer is still frozen.
        h.wait_until(lambda: self.visible() == 1, timeout=30, interval=0.1,
                     what="the message to become visible again")
        self.send_to_group(second)
        other = h.run_consumer(["-rq", self.queue, "-wb", self.bucket, "--endpoint-url",
                                self.endpoint, *h.idle_timeout_args(), "--log-dir", self.logs(1),
                                "--dead-letter-dir", self.work.root / "dead-letters-1"],
                               self.work, self.env)
        self.assert_exit(other, 0)
        self.assertEqual(len(h.request_lines(h.log_lines(self.logs(1)))), 2, other.describe())
        expected = {"widgets/sue-smith/w-frozen": {"widgetId": "w-frozen", "owner": "Sue Smith",
                                                   "label": "newer"}}
        stored = self.parse_widgets({k: o.body for k, o in
                                     h.read_bucket(self.s3, self.bucket).items()}, "store")

        victim.send(signal.SIGCONT)
        oh.wait_for_log(victim, self.logs(0), lambda d: h.request_lines(h.log_lines(d))
                        or any(LEASE_LOST_RE.search(m) for m in oh.messages(d, "WARNING")),
                        "the woken consumer to deal with the message it was handed")
        result, _ = oh.stop_and_time(self, victim, signal.SIGTERM)

        self.assert_exit(result, 0)
        self.assertEqual(h.request_lines(h.log_lines(self.logs(0))), [],
                         "the woken consumer applied a message whose lease had run out"
                         + result.describe())
        self.assert_widgets_equal(stored, expected, "the store before the wake")
        self.assert_s3_store(self.s3, self.bucket, expected)
        self.assertTrue(self.warnings(0, LEASE_LOST_RE), result.describe())

    def send_to_group(self, request: dict) -> None:
        body = json.dumps(request, separators=(",", ":"))
        self.sqs.send_message(QueueUrl=self.url, MessageBody=body,
                              MessageGroupId=request["widgetId"],
                              MessageDeduplicationId=request["requestId"])

    def visible(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])


if __name__ == "__main__":
    unittest.main()
