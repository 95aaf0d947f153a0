#!/usr/bin/env python3
"""widget-consumer benchmark: measures every row in one run and prints one table.

See bench/README.md for what each row means. Setup (generating and uploading requests) is kept
out of every measured number.
"""

import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import compat
import counted
import latency
import latency_sqs
import measure
import report
import servers
import workload
from measure import Row

TRANSPORT_IN_FLIGHT = 32  # like the consumer rows at concurrency 32
# GETs per transport mode: about 8 s per mode on moto (Connection: close), 4 s on fauxqs.
TRANSPORT_CALLS = {"moto": 1500, "fauxqs": 20000}
TRANSPORT_CALLS_QUICK = {"moto": 300, "fauxqs": 2000}
# Groups of rows, in the order they run; --only picks some. Each needs these workloads.
GROUPS = {"moto": ("moto-requests",), "fauxqs": ("fast-requests",),
          "directories": ("moto-requests", "backlog"), "latency": ("fast-requests",),
          "latency-sqs": ("fast-requests",)}


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moto-requests", type=int, default=3000,
                        help="requests per row on moto and directories (default 3000)")
    parser.add_argument("--fast-requests", type=int, default=20000,
                        help="requests for the fauxqs row (default 20000)")
    parser.add_argument("--backlog", type=int, default=100000,
                        help="backlog for the peak-RSS row (default 100000)")
    parser.add_argument("--quick", action="store_true",
                        help="small counts (300/2000/5000): checks the script, not the product")
    parser.add_argument("--work-dir", help="where rows keep their files (default: a new temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work dir afterwards")
    parser.add_argument("--results", help="also write the report as Markdown to this file")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                        help="first wait up to SECONDS for the machine to be nearly idle")
    parser.add_argument("--only", type=only_groups, default=list(GROUPS), metavar="GROUPS",
                        help="run only these groups of rows, comma-separated: "
                             f"{', '.join(GROUPS)} (default: all)")
    parser.add_argument("--latency-ms", type=float, default=20.0,
                        help="latency of every call in the latency rows (default 20)")
    parser.add_argument("--jitter-ms", type=float, default=5.0,
                        help="± this much, uniformly, around --latency-ms (default 5)")
    args = parser.parse_args()
    args.partial = args.only != list(GROUPS)
    if args.quick:
        args.moto_requests, args.fast_requests, args.backlog = 300, 2000, 5000
    return args


def only_groups(text):
    groups = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in groups if name not in GROUPS]
    if unknown or not groups:
        raise argparse.ArgumentTypeError(f"unknown group {', '.join(unknown) or '(none)'}; "
                                         f"choose from {', '.join(GROUPS)}")
    return [name for name in GROUPS if name in groups]  # in the order they run


