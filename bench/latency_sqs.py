"""SQS rows at real-world latency (issue 16): fauxqs's SQS and S3 behind latency_proxy.mjs (one
proxy per service, so each service's calls are counted), an S3 widget store, --concurrency 32:

- a FIFO queue whose requests concern only 8 widgets (8 message groups), against the
  per-group bound: a group's next message can only be received after its previous one was
  applied and deleted, so each group needs one receive, the applies of what it received, one
  delete, one after another; fauxqs hands out one message per group per receive (SQS: up to
  10), and the groups are not equal, so requests ÷ (the busiest group's requests × (2 + store
  calls per request) × latency);
- a standard queue, one consumer;
- a FIFO queue with the whole workload (thousands of widgets) and 1, 2 and 4 consumer
  processes on it at once: how the README says to scale past one machine (per-widget order
  holds across consumers only on a FIFO queue, so these final stores must agree).
"""

import hashlib
import json
import shutil
import subprocess
import threading
import time

import boto3

import measure
import servers
import workload
from latency import LatencyRow, observe
from measure import PRODUCER, Row
from report import fmt

CONCURRENCY = 32
FIFO_GROUPS = 8
FIFO_REQUESTS, FIFO_REQUESTS_QUICK = 400, 200  # about 20 s at today's rate
PROCESSES = (1, 2, 4)
FAUXQS_MESSAGES_PER_GROUP = 1  # per receive; SQS hands out up to 10


def sqs_client(server):
    env = servers.aws_environment()
    return boto3.client("sqs", endpoint_url=server.endpoint, region_name=env["AWS_REGION"],
                        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])


