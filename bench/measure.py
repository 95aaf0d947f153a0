"""Running one measured process and reading what it reports."""

import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from servers import aws_environment

ROOT = Path(__file__).resolve().parent.parent
CONSUMER = ROOT / "build" / "release" / "widget-consumer"
PRODUCER = ROOT / "build" / "release" / "widget-producer"
TRANSPORT_CPU = Path(os.environ.get("WC_TRANSPORT_CPU_BIN",
                                    ROOT / "build" / "release" / "bench" / "transport-cpu"))

IDLE_TIMEOUT_S = 1.0


@dataclass
class Row:
    """One line of the result table. None means not measured / not applicable."""
    scenario: str
    path: str  # source -> store
    concurrency: object = None
    requests: int = None
    wall_s: float = None
    calls: int = None
    retries: int = None
    cpu_s: float = None
    rss_mb: float = None
    busy_pct: float = None
    process_cpu_s: float = None  # the measured process's whole life, from /usr/bin/time
    server_cpu_pct: float = None  # server CPU during the row, % of one core
    other_cpu_pct: float = None  # everything else on the machine, % of one core
    threads: int = None  # the most threads the measured process had (sampled), if watched
    notes: list = field(default_factory=list)

    @property
    def rate(self):
        return self.requests / self.wall_s if self.requests and self.wall_s else None

    @property
    def calls_per_request(self):
        return self.calls / self.requests if self.calls is not None and self.requests else None

    @property
    def calls_per_second(self):
        return self.calls / self.wall_s if self.calls is not None and self.wall_s else None

    @property
    def cpu_ms_per_request(self):
        return 1000 * self.cpu_s / self.requests if self.cpu_s is not None and self.requests else None


@dataclass
class TimeReport:
    """What /usr/bin/time -v says about a process."""
    cpu_s: float
    rss_mb: float
    elapsed_s: float
    exit_status: int


def parse_time_report(path):
    text = Path(path).read_text()

    def number(label):
        match = re.search(re.escape(label) + r"\s*([\d.:]+)", text)
        if not match:
            raise ValueError(f"'{label}' missing from {path}")
        return match.group(1)

    elapsed = 0.0
    for part in number("Elapsed (wall clock) time (h:mm:ss or m:ss):").split(":"):
        elapsed = elapsed * 60 + float(part)
    status = re.search(r"Exit status:\s*(\d+)", text)
    return TimeReport(cpu_s=float(number("User time (seconds):")) +
                      float(number("System time (seconds):")),
                      rss_mb=int(number("Maximum resident set size (kbytes):")) / 1024,
                      elapsed_s=elapsed, exit_status=int(status.group(1)) if status else -1)