class Bench:
    def __init__(self, args, work, memory):
        self.args = args
        self.work = work  # row files, on the machine's disk
        self.memory = memory  # workloads and the backlog row, on tmpfs when there is one
        self.rows = []
        self.ceilings = []
        self.compat = {}  # server name -> compat.check results
        self.digests = {}  # report.digest_key(row) -> (widget count, digest of keys + bodies)
        self.contents = {}  # report.digest_key(row) -> workload.content_fingerprint(...)
        self.ceiling_object_bytes = 0
        self.fauxqs_ceiling = None  # wrk GET/s at 16 in flight, like moto's
        self.transport = []  # (server name, one transport-cpu result line) per mode
        self.transport_missing = []  # (server name, why transport-cpu gave no numbers)
        self.counts = {}  # counted per-request work, see counted_rows
        self.counts_missing = None  # why there are no counts
        self.latency_rows = []  # latency.LatencyRow, see bench/latency.py

    # --- setup helpers -----------------------------------------------------------------

    def fresh_buckets(self, s3, *names):
        for name in names:
            s3.create_bucket(Bucket=name)

    def upload(self, server, directory, bucket):
        started = time.monotonic()
        count = workload.upload(server.endpoint, directory, bucket, self.memory)
        log(f"uploaded {count} requests to {server.name} s3://{bucket} in "
            f"{time.monotonic() - started:.1f} s (setup, not measured)")
        return count

    def add(self, row, digest=None):
        self.rows.append(row)
        if digest:
            self.digests[report.digest_key(row)] = digest
        log(f"{row.scenario}: {row.requests} requests, {row.wall_s:.2f} s, "
            f"{row.rate:.0f} requests/s, CPU {row.cpu_ms_per_request:.3f} ms/request")

    def observed(self, row, server, run):
        """Runs run() and notes the server's CPU and everyone else's during it."""
        machine_before = servers.machine_busy_seconds()
        server_before = servers.process_cpu_seconds(server.pid) if server else 0.0
        started = time.monotonic()
        result = run()
        elapsed = time.monotonic() - started
        server_cpu = servers.process_cpu_seconds(server.pid) - server_before if server else 0.0
        other = servers.machine_busy_seconds() - machine_before - server_cpu - row.process_cpu_s
        if server:
            row.server_cpu_pct = 100 * server_cpu / elapsed
        row.other_cpu_pct = max(0.0, 100 * other / elapsed)
        return result

    # --- moto ---------------------------------------------------------------------------

    def measure_ceiling(self, moto):
        s3 = moto.s3()
        if "ceiling" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
            s3.create_bucket(Bucket="ceiling")
            sample = sorted((self.memory / "moto-requests").iterdir())[0].read_bytes()
            s3.put_object(Bucket="ceiling", Key="object", Body=sample)
            self.ceiling_object_bytes = len(sample)
        url = s3.generate_presigned_url("get_object", ExpiresIn=3600,
                                        Params={"Bucket": "ceiling", "Key": "object"})
        rate = measure.server_ceiling(url)
        self.ceilings.append(rate)
        log(f"moto ceiling: {rate:.0f} GET/s at 16 in flight")
        return url

    def transport_rows(self, server, url):
        """CPU per call of each HTTP transport against url; a failure is reported, not fatal."""
        calls = (TRANSPORT_CALLS_QUICK if self.args.quick else TRANSPORT_CALLS)[server.name]
        try:
            results = measure.transport_cpu(url, calls, TRANSPORT_IN_FLIGHT)
        except RuntimeError as error:
            self.transport_missing.append((server.name, str(error)))
            log(f"{server.name} transport CPU: not measured: {error}")
            return
        for result in results:
            self.transport.append((server.name, result))
            log(f"{server.name} transport {result['mode']}: {result['cpu_us_per_call']:.0f} "
                f"µs CPU/call, {result['calls_per_s']:.0f} calls/s, "
                f"{result['connections']} connections")

    def reference_row(self, server, scenario="reference (boto3, sequential)"):
        """The boto3 reference on the moto workload; its final store is every row's yardstick."""
        s3 = server.s3()
        self.fresh_buckets(s3, "ref-requests", "ref-widgets")
        expected = self.upload(server, self.memory / "moto-requests", "ref-requests")
        row = Row(scenario, "S3 → S3", 1)
        self.observed(row, server, lambda: measure.run_reference(
            row, server.endpoint, "ref-requests", "ref-widgets",
            self.work / f"reference-{server.name}", expected))
        self.add(row, workload.bucket_digest(s3, "ref-widgets"))

    def consumer_s3_row(self, moto, concurrency):
        s3 = moto.s3()
        requests, widgets = f"c{concurrency}-requests", f"c{concurrency}-widgets"
        self.fresh_buckets(s3, requests, widgets)
        expected = self.upload(moto, self.memory / "moto-requests", requests)
        row = Row("widget-consumer on moto", "S3 → S3", concurrency)
        counts = self.observed(row, moto, lambda: measure.run_consumer(
            row, ["--endpoint-url", moto.endpoint, "-rb", requests, "-wb", widgets],
            self.work / f"moto-s3-c{concurrency}", expected))
        row.notes.append(outcomes(counts))
        if workload.object_count(s3, requests):
            row.notes.append("REQUESTS LEFT in the source")
        self.add(row, workload.bucket_digest(s3, widgets))

    def dynamodb_supported(self, moto):
        probe_dir = self.work / "dynamodb-probe"
        (probe_dir / "requests").mkdir(parents=True, exist_ok=True)
        probe = subprocess.run([measure.CONSUMER, "--requests-dir", "requests", "-dt", "probe",
                                "--endpoint-url", moto.endpoint, "--idle-timeout", "0.1"],
                               capture_output=True, text=True, env=servers.aws_environment(),
                               cwd=probe_dir)
        return "not available in this build" not in probe.stdout + probe.stderr

    def consumer_dynamodb_row(self, moto, concurrency):
        s3, dynamodb = moto.s3(), moto.dynamodb()
        requests, table = f"d{concurrency}-requests", f"d{concurrency}-widgets"
        self.fresh_buckets(s3, requests)
        dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id",
                                                     "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        expected = self.upload(moto, self.memory / "moto-requests", requests)
        row = Row("widget-consumer on moto", "S3 → DynamoDB", concurrency)
        counts = self.observed(row, moto, lambda: measure.run_consumer(
            row, ["--endpoint-url", moto.endpoint, "-rb", requests, "-dt", table],
            self.work / f"moto-ddb-c{concurrency}", expected))
        row.notes.append(outcomes(counts))
        self.contents[report.digest_key(row)] = workload.content_fingerprint(
            workload.table_widgets(dynamodb, table))
        self.add(row)

    def moto_rows(self):
        moto = servers.start_moto(self.work)
        log(f"moto on {moto.endpoint} (pid {moto.pid})")
        try:
            self.compat["moto"] = compat.check(moto, self.work / "compat-moto")
            ceiling_url = self.measure_ceiling(moto)
            self.transport_rows(moto, ceiling_url)
            self.reference_row(moto)
            for concurrency in (1, 32):
                self.consumer_s3_row(moto, concurrency)
            if self.dynamodb_supported(moto):
                for concurrency in (1, 32):
                    self.consumer_dynamodb_row(moto, concurrency)
            else:
                self.rows.append(Row("widget-consumer on moto", "S3 → DynamoDB", "1, 32",
                                     notes=["not yet: this build says the DynamoDB widget "
                                            "store is not available"]))
            self.measure_ceiling(moto)
        finally:
            moto.stop()
        ceiling = max(self.ceilings)
        for row in self.rows:
            if row.calls_per_second:
                row.busy_pct = 100 * row.calls_per_second / ceiling

    # --- fauxqs ---------------------------------------------------------------------------

    def fauxqs_rows(self):
        fauxqs = servers.start_fauxqs(self.work)
        log(f"fauxqs on {fauxqs.endpoint} (pid {fauxqs.pid})")
        try:
            self.compat["fauxqs"] = compat.check(fauxqs, self.work / "compat-fauxqs")
            s3 = fauxqs.s3()
            url = self.transport_object(s3)
            self.transport_rows(fauxqs, url)
            self.fauxqs_ceiling = measure.server_ceiling(url)
            log(f"fauxqs ceiling: {self.fauxqs_ceiling:.0f} GET/s at 16 in flight")
            self.fresh_buckets(s3, "fast-requests", "fast-widgets")
            expected = self.upload(fauxqs, self.memory / "fast-requests", "fast-requests")
            row = Row("widget-consumer on fauxqs", "S3 → S3", 32)
            counts = self.observed(row, fauxqs, lambda: measure.run_consumer(
                row, ["--endpoint-url", fauxqs.endpoint, "-rb", "fast-requests",
                      "-wb", "fast-widgets"], self.work / "fauxqs-c32", expected))
            row.notes.append(outcomes(counts))
            if row.calls_per_second:
                row.busy_pct = 100 * row.calls_per_second / self.fauxqs_ceiling
            self.add(row, workload.bucket_digest(s3, "fast-widgets"))
            # The CPU target again where connections are kept alive, as AWS keeps them: moto
            # opens one per call, and that kernel work alone is over the limit there.
            self.reference_row(fauxqs, report.FAUXQS_REFERENCE)
            self.counted_rows(fauxqs)
        finally:
            fauxqs.stop()

    def counted_rows(self, fauxqs):
        """The fauxqs workload again under perf stat (system calls, context switches) and the
        moto workload under callgrind (instructions): per-request counts that the machine's
        load does not change. Not rows of the table: these runs are slowed by what counts."""
        self.counts_missing = counted.missing()
        if self.counts_missing:
            log(f"counted work per request: not measured: {self.counts_missing}")
            return
        s3 = fauxqs.s3()
        runs = (("perf", "fast-requests", counted.perf_wrapper),
                ("callgrind", "moto-requests", counted.callgrind_wrapper))
        for tool, workload_name, wrapper in runs:
            requests, widgets = f"count-{tool}-requests", f"count-{tool}-widgets"
            self.fresh_buckets(s3, requests, widgets)
            expected = self.upload(fauxqs, self.memory / workload_name, requests)
            out_dir = self.work / f"counted-{tool}"
            out_path = out_dir / f"{tool}.out"
            row = Row(f"counted ({tool})", "S3 → S3", 32)
            measure.run_consumer(row, ["--endpoint-url", fauxqs.endpoint, "-rb", requests,
                                       "-wb", widgets], out_dir, expected,
                                 wrapper=wrapper(out_path))
            if tool == "perf":
                self.counts["syscalls"] = {event: count / row.requests for event, count
                                           in counted.perf_counts(out_path).items()}
                self.counts["syscall_requests"] = row.requests
            else:
                self.counts["instructions"] = counted.callgrind_total(out_path) / row.requests
                self.counts["instruction_requests"] = row.requests
        log(f"counted: {self.counts.get('instructions', 0):,.0f} instructions and "
            f"{self.counts['syscalls'].get('raw_syscalls:sys_enter', 0):.1f} system calls "
            f"per request")

    def transport_object(self, s3):
        """A presigned GET of one request-sized object in a bucket of its own."""
        self.fresh_buckets(s3, "transport")
        sample = sorted((self.memory / "fast-requests").iterdir())[0].read_bytes()
        s3.put_object(Bucket="transport", Key="object", Body=sample)
        return s3.generate_presigned_url("get_object", ExpiresIn=3600,
                                         Params={"Bucket": "transport", "Key": "object"})

    # --- directories ----------------------------------------------------------------------

    def directory_row(self, scenario, source, concurrency, row_dir):
        workload.copy(source, row_dir / "requests")
        expected = len(os.listdir(row_dir / "requests"))
        row = Row(scenario, "directory → directory", concurrency)
        counts = self.observed(row, None, lambda: measure.run_consumer(
            row, ["--requests-dir", row_dir / "requests", "--widgets-dir", row_dir / "widgets"],
            row_dir, expected))
        row.notes.append(outcomes(counts))
        if os.listdir(row_dir / "requests"):
            row.notes.append("REQUESTS LEFT in the source")
        self.contents[report.digest_key(row)] = workload.content_fingerprint(
            workload.directory_widgets(row_dir / "widgets"))
        self.add(row, workload.directory_digest(row_dir / "widgets"))
        shutil.rmtree(row_dir / "widgets", ignore_errors=True)
        return row

    def directory_rows(self):
        # The moto workload, so these rows' final stores must match the reference's.
        for concurrency in (1, 32):
            self.directory_row("widget-consumer", self.memory / "moto-requests", concurrency,
                               self.work / f"dir-c{concurrency}")
        row = self.directory_row(f"{self.args.backlog:,}-request backlog",
                                 self.memory / "backlog", 32, self.memory / "dir-backlog")
        where = "tmpfs" if self.memory != self.work else "disk"
        row.notes.insert(0, f"peak RSS row; directories on {where} (fastest to fill)")

    # --- the run --------------------------------------------------------------------------

    def generate(self):
        needed = {name for group in self.args.only for name in GROUPS[group]}
        for name, count in (("moto-requests", self.args.moto_requests),
                            ("fast-requests", self.args.fast_requests),
                            ("backlog", self.args.backlog)):
            if name not in needed:
                continue
            started = time.monotonic()
            summary = workload.generate(self.memory / name, count)
            log(f"{name}: {summary} [{time.monotonic() - started:.1f} s, setup]")

    def run(self):
        self.generate()
        runs = {"moto": self.moto_rows, "fauxqs": self.fauxqs_rows,
                "directories": self.directory_rows,
                "latency": lambda: latency.LatencyRows(self, log).run(),
                "latency-sqs": lambda: latency_sqs.SqsLatencyRows(self, log).run()}
        for group in self.args.only:
            runs[group]()


