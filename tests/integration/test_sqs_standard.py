"""A standard SQS queue as the request source (SPEC.md §9), end to end against moto: the real
request sets end as the conformance store in each store (directory, S3, DynamoDB), the queue ends empty, rejected
requests go to the dead-letter directory or a dead-letter queue with their original bytes, and
a missing queue is a fatal error naming it."""

import unittest
from collections import Counter

import json

import dynamodb_harness as dh
import sqs_harness as sq
import wc_harness as h

# SQS refuses an empty message, so the empty request of hw6-official cannot travel by queue.


def without_empty(data: h.ConformanceSet) -> h.ConformanceSet:
    requests = {k: v for k, v in data.requests.items() if v.strip()}
    rejected = [k for k in data.rejected if k in requests]
    return h.ConformanceSet(data.name, requests, data.widgets, rejected, data.warnings)


class StandardQueue(h.ConsumerTestCase):
    def setUp(self):
        self.endpoint = h.shared_moto().endpoint
        self.sqs = sq.sqs_client(self.endpoint)
        self.work = self.workdir()
        self.env = h.consumer_env(self.work)

    def consume(self, queue: str, *args) -> h.RunResult:
        places = ([] if "--dead-letter-queue" in args
                  else ["--dead-letter-dir", self.work.dead_letters])
        return h.run_consumer(["-rq", queue, *h.idle_timeout_args(), "--endpoint-url",
                               self.endpoint, "--log-dir", self.work.logs] + places + list(args),
                              self.work, self.env)

    def produce(self, queue: str, data: h.ConformanceSet) -> None:
        """widget-producer copies the set into the queue, in key order."""
        source = self.work.root / "set"
        h.write_request_files(source, data.requests)
        sq.run_producer(["--from-dir", source, "--queue", queue, "--endpoint-url", self.endpoint],
                        self.work, self.env)

    def test_producer_2021_through_a_queue_into_the_directory_store(self):
        data = h.load_conformance("producer-2021")
        name, url = sq.create_queue(self.sqs, "wc-req")
        self.produce(name, data)
        widgets_dir = self.work.root / "widgets"

        result = self.consume(name, "--widgets-dir", widgets_dir)

        self.assert_exit(result, 0)
        self.assert_directory_store(widgets_dir, data.widgets)
        self.assertEqual(sq.messages_left(self.sqs, url), 0, "the queue should end empty")
        self.assertEqual(len(sq.request_lines(self.work.logs)), len(data.requests))
        self.assert_warning_count(self.work.logs, data.warnings)
        self.assert_secret_absent(h.TEST_SECRET, result.output, log_dir=self.work.logs)

    def test_producer_2021_through_a_queue_given_by_url_into_the_s3_store(self):
        data = h.load_conformance("producer-2021")
        s3 = h.s3_client(self.endpoint)
        bucket = h.create_bucket(s3, "wc-wid")
        name, url = sq.create_queue(self.sqs, "wc-req")
        self.produce(url, data)

        result = self.consume(url, "-ss", "S3", "-wb", bucket)

        self.assert_exit(result, 0)
        self.assert_s3_store(s3, bucket, data.widgets)
        self.assertEqual(sq.messages_left(self.sqs, url), 0, "the queue should end empty")

    def test_producer_2021_through_a_queue_into_a_dynamodb_table(self):
        data = h.load_conformance("producer-2021")
        expected = json.loads((h.conformance_dir() / "producer-2021.expected.json")
                              .read_text())["dynamodb"]["widgets"]
        dynamodb = dh.dynamodb_client(self.endpoint)
        table = dh.create_table(dynamodb)
        name, url = sq.create_queue(self.sqs, "wc-req")
        self.produce(name, data)

        result = self.consume(name, "-ss", "DynamoDB", "-dt", table)

        self.assert_exit(result, 0)
        self.assert_widgets_equal(dh.read_table(dynamodb, table), expected, f"table {table}")
        self.assertEqual(sq.messages_left(self.sqs, url), 0, "the queue should end empty")

    def test_rejected_messages_go_to_the_dead_letter_directory_and_are_deleted(self):
        data = without_empty(h.load_conformance("hw6-official"))
        name, url = sq.create_queue(self.sqs, "wc-req")
        sq.send_in_order(self.sqs, url, data.requests)
        widgets_dir = self.work.root / "widgets"

        result = self.consume(name, "--widgets-dir", widgets_dir)

        self.assert_exit(result, 0)
        self.assert_directory_store(widgets_dir, data.widgets)
        self.assertEqual(sq.messages_left(self.sqs, url), 0, "rejected messages must be deleted")
        self.assert_warning_count(self.work.logs, data.warnings)
        # Letters are named by MessageId: compare the bytes as a multiset.
        files = h.files_under(self.work.dead_letters)
        letters = {n: b for n, b in files.items() if not n.endswith(".error.json")}
        self.assertEqual(Counter(letters.values()),
                         Counter(data.requests[k] for k in data.rejected))
        for letter in letters:
            self.assert_dead_letter_record(letter, files[f"{letter}.error.json"])

    def test_rejected_messages_go_to_a_dead_letter_queue_with_their_record(self):
        data = without_empty(h.load_conformance("hw6-official"))
        for fifo in (False, True):
            with self.subTest(fifo_dead_letter_queue=fifo):
                name, url = sq.create_queue(self.sqs, "wc-req")
                sq.send_in_order(self.sqs, url, data.requests)
                dead_name, dead_url = sq.create_queue(self.sqs, "wc-dlq", fifo=fifo)
                widgets_dir = self.work.root / f"widgets-{fifo}"

                result = self.consume(name, "--widgets-dir", widgets_dir,
                                      "--dead-letter-queue", dead_name)

                self.assert_exit(result, 0)
                self.assert_directory_store(widgets_dir, data.widgets)
                self.assertEqual(sq.messages_left(self.sqs, url), 0)
                letters = sq.drain(self.sqs, dead_url)
                self.assertEqual(Counter(m["Body"].encode() for m in letters),
                                 Counter(data.requests[k] for k in data.rejected),
                                 "the dead-letter queue should hold the rejected bodies")
                for letter in letters:
                    attributes = {k: v["StringValue"]
                                  for k, v in letter["MessageAttributes"].items()}
                    self.assertTrue(attributes["reason"].strip())
                    self.assertTrue(attributes["sourceKey"])
                    self.assert_dead_letter_record(attributes["sourceKey"],
                                                   attributes["deadLetterRecord"].encode())
                    if fifo:
                        self.assertTrue(letter["Attributes"].get("MessageGroupId"))
                self.assertEqual(h.files_under(self.work.dead_letters), {},
                                 "nothing should go to the dead-letter directory")

    def test_missing_queue_is_fatal_and_names_the_queue(self):
        missing = h.fresh_name("wc-nope")
        result = self.consume(missing, "--widgets-dir", self.work.root / "widgets")
        self.assert_exit(result, 1)
        self.assertIn(missing, result.output)
        self.assertRegex(result.output, r"NonExistentQueue|QueueDoesNotExist")

    def test_missing_dead_letter_queue_is_fatal_before_any_work(self):
        name, url = sq.create_queue(self.sqs, "wc-req")
        self.sqs.send_message(QueueUrl=url, MessageBody='{"type":"bad"}')
        missing = h.fresh_name("wc-nodlq")
        result = self.consume(name, "--widgets-dir", self.work.root / "widgets",
                              "--dead-letter-queue", missing)
        self.assert_exit(result, 1)
        self.assertIn(missing, result.output)
        self.assertEqual(sq.messages_left(self.sqs, url), 1, "the request must stay queued")


if __name__ == "__main__":
    unittest.main()
