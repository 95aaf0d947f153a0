"""Poison messages on a queue without a redrive policy (SPEC.md §9; issue 13 item 9): a message
received more than --max-receives times (default 10) goes to the dead-letter place, with a
reason that says how often it was received and the last error this consumer saw, and is
deleted; up to the limit a message is applied as usual; and a queue whose own RedrivePolicy is
set keeps its own behaviour (we dead-letter nothing for its receive count).

A message is made to come back by receiving it with boto3 (VisibilityTimeout=0), which raises
its ApproximateReceiveCount as any consumer that failed on it would; and, for the last error,
by a store whose writes hang until the message's lease is nearly over, so that the consumer
cuts them short and gives the message back, again and again."""

import json
import signal
import unittest

import outage_harness as oh
import sqs_harness as sq
import wc_harness as h
from fault_proxy import FaultConfig

K_MAX_RECEIVES = 3
K_DEFAULT_MAX_RECEIVES = 10
K_SHORT_LEASE_S = 2  # the shortest the consumer takes (a shorter lease cannot be renewed)


def create_request(widget_id: str, label: str = "L") -> str:
    return json.dumps({"type": "create", "requestId": f"r-{widget_id}", "widgetId": widget_id,
                       "owner": "Sue Smith", "label": label}, separators=(",", ":"))


def widget_file(widget_id: str) -> str:
    return f"widgets/sue-smith/{widget_id}"