def outcomes(counts):
    shown = [f"{n} {name}" for name, n in counts.items() if n]
    return ", ".join(shown)


def yardstick():
    """CPU seconds of a fixed Python loop: hosts of this machine kind differ in speed (two
    runs a week apart differed 2x in every row), so a report says how fast its host was."""
    started = time.process_time()
    sum(i * i for i in range(5_000_000))
    return time.process_time() - started


def machine():
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    commit = subprocess.run(["git", "-C", measure.ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", measure.ROOT, "status", "--porcelain", "--", "src"],
                           capture_output=True, text=True).stdout.strip()
    return {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
            "yardstick_s": yardstick(),
            "machine": f"{os.cpu_count()} cores, {model}, {platform.system()} "
                       f"{platform.release()}",
            "commit": commit + (" (src/ modified)" if dirty else ""),
            "load": os.getloadavg()}


def main():
    args = parse_args()
    work = Path(args.work_dir) if args.work_dir else Path(tempfile.mkdtemp(prefix="wc-bench."))
    work.mkdir(parents=True, exist_ok=True)
    shm = Path("/dev/shm")
    memory = Path(tempfile.mkdtemp(prefix="wc-bench.", dir=shm)) if shm.is_dir() else work
    if args.wait_quiet:
        busy = servers.wait_for_quiet(args.wait_quiet, report=log)
        log(f"machine {100 * busy:.0f} % busy before the run")
    info = machine()
    log(f"work dir {work}, workloads in {memory}; load average {info['load'][0]:.2f} at start")
    bench = Bench(args, work, memory)
    started = time.monotonic()
    try:
        bench.run()
    finally:
        if not args.keep:
            if memory != work:
                shutil.rmtree(memory, ignore_errors=True)
            if not args.work_dir:
                shutil.rmtree(work, ignore_errors=True)
    info["load_end"] = os.getloadavg()
    info["duration_s"] = time.monotonic() - started
    text = report.render(bench, info)
    print(text)
    if args.results:
        Path(args.results).write_text(text)


if __name__ == "__main__":
    main()