def few_widgets(source, target, groups):
    """source's requests rewritten so that they concern only `groups` widgets."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    ids = [f"00000000-0000-4000-8000-{n:012d}" for n in range(groups)]
    for path in sorted(source.iterdir()):
        request = json.loads(path.read_bytes())
        digest = int(hashlib.sha256(request["widgetId"].encode()).hexdigest(), 16)
        request["widgetId"] = ids[digest % groups]
        (target / path.name).write_text(json.dumps(request, separators=(",", ":")))


def group_sizes(directory):
    """Requests per widget (message group) in directory."""
    sizes = {}
    for path in directory.iterdir():
        widget = json.loads(path.read_bytes())["widgetId"]
        sizes[widget] = sizes.get(widget, 0) + 1
    return sizes


def send(server, directory, queue):
    """Every file of directory as a message of queue (setup, not measured)."""
    result = subprocess.run([PRODUCER, "--from-dir", directory, "--queue", queue,
                             "--endpoint-url", server.endpoint], capture_output=True, text=True,
                            env=servers.aws_environment())
    if result.returncode != 0:
        raise RuntimeError(f"sending {directory} to {queue} failed: {result.stderr[-500:]}")


class SqsLatencyRows:
    def __init__(self, bench, log):
        self.bench, self.log = bench, log
        args = bench.args
        self.latency_ms, self.jitter_ms = args.latency_ms, args.jitter_ms
        self.scenario = f"widget-consumer at {self.latency_ms:g} ± {self.jitter_ms:g} ms"
        self.fifo_requests = FIFO_REQUESTS_QUICK if args.quick else FIFO_REQUESTS

    def run(self):
        started = []
        try:
            fauxqs = servers.start_fauxqs(self.bench.work)
            started.append(fauxqs)
            proxies = {}
            for service in ("sqs", "s3"):
                proxies[service] = servers.start_latency_proxy(
                    self.bench.work, fauxqs, self.latency_ms, self.jitter_ms, service)
                started.append(proxies[service])
            self.fifo_row(fauxqs, proxies)
            self.queue_row(fauxqs, proxies, "SQS → S3", "lat-standard", 1)
            for processes in PROCESSES:
                self.queue_row(fauxqs, proxies, "SQS FIFO → S3", f"lat-fifo-p{processes}.fifo",
                               processes)
        finally:
            for server in reversed(started):
                server.stop()

    def fifo_row(self, fauxqs, proxies):
        source = self.bench.memory / "fast-requests"
        chosen = self.bench.memory / "fifo-source"
        if chosen.exists():
            shutil.rmtree(chosen)
        chosen.mkdir()
        for path in sorted(source.iterdir())[:self.fifo_requests]:
            shutil.copy(path, chosen / path.name)
        requests = self.bench.memory / "fifo-requests"
        few_widgets(chosen, requests, FIFO_GROUPS)
        queue = "lat-fifo8.fifo"
        sqs_client(fauxqs).create_queue(QueueName=queue, Attributes={"FifoQueue": "true"})
        send(fauxqs, requests, queue)
        result = self.measure(f"SQS FIFO, {FIFO_GROUPS} widgets → S3", 1, queue, "lat-fifo8",
                              fauxqs, proxies, self.fifo_requests)
        s3_calls, latency = result.calls_by_proxy.get("s3"), result.bound_latency_ms
        if s3_calls is not None and result.row.requests and latency:
            per_apply = s3_calls / result.row.requests
            chain = (2 + FAUXQS_MESSAGES_PER_GROUP * per_apply) * latency / 1000
            # The groups are not equal: the run lasts at least as long as its busiest group
            # takes, one receive, apply and delete after another.
            busiest = max(group_sizes(requests).values())
            cycles = -(-busiest // FAUXQS_MESSAGES_PER_GROUP)
            result.group_bound = self.fifo_requests / (cycles * chain)
            result.row.notes.append(
                f"per-group bound {fmt(result.group_bound)}/s = {self.fifo_requests} requests "
                f"÷ ({cycles} cycles of the busiest of {FIFO_GROUPS} groups ({busiest} "
                f"requests, {FAUXQS_MESSAGES_PER_GROUP} per receive) × (receive + "
                f"{per_apply:.2f} store calls + delete) × {latency:.1f} ms)")

    def queue_row(self, fauxqs, proxies, path, queue, processes):
        """The whole fauxqs workload through one queue, to `processes` consumers at once."""
        fifo = queue.endswith(".fifo")
        sqs_client(fauxqs).create_queue(QueueName=queue,
                                        Attributes={"FifoQueue": "true"} if fifo else {})
        requests = self.bench.memory / "fast-requests"
        started = time.monotonic()
        send(fauxqs, requests, queue)
        self.log(f"sent {len(list(requests.iterdir()))} requests to {queue} in "
                 f"{time.monotonic() - started:.1f} s (setup, not measured)")
        self.measure(path, processes, queue, queue.removesuffix(".fifo"), fauxqs, proxies,
                     len(list(requests.iterdir())))

    def measure(self, path, processes, queue, bucket, fauxqs, proxies, expected):
        s3 = fauxqs.s3()
        self.bench.fresh_buckets(s3, bucket)
        env = dict(servers.aws_environment(), AWS_ENDPOINT_URL_SQS=proxies["sqs"].endpoint,
                   AWS_ENDPOINT_URL_S3=proxies["s3"].endpoint)
        result = LatencyRow(Row(self.scenario, path, CONCURRENCY), "fauxqs (SQS, S3)",
                            processes=processes)
        rows = [Row(self.scenario, path, CONCURRENCY) for _ in range(processes)]
        out = self.bench.work / f"latency-{bucket}"
        counts = [None] * processes

        def one(index):
            # Each expects all: the processes share the queue, so each row's count is its share.
            counts[index] = measure.run_consumer(
                rows[index], ["-rq", queue, "-wb", bucket], out / f"p{index}", None, env=env,
                watch_threads=True)

        def run_all():
            threads = [threading.Thread(target=one, args=(i,)) for i in range(processes)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            combine(result.row, rows)

        observe(result, list(proxies.values()), [fauxqs], run_all, names=list(proxies))
        # A receive long-polls while the queue is empty for it: waiting, not latency. The
        # store's calls never wait, so their mean is the latency of a call here.
        result.bound_latency_ms = result.latency_by_proxy.get("s3")
        row = result.row
        if result.bound_latency_ms:
            row.notes.append(f"bound with the store calls' mean latency "
                             f"{result.bound_latency_ms:.1f} ms (receives long-poll)")
        if row.requests != expected:
            row.notes.append(f"INCOMPLETE: {row.requests} of {expected} done")
        if processes > 1:
            row.notes.append("requests per process " + ", ".join(str(r.requests) for r in rows))
        total = {}
        for one_counts in counts:
            for name, n in (one_counts or {}).items():
                total[name] = total.get(name, 0) + n
        row.notes.append(", ".join(f"{n} {name}" for name, n in total.items() if n))
        result.store = workload.bucket_digest(s3, bucket)
        self.bench.latency_rows.append(result)
        self.log(f"{row.scenario}, {path}, {processes} × {CONCURRENCY}: {fmt(row.rate)} "
                 f"requests/s, bound {fmt(result.latency_bound)}, CPU "
                 f"{fmt(row.cpu_ms_per_request, 3)} ms/request, {row.threads} threads")
        return result


def combine(row, rows):
    """Several consumer processes as one row: their sums, the longest wall, the largest RSS
    and thread count (per process)."""
    row.requests = sum(r.requests or 0 for r in rows)
    row.wall_s = max(r.wall_s or 0 for r in rows)
    row.calls = sum(r.calls or 0 for r in rows)
    row.cpu_s = row.process_cpu_s = sum(r.cpu_s or 0 for r in rows)
    row.rss_mb = max(r.rss_mb or 0 for r in rows)
    row.threads = max(r.threads or 0 for r in rows)
    row.notes += [note for r in rows for note in r.notes if "INCOMPLETE" not in note]