class PoisonMessages(h.ConsumerTestCase):
    def setUp(self):
        self.moto = h.shared_moto().endpoint
        self.sqs = sq.sqs_client(self.moto)
        self.work = self.workdir()
        self.env = h.consumer_env(self.work)
        self.widgets = self.work.root / "widgets"

    def send(self, url: str, body: str) -> str:
        return self.sqs.send_message(QueueUrl=url, MessageBody=body)["MessageId"]

    def receive_times(self, url: str, message_id: str, times: int,
                      last_visibility: int = 0) -> str:
        """Receives the queue's only visible message `times` times as a failing consumer
        would, handing it back at once (the last time hiding it `last_visibility` s);
        returns the last receipt handle."""
        handle = ""
        for n in range(times):
            visibility = last_visibility if n == times - 1 else 0
            got = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                VisibilityTimeout=visibility, MessageSystemAttributeNames=["All"])
            messages = got.get("Messages", [])
            self.assertEqual([m["MessageId"] for m in messages], [message_id],
                             "the test's own receive should get just that message")
            self.assertEqual(messages[0]["Attributes"]["ApproximateReceiveCount"], str(n + 1))
            handle = messages[0]["ReceiptHandle"]
        return handle

    def consume(self, queue: str, *extra, endpoint: str | None = None) -> h.RunResult:
        result = h.run_consumer(
            ["-rq", queue, "--widgets-dir", self.widgets, "--queue-wait", "0",
             "--endpoint-url", endpoint or self.moto, *h.idle_timeout_args()]
            + self.work.log_dir_args() + [str(a) for a in extra], self.work, self.env)
        self.assert_exit(result, 0)
        return result

    def assert_dead_lettered(self, message_id: str, body: str, reason: str) -> dict:
        """The dead-letter directory holds exactly this message (its original body, named by
        its message id) and its record, whose reason matches `reason`; returns the record."""
        files = h.files_under(self.work.dead_letters)
        self.assertEqual(set(files), {message_id, f"{message_id}.error.json"},
                         "the dead-letter directory should hold just that message")
        self.assertEqual(files[message_id], body.encode(), "not the original body")
        record = json.loads(files[f"{message_id}.error.json"])
        self.assertEqual(record["sourceKey"], message_id)
        self.assertIn("SQS queue", record["source"])
        self.assertRegex(record["reason"], reason)
        self.assertEqual(record["bytes"], len(body))
        return record

    def test_a_message_received_more_than_max_receives_is_dead_lettered_and_deleted(self):
        """Two messages on a queue without a redrive policy: one received K-1 times before
        (the consumer's receive is its K-th: applied), one received K times (the consumer's
        is its K+1-th: dead-lettered, not applied, deleted)."""
        queue, url = sq.create_queue(self.sqs, "wc-poison")
        at_limit, over_limit = create_request("w-at-limit"), create_request("w-over-limit")
        at_id = self.send(url, at_limit)
        hidden = self.receive_times(url, at_id, K_MAX_RECEIVES - 1, last_visibility=60)
        over_id = self.send(url, over_limit)
        self.receive_times(url, over_id, K_MAX_RECEIVES)
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=hidden,
                                           VisibilityTimeout=0)

        result = self.consume(queue, "--max-receives", K_MAX_RECEIVES)

        self.assertEqual(sq.messages_left(self.sqs, url), 0, "both messages are deleted")
        self.assertEqual(set(h.files_under(self.widgets)), {widget_file("w-at-limit")},
                         "the message over the limit must not be applied")
        record = self.assert_dead_lettered(
            over_id, over_limit,
            rf"^received {K_MAX_RECEIVES + 1} times, more than --max-receives "
            rf"{K_MAX_RECEIVES}, and the queue has no redrive policy")
        self.assertNotIn("last error", record["reason"],
                         "this consumer saw no error for it" + result.describe())
        self.assertEqual(record["attempts"], K_MAX_RECEIVES + 1,
                         "each delivery counts as an attempt")
        summary = h.summary_of(h.log_lines(self.work.logs))
        self.assertEqual((summary.counts["created"], summary.counts["dead-lettered"]), (1, 1))
        errors = [m for m in oh.messages(self.work.logs, "ERROR") if m.startswith(over_id)]
        self.assertTrue(errors, "the dead-lettering should be logged at ERROR with its reason")

    def test_the_default_limit_is_10_receives(self):
        queue, url = sq.create_queue(self.sqs, "wc-poison")
        body = create_request("w-default")
        message_id = self.send(url, body)
        self.receive_times(url, message_id, K_DEFAULT_MAX_RECEIVES)

        self.consume(queue)

        self.assertEqual(sq.messages_left(self.sqs, url), 0)
        self.assertEqual(h.files_under(self.widgets), {})
        self.assert_dead_lettered(
            message_id, body, rf"^received {K_DEFAULT_MAX_RECEIVES + 1} times, more than "
            rf"--max-receives {K_DEFAULT_MAX_RECEIVES}")

    def test_a_queue_with_a_redrive_policy_keeps_its_own(self):
        """The queue's RedrivePolicy (here 100 receives) decides: a message received more
        often than --max-receives is applied as usual, and nothing is dead-lettered by us."""
        dead_queue, dead_url = sq.create_queue(self.sqs, "wc-poison-dlq")
        arn = self.sqs.get_queue_attributes(QueueUrl=dead_url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "100"})
        queue, url = sq.create_queue(self.sqs, "wc-poison", RedrivePolicy=policy)
        body = create_request("w-redriven")
        message_id = self.send(url, body)
        self.receive_times(url, message_id, K_MAX_RECEIVES + 2)

        self.consume(queue, "--max-receives", K_MAX_RECEIVES)

        self.assertEqual(sq.messages_left(self.sqs, url), 0)
        self.assertEqual(sq.messages_left(self.sqs, dead_url), 0)
        self.assertEqual(set(h.files_under(self.widgets)), {widget_file("w-redriven")})
        self.assertEqual(h.files_under(self.work.dead_letters), {},
                         "a queue with a redrive policy is not dead-lettered by us")

    def test_the_reason_carries_the_last_error_this_consumer_saw(self):
        """The store's writes hang: each is cut short just before the message's lease
        (2 s) would end, and the message is given back. Received for the third time with
        --max-receives 2, it is dead-lettered with that error, and deleted; the store got
        nothing. (The consumer reaches S3 through a proxy that holds the writes, and the
        queue directly.)"""
        max_receives = 2
        s3 = h.s3_client(self.moto)
        bucket = h.create_bucket(s3, "wc-poison")
        queue, url = sq.create_queue(self.sqs, "wc-poison", visibility_timeout=K_SHORT_LEASE_S)
        proxy = oh.FaultProxy(self.moto, FaultConfig()).__enter__()
        self.addCleanup(proxy.stop)
        consumer = self.start_consumer(
            ["-rq", queue, "-wb", bucket, "--queue-wait", "1", "--max-receives", max_receives,
             "--endpoint-url", proxy.endpoint] + self.work.log_dir_args(), self.work, self.env)
        oh.wait_until_consuming(consumer, self.work.logs)
        proxy.configure(hold=True, match=rf"^PUT /{bucket}/")
        body = create_request("w-hangs")
        message_id = self.send(url, body)
        record_name = f"{message_id}.error.json"
        oh.wait_for_log(consumer, self.work.logs,
                        lambda _: record_name in h.files_under(self.work.dead_letters),
                        "the message to be dead-lettered", timeout=60)
        h.wait_until(lambda: sq.messages_left(self.sqs, url) == 0, timeout=30,
                     what="the message to be deleted")
        result, _ = oh.stop_and_time(self, consumer, signal.SIGTERM)
        self.assert_exit(result, 0)

        self.assertEqual(h.bucket_keys(s3, bucket), [], "the hung writes never landed")
        record = self.assert_dead_lettered(
            message_id, body, rf"^received {max_receives + 1} times, more than --max-receives "
            rf"{max_receives}, .*; last error here: .*cut short")
        self.assertIn("PutObject", record["reason"], "the last error names the call")
        given_back = [m for m in oh.messages(self.work.logs, "WARNING")
                      if m.startswith(f"{message_id}: not applied, left to ")]
        self.assertEqual(len(given_back), max_receives, result.describe())


if __name__ == "__main__":
    unittest.main()
