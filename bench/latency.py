"""Rows at real-world latency (issue 16): widget-consumer against fauxqs (S3) and DynamoDB Local
(or moto when it is not installed) behind latency_proxy.mjs, which holds every call for a fixed
latency with jitter, at --concurrency 32, 128 and 512.

Against AWS a call takes milliseconds, and then throughput is set by the calls in flight
(Little's law): requests/s ≤ concurrency ÷ (calls per request × mean latency per call). Each row
gives that bound from its own measured calls per request and the proxy's measured mean latency,
and the CPU bound: the machine's cores ÷ the consumer's CPU per request.
"""

import os
import time
from dataclasses import dataclass, field

import measure
import servers
import workload
from measure import Row
from report import fmt

CONCURRENCY = (32, 128, 512)
CORES = os.cpu_count()


@dataclass
class LatencyRow:
    """One row at latency: the consumer's Row plus what the proxies and servers saw."""
    row: Row
    servers: str  # which servers answered, behind the proxy
    processes: int = 1  # consumer processes side by side, each at row.concurrency
    proxy_calls: int = 0
    latency_ms_sum: float = 0.0
    max_in_flight: int = 0
    proxy_errors: int = 0
    proxy_cpu_s: float = 0.0  # every latency proxy of the row (one per server)
    busiest_proxy_cpu_s: float = 0.0  # the busiest one: each is one Node thread
    server_cpu_s: float = 0.0  # every server of the row
    other_cpu_s: float = 0.0  # everything else on the machine
    elapsed_s: float = 0.0  # the observed window: the consumer's whole life
    store: tuple = None  # (widget count, digest): bucket_digest or content_fingerprint
    store_kind: str = "widgets"  # "widgets" (bucket_digest), "widgets, content" (fingerprint)
    calls_by_proxy: dict = field(default_factory=dict)  # proxy name -> calls, when named
    group_bound: float = None  # FIFO rows: the per-group bound, requests/s
    by_proxy: list = field(default_factory=list)  # "server N calls, M ms" when several
    latency_by_proxy: dict = field(default_factory=dict)  # proxy name -> mean ms, when named
    bound_latency_ms: float = None  # the latency the bound uses, when not every call's mean

    @property
    def mean_latency_ms(self):
        return self.latency_ms_sum / self.proxy_calls if self.proxy_calls else None

    @property
    def latency_bound(self):
        """Little's law: concurrency ÷ (calls per request × mean latency per call)."""
        calls, latency = self.row.calls_per_request, self.bound_latency_ms or self.mean_latency_ms
        in_flight = self.processes * self.row.concurrency
        return in_flight / (calls * latency / 1000) if calls and latency else None

    @property
    def cpu_bound(self):
        """Requests/s if the consumer had every core: cores ÷ its CPU per request."""
        cpu = self.row.cpu_ms_per_request
        return CORES * 1000 / cpu if cpu else None

    @property
    def machine_bound(self):
        """Requests/s if every core went to the consumer, the proxies and the servers at this
        row's CPU per request each: what this machine can do with the servers on it."""
        if not self.row.requests or self.row.cpu_s is None:
            return None
        total = self.row.cpu_s + self.proxy_cpu_s + self.server_cpu_s
        return CORES * self.row.requests / total if total else None

    def pct_of_core(self, seconds):
        return 100 * seconds / self.elapsed_s if self.elapsed_s else None


def cpu_snapshot(proxies, backends):
    return ([servers.process_cpu_seconds(p.pid) for p in proxies],
            sum(servers.process_cpu_seconds(s.pid) for s in backends),
            servers.machine_busy_seconds(), time.monotonic())


def observe(result, proxies, backends, run, names=None):
    """Runs run() (the consumer) and fills result with the proxies' counters and every
    process's CPU over the same window; names (one per proxy) fill result.calls_by_proxy."""
    stats_before = [servers.latency_stats(p, reset_max=True) for p in proxies]
    before = cpu_snapshot(proxies, backends)
    outcome = run()
    after = cpu_snapshot(proxies, backends)
    stats_after = [servers.latency_stats(p) for p in proxies]
    for index, (old, new) in enumerate(zip(stats_before, stats_after)):
        calls = new["calls"] - old["calls"]
        if len(proxies) > 1 and calls:
            mean = (new["latency_ms_sum"] - old["latency_ms_sum"]) / calls
            result.by_proxy.append(f"{proxies[index].name.split('→ ')[-1]} {calls:,} calls, "
                                   f"{mean:.1f} ms")
        result.proxy_calls += new["calls"] - old["calls"]
        if names:
            result.calls_by_proxy[names[index]] = calls
            if calls:
                result.latency_by_proxy[names[index]] = \
                    (new["latency_ms_sum"] - old["latency_ms_sum"]) / calls
        result.latency_ms_sum += new["latency_ms_sum"] - old["latency_ms_sum"]
        result.proxy_errors += new["errors"] - old["errors"]
        result.max_in_flight = max(result.max_in_flight, new["max_in_flight"])
    proxy_cpu = [end - start for start, end in zip(before[0], after[0])]
    result.proxy_cpu_s, result.busiest_proxy_cpu_s = sum(proxy_cpu), max(proxy_cpu)
    result.server_cpu_s = after[1] - before[1]
    result.elapsed_s = after[3] - before[3]
    result.other_cpu_s = max(0.0, after[2] - before[2] - result.proxy_cpu_s -
                             result.server_cpu_s - (result.row.process_cpu_s or 0.0))
    result.row.server_cpu_pct = result.pct_of_core(result.server_cpu_s)
    result.row.other_cpu_pct = result.pct_of_core(result.other_cpu_s)
    if result.proxy_errors:
        result.row.notes.append(f"{result.proxy_errors} upstream errors at the proxy")
    return outcome


