"""SQS helpers for the integration tests, on top of wc_harness: queues over boto3, the
widget-producer, a moto whose SQS message operations are atomic (for several consumers at
once), and the log lines that count a consumer's work and its AWS calls."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import boto3
import botocore.config

import wc_harness as h

HERE = Path(__file__).resolve().parent

# Kept for modules written against the earlier harness (search them in a whole log line).
REQUEST_LINE_RE = re.compile(r" INFO .* (?:" + "|".join(h.OUTCOMES) + r") \d+\.\d ms$")
AWS_CALLS_RE = re.compile(r" INFO AWS: (\d+) calls \(")


def sqs_client(endpoint: str):
    config = botocore.config.Config(retries={"max_attempts": 3, "mode": "standard"})
    return boto3.client("sqs", endpoint_url=endpoint, region_name=h.TEST_REGION,
                        aws_access_key_id=h.TEST_ACCESS_KEY_ID,
                        aws_secret_access_key=h.TEST_SECRET, config=config)


def create_queue(sqs, prefix: str, *, fifo: bool = False, visibility_timeout: int = 30,
                 **attributes: str) -> tuple[str, str]:
    """A fresh queue: (name, url). FIFO queues get no content-based deduplication, so every
    message needs its own deduplication id, as the producer gives it."""
    name = h.fresh_name(prefix) + (".fifo" if fifo else "")
    attrs = {"VisibilityTimeout": str(visibility_timeout), **attributes}
    if fifo:
        attrs["FifoQueue"] = "true"
    return name, sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]


def messages_left(sqs, url: str) -> int:
    """Messages visible, in flight or delayed."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateNumberOfMessagesDelayed"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes.get(name, 0)) for name in names)


def messages_visible(sqs, url: str) -> int:
    """Messages a receive could get now (not in flight, not delayed)."""
    attributes = sqs.get_queue_attributes(QueueUrl=url,
                                          AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def drain(sqs, url: str) -> list[dict]:
    """Every message of a queue, with all its attributes, deleting each (for dead-letter
    queues, whose content a test inspects)."""
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                    MessageAttributeNames=["All"],
                                    MessageSystemAttributeNames=["All"]).get("Messages", [])
        if not batch:
            return messages
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)


def send_in_order(sqs, url: str, requests: dict[str, bytes]) -> None:
    """Sends each request body (in key order) as one message of a standard queue."""
    for body in requests.values():
        sqs.send_message(QueueUrl=url, MessageBody=body.decode("utf-8"))


class AtomicSqsMoto(h.MotoServer):
    """A private moto whose SQS message operations are atomic (see sqs_atomic_moto.py)."""

    def __init__(self, auth_after: int | None = None, **options):
        super().__init__(auth_after, atomic_sqs=True, **options)


# --------------------------------------------------------------------------------------------
# The producer


def producer_bin() -> Path:
    """widget-producer: $WC_PRODUCER_BIN, else next to the consumer under test."""
    path = Path(os.environ.get("WC_PRODUCER_BIN") or h.consumer_bin().parent / "widget-producer")
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise h.PrerequisiteMissing(f"widget-producer binary not found at {path}: build it "
                                    "(scripts/test.sh) or set WC_PRODUCER_BIN")
    return path


def run_producer(args: list, work: h.Workdir, env: dict[str, str],
                 timeout: float = 300) -> subprocess.CompletedProcess:
    completed = subprocess.run([str(producer_bin())] + [str(a) for a in args], cwd=work.cwd,
                               env=env, stdin=subprocess.DEVNULL, capture_output=True,
                               text=True, timeout=timeout)
    if completed.returncode != 0:
        raise AssertionError(f"widget-producer {' '.join(map(str, args))} exited "
                             f"{completed.returncode}:\n{completed.stdout}\n{completed.stderr}")
    return completed


# --------------------------------------------------------------------------------------------
# Reading a consumer's log


def request_lines(log_dir: Path) -> list[str]:
    """The per-request INFO lines: one per request this consumer finished (wc_harness.
    request_lines gives their parts)."""
    return [line for line in h.log_lines(log_dir) if h.request_lines([line])]


def aws_calls(result: h.RunResult) -> int:
    """The N of the stop summary's "AWS: N calls" line."""
    summary = h.summary_of(result.stdout.split("\n"))
    if summary is None or summary.aws_calls is None:
        raise AssertionError("no summary with an 'AWS: N calls' line in the output"
                             + result.describe())
    return summary.aws_calls


class AtomicSqsTestCase(h.ConsumerTestCase):
    """Tests of several consumers on one FIFO queue: a moto with atomic SQS message operations
    of the class's own (self.endpoint), clients for it, a workdir and the consumer's env."""

    @classmethod
    def setUpClass(cls):
        cls.moto_server = AtomicSqsMoto().start()

    @classmethod
    def tearDownClass(cls):
        cls.moto_server.stop()

    def setUp(self):
        self.endpoint = self.moto_server.endpoint
        self.sqs = sqs_client(self.endpoint)
        self.use_moto(self.endpoint)