def run_timed(command, out_dir, name, env=None, watch_threads=False):
    """Runs command under /usr/bin/time -v; stdout/stderr/time report go to out_dir/name.*

    With watch_threads, also returns the most threads the command had (sampled), else None.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    time_path = out_dir / f"{name}.time"
    peak = PeakThreads() if watch_threads else None
    with open(out_dir / f"{name}.out", "wb") as out, open(out_dir / f"{name}.err", "wb") as err:
        process = subprocess.Popen(["/usr/bin/time", "-v", "-o", str(time_path),
                                    *map(str, command)], stdout=out, stderr=err,
                                   env=env or aws_environment(), cwd=out_dir)
        while process.poll() is None:
            if peak:
                peak.sample(process.pid)
            time.sleep(PeakThreads.INTERVAL_S if peak else 0.05)
    report = parse_time_report(time_path)
    return report, out_dir / f"{name}.out", out_dir / f"{name}.err", peak and peak.threads


class PeakThreads:
    """The most threads seen in the children of a process (/usr/bin/time's child: the command),
    from `Threads:` in /proc/PID/status, sampled every INTERVAL_S."""

    INTERVAL_S = 0.02

    def __init__(self):
        self.threads = 0

    def sample(self, parent_pid):
        try:
            children = Path(f"/proc/{parent_pid}/task/{parent_pid}/children").read_text().split()
            for pid in children:
                status = Path(f"/proc/{pid}/status").read_text()
                count = int(re.search(r"^Threads:\s*(\d+)", status, re.M).group(1))
                self.threads = max(self.threads, count)
        except (OSError, AttributeError):
            pass  # the process is starting or gone


SUMMARY = re.compile(r"stopped \((?P<reason>[^)]*)\): (?P<total>\d+) requests in "
                     r"(?P<seconds>[\d.]+) s \([\d.]+ requests/s\):(?P<counts>.*)$", re.M)
AWS_LINE = re.compile(r"AWS: (?P<calls>\d+) calls \([\d.]+ per request\), (?P<retries>\d+) retries")


LOG_TIME = r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) "
REQUEST_LINE = re.compile(LOG_TIME + r"INFO \S+ (create|update|delete) ", re.M)
SUMMARY_LINE = re.compile(LOG_TIME + r"INFO stopped \(", re.M)


def working_seconds(text, elapsed):
    """From the consumer's start to its last request line: its summary's `elapsed` less the
    idle wait after the last request (the idle timeout, and however long the last poll took
    to see it: up to a second more on a queue, whose receives wait whole seconds)."""
    def stamp(match):
        return time.mktime(time.strptime(match["time"][:19], "%Y-%m-%d %H:%M:%S")) + \
            float(match["time"][19:])
    requests = list(REQUEST_LINE.finditer(text))
    stopped = SUMMARY_LINE.search(text)
    if not requests or not stopped:
        return elapsed - IDLE_TIMEOUT_S
    return elapsed - (stamp(stopped) - stamp(requests[-1]))


def run_consumer(row, args, out_dir, expected_requests, wrapper=(), env=None,
                 watch_threads=False):
    """Runs widget-consumer with args until idle; fills row with its measurements. `wrapper`
    goes in front of the command (a profiler, say), inside /usr/bin/time; env replaces the
    benchmark's AWS environment; watch_threads fills row.threads."""
    command = [*wrapper, CONSUMER, *args, "--idle-timeout", IDLE_TIMEOUT_S,
               "--log-dir", "logs", "--dead-letter-dir", "dead-letters"]
    if row.concurrency is not None:
        command += ["--concurrency", row.concurrency]
    report, out_path, err_path, row.threads = run_timed(command, out_dir, "consumer", env,
                                                        watch_threads)
    text = out_path.read_text(errors="replace") + err_path.read_text(errors="replace")
    summary = SUMMARY.search(text)
    if report.exit_status != 0 or not summary:
        last = text.strip().splitlines()[-3:]
        raise RuntimeError(f"{row.scenario}: consumer failed (exit {report.exit_status}): {last}")
    row.requests = int(summary["total"])
    row.wall_s = working_seconds(text, float(summary["seconds"]))
    row.cpu_s = row.process_cpu_s = report.cpu_s
    row.rss_mb = report.rss_mb
    aws = AWS_LINE.search(text)
    if aws:
        row.calls, row.retries = int(aws["calls"]), int(aws["retries"])
        if row.retries:
            row.notes.append(f"{row.retries} retries")
    counts = dict((name, int(n)) for n, name in
                  re.findall(r"(\d+) ([a-z-]+)", summary["counts"]))
    if row.requests != expected_requests:
        row.notes.append(f"INCOMPLETE: {row.requests} of {expected_requests} done")
    if counts.get("dead-lettered") or counts.get("rejected"):
        row.notes.append(f"{counts.get('rejected', 0)} rejected, "
                         f"{counts.get('dead-lettered', 0)} dead-lettered")
    return counts


def run_reference(row, endpoint, request_bucket, widget_bucket, out_dir, expected_requests):
    """Runs the boto3 reference until the request bucket is empty; fills row."""
    command = ["python3", Path(__file__).resolve().parent / "reference_consumer.py",
               "--request-bucket", request_bucket, "--widget-bucket", widget_bucket,
               "--endpoint-url", endpoint, "--idle-timeout", IDLE_TIMEOUT_S,
               "--log-file", "reference.log"]
    report, out_path, _, _ = run_timed(command, out_dir, "reference")
    lines = out_path.read_text().strip().splitlines()
    if report.exit_status != 0 or not lines:
        raise RuntimeError(f"reference failed (exit {report.exit_status}), see {out_dir}")
    measured = json.loads(lines[-1])
    row.requests = measured["requests"]
    row.wall_s = measured["wall_s"]
    row.calls = measured["calls"]
    row.cpu_s = measured["cpu_s"]
    row.process_cpu_s = report.cpu_s
    row.rss_mb = report.rss_mb
    row.notes.append(f"CPU from first poll to last request (process total "
                     f"{1000 * report.cpu_s / max(row.requests, 1):.2f} ms/request)")
    if row.requests != expected_requests:
        row.notes.append(f"INCOMPLETE: {row.requests} of {expected_requests} done")


WRK_RATE = re.compile(r"Requests/sec:\s*([\d.]+)")


def server_ceiling(url, seconds=5, in_flight=16):
    """Requests/s the server sustains for a cheap GET with `in_flight` connections (wrk)."""
    result = subprocess.run(["wrk", "-t2", f"-c{in_flight}", f"-d{seconds}s", url],
                            capture_output=True, text=True, check=True)
    if "Non-2xx" in result.stdout or "Socket errors" in result.stdout:
        raise RuntimeError(f"wrk saw errors against {url}:\n{result.stdout}")
    return float(WRK_RATE.search(result.stdout).group(1))


TRANSPORT_MODES = "raw,threads,threads-bare,multi-poll,multi-socket"


def transport_cpu(url, calls, in_flight, modes=TRANSPORT_MODES):
    """CPU per HTTP GET of url for each transport mode (bench/transport_cpu.cpp).

    Returns one dict per mode, in order, as the program prints them; raises RuntimeError if
    the program is missing, or if it failed or any call did not answer 200.
    """
    if not TRANSPORT_CPU.is_file():
        raise RuntimeError(f"{TRANSPORT_CPU} is not built (bench/run.sh builds it; or set "
                           f"WC_TRANSPORT_CPU_BIN)")
    result = subprocess.run([str(TRANSPORT_CPU), "--url", url, "--calls", str(calls),
                             "--in-flight", str(in_flight), "--modes", modes],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        # Its summary lines name each failing mode and count; the first other line, a cause.
        summaries = [line for line in lines if line.startswith("transport-cpu:")]
        causes = [line for line in lines if not line.startswith("transport-cpu:")]
        raise RuntimeError(f"transport-cpu failed (exit {result.returncode}): "
                           + "; ".join(summaries[:4] + causes[:1]))
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