class LatencyRows:
    """Starts the servers and proxies once, then measures each row on fresh buckets/tables."""

    def __init__(self, bench, log):
        self.bench, self.log = bench, log
        self.latency_ms, self.jitter_ms = bench.args.latency_ms, bench.args.jitter_ms
        self.scenario = f"widget-consumer at {self.latency_ms:g} ± {self.jitter_ms:g} ms"
        self.requests_dir = bench.memory / "fast-requests"

    def run(self):
        started = []
        try:
            fauxqs = servers.start_fauxqs(self.bench.work)
            started.append(fauxqs)
            s3_proxy = self.proxy(fauxqs, started)
            for concurrency in CONCURRENCY:
                self.s3_row(fauxqs, s3_proxy, concurrency)
            table_server = self.dynamodb_server(started)
            table_proxy = self.proxy(table_server, started)
            for concurrency in CONCURRENCY:
                self.dynamodb_row(fauxqs, s3_proxy, table_server, table_proxy, concurrency)
        finally:
            for server in reversed(started):
                server.stop()

    def proxy(self, upstream, started):
        proxy = servers.start_latency_proxy(self.bench.work, upstream, self.latency_ms,
                                            self.jitter_ms)
        started.append(proxy)
        self.log(f"{proxy.name} on {proxy.endpoint} (pid {proxy.pid}), "
                 f"{self.latency_ms:g} ± {self.jitter_ms:g} ms")
        return proxy

    def dynamodb_server(self, started):
        if servers.dynamodb_local_jar():
            server = servers.start_dynamodb_local(self.bench.work)
        else:  # moto opens a connection per call and is slow; the table names the server
            server = servers.start_moto(self.bench.work)
        started.append(server)
        self.log(f"{server.name} on {server.endpoint} (pid {server.pid})")
        return server

    def s3_row(self, fauxqs, proxy, concurrency):
        s3 = fauxqs.s3()
        requests, widgets = f"lat-c{concurrency}-requests", f"lat-c{concurrency}-widgets"
        self.bench.fresh_buckets(s3, requests, widgets)
        expected = self.bench.upload(fauxqs, self.requests_dir, requests)
        result = LatencyRow(Row(self.scenario, "S3 → S3", concurrency), "fauxqs")
        self.measure(result, [proxy], [fauxqs],
                     ["--endpoint-url", proxy.endpoint, "-rb", requests, "-wb", widgets],
                     None, expected)
        if workload.object_count(s3, requests):
            result.row.notes.append("REQUESTS LEFT in the source")
        result.store = workload.bucket_digest(s3, widgets)

    def dynamodb_row(self, fauxqs, s3_proxy, table_server, table_proxy, concurrency):
        s3, dynamodb = fauxqs.s3(), table_server.dynamodb()
        requests, table = f"latd-c{concurrency}-requests", f"latd-c{concurrency}-widgets"
        self.bench.fresh_buckets(s3, requests)
        dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id",
                                                     "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        expected = self.bench.upload(fauxqs, self.requests_dir, requests)
        # One proxy per service, each with its own endpoint, as AWS has.
        env = dict(servers.aws_environment(), AWS_ENDPOINT_URL_S3=s3_proxy.endpoint,
                   AWS_ENDPOINT_URL_DYNAMODB=table_proxy.endpoint)
        result = LatencyRow(Row(self.scenario, "S3 → DynamoDB", concurrency),
                            f"fauxqs + {table_server.name}")
        self.measure(result, [s3_proxy, table_proxy], [fauxqs, table_server],
                     ["-rb", requests, "-dt", table], env, expected)
        if workload.object_count(s3, requests):
            result.row.notes.append("REQUESTS LEFT in the source")
        result.store = workload.content_fingerprint(workload.table_widgets(dynamodb, table))
        result.store_kind = "widgets, content"

    def measure(self, result, proxies, backends, args, env, expected):
        row = result.row
        out_dir = self.bench.work / f"latency-{row.path.split()[-1].lower()}-c{row.concurrency}"
        counts = observe(result, proxies, backends, lambda: measure.run_consumer(
            row, args, out_dir, expected, env=env, watch_threads=True))
        row.notes.append(", ".join(f"{n} {name}" for name, n in counts.items() if n))
        self.bench.latency_rows.append(result)
        self.log(f"{row.scenario}, {row.path}, {row.concurrency}: {fmt(row.rate)} requests/s, "
                 f"bound {fmt(result.latency_bound)}, mean latency "
                 f"{fmt(result.mean_latency_ms, 1)} ms, CPU {fmt(row.cpu_ms_per_request, 3)} "
                 f"ms/request, {row.threads} threads, {fmt(row.rss_mb, 1)} MB")
