"""Shared harness for the widget-consumer integration tests.

What it gives the test modules:
  * where things are: the consumer binary, the conformance data;
  * moto servers (started by servers.py): the shared one (WC_MOTO_ENDPOINT from
    scripts/test.sh, or one started here on first use unless WC_REQUIRE_SERVERS=1) and private
    ones (for signature checking);
  * S3 helpers over boto3: fresh bucket names, upload requests, read a bucket back;
  * running the consumer: blocking with a timeout, or in the background to signal it;
  * reading results: widget directories, dead letters, and the log lines in the formats
    README.md documents (per request, progress, summary, retries);
  * ConsumerTestCase: the assertions every theme uses.

Everything a test creates (buckets, temporary directories) has a fresh random name, so the
modules can run in parallel against one moto server.
"""

from __future__ import annotations

import atexit
import datetime as _dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

try:
    import boto3
    import botocore.config
except ImportError as error:  # say plainly what is missing instead of a bare traceback
    raise SystemExit(
        f"the integration tests need boto3 in the python running them ({sys.executable}): {error}"
    ) from error

import servers

REPO_ROOT = Path(__file__).resolve().parents[2]

# Credentials handed to the consumer. The secret is distinctive so that a leak into any output
# is found by a plain substring search.
TEST_ACCESS_KEY_ID = "AKIAWCITESTKEY000001"
TEST_SECRET = "wcItestSecret+Do/Not/Log+7f3a9c2e"
TEST_REGION = "us-east-1"

K_MOTO_START_TIMEOUT_S = servers.K_MOTO_START_TIMEOUT_S
K_CONSUMER_TIMEOUT_S = 180
K_GRACEFUL_STOP_S = 10
# SPEC.md §2: SIGINT/SIGTERM end the run within 2 s in any state (a long poll, a back-off, an
# idle wait); tests of an idle consumer allow this much more for a busy machine.
K_SPEC_STOP_S = 2.0
K_STOP_MARGIN_S = 1.0
# Issue 5: the end-to-end behaviour holds for the sequential consumer and the concurrent one.
# Tests run both where the order of the whole run is asserted, and where conformance, crash
# restarts or the order-sensitive workload are checked; elsewhere the default (32) only.
CONCURRENCY_LEVELS = ("1", "32")

# --idle-timeout of every run that does not test idling itself: all its requests are in the
# source before it starts, so it stops this long after a poll found the source empty with
# nothing in hand. A run that stops too early leaves requests behind, and the test fails.
# (Stopping waits for the poll back-off in progress, 0.1, 0.2, 0.4 s...: 0.25 s ends a run
# about 0.3 s after its last request, 0.3 s would end it at 0.7 s.)
K_IDLE_TIMEOUT_S = 0.25


def idle_timeout_args() -> list[str]:
    """["--idle-timeout", K_IDLE_TIMEOUT_S] for the consumer's command line."""
    return ["--idle-timeout", str(K_IDLE_TIMEOUT_S)]


def servers_required() -> bool:
    """scripts/test.sh started every shared server (WC_REQUIRE_SERVERS=1): a test that does
    not find one fails rather than starting its own (or skipping)."""
    return os.environ.get("WC_REQUIRE_SERVERS") == "1"


class PrerequisiteMissing(AssertionError):
    """Something the tests need is not there: reported as a test failure, never a skip."""


# --------------------------------------------------------------------------------------------
# Where things are


def consumer_bin() -> Path:
    """The widget-consumer under test: $WC_CONSUMER_BIN, else build/release/widget-consumer."""
    path = Path(os.environ.get("WC_CONSUMER_BIN") or REPO_ROOT / "build/release/widget-consumer")
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise PrerequisiteMissing(
            f"widget-consumer binary not found at {path}: build it (scripts/test.sh) "
            "or set WC_CONSUMER_BIN")
    return path


def conformance_dir() -> Path:
    """The conformance data: $WC_CONFORMANCE_DIR, else <repo>/../shared/conformance."""
    return Path(os.environ.get("WC_CONFORMANCE_DIR") or REPO_ROOT.parent / "shared/conformance")


@dataclass
class ConformanceSet:
    """One folder of real requests and what SPEC.md says the S3 store must end as."""

    name: str
    requests: dict[str, bytes]  # key -> exact bytes, in key order
    widgets: dict[str, dict]  # S3 object key -> widget JSON
    rejected: list[str]
    warnings: int


def load_conformance(name: str) -> ConformanceSet:
    """Loads `<conformance>/<name>/*.json` and `<name>.expected.json` (its `s3` part)."""
    base = conformance_dir()
    folder = base / name
    expected_file = base / f"{name}.expected.json"
    if not folder.is_dir() or not expected_file.is_file():
        raise PrerequisiteMissing(
            f"conformance data '{name}' is absent (looked for {folder} and {expected_file}); "
            "set WC_CONFORMANCE_DIR to the shared/conformance folder")
    requests = {p.name[: -len(".json")]: p.read_bytes() for p in sorted(folder.glob("*.json"))}
    if not requests:
        raise PrerequisiteMissing(f"conformance folder {folder} holds no *.json request")
    expected = json.loads(expected_file.read_text())["s3"]
    return ConformanceSet(name, dict(sorted(requests.items())), expected["widgets"],
                          list(expected["rejected"]), int(expected["warnings"]))


# --------------------------------------------------------------------------------------------
# Processes


def _die_with_parent() -> None:
    """preexec_fn: the child is killed if this test process dies (e.g. a CTest timeout).

    SIGKILL, not SIGTERM: a consumer must never mistake its harness dying for a graceful stop
    that a test asked for."""
    servers.die_with_parent()


class MotoServer(servers.Moto):
    """A moto server of our own on a free loopback port (tests/integration/servers.py).

    auth_after: when set, moto checks SigV4 signatures (and IAM policies) once that many
    calls were served (INITIAL_NO_AUTH_ACTION_COUNT). `MotoServer(...).start()` returns it
    running; stop() ends it. Failing to start raises PrerequisiteMissing.
    """

    def __init__(self, auth_after: int | None = None, **options):
        super().__init__(auth_after, **options)

    def start(self) -> "MotoServer":
        try:
            return super().start()
        except servers.ServerError as error:
            raise PrerequisiteMissing(f"could not start moto: {error}") from None


iam_user_with_key = servers.iam_user_with_key
IAM_SETUP_CALLS = servers.IAM_SETUP_CALLS


class _ExternalMoto:
    """The moto server that scripts/test.sh started and exported as WC_MOTO_ENDPOINT."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint.rstrip("/")


_shared_moto = None


def shared_moto():
    """The moto server without signature checks that tests share (each uses fresh buckets):
    WC_MOTO_ENDPOINT from scripts/test.sh, else one started here on first use (but under
    WC_REQUIRE_SERVERS=1 its absence is a failure)."""
    global _shared_moto
    if _shared_moto is None:
        endpoint = os.environ.get("WC_MOTO_ENDPOINT")
        if endpoint:
            _shared_moto = _ExternalMoto(endpoint)
        elif servers_required():
            raise PrerequisiteMissing("WC_MOTO_ENDPOINT is not set, but WC_REQUIRE_SERVERS=1: "
                                      "scripts/test.sh did not hand over its moto server")
        else:
            _shared_moto = MotoServer().start()
            atexit.register(_shared_moto.stop)
    return _shared_moto


# --------------------------------------------------------------------------------------------
# S3 through boto3


def s3_client(endpoint: str, key_id: str = TEST_ACCESS_KEY_ID, secret: str = TEST_SECRET):
    config = botocore.config.Config(s3={"addressing_style": "path"},
                                    retries={"max_attempts": 3, "mode": "standard"})
    return boto3.client("s3", endpoint_url=endpoint, region_name=TEST_REGION,
                        aws_access_key_id=key_id, aws_secret_access_key=secret, config=config)


def fresh_name(prefix: str) -> str:
    """A bucket name nobody else uses: lower-case, 3-63 characters."""
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def create_bucket(s3, prefix: str) -> str:
    name = fresh_name(prefix)
    s3.create_bucket(Bucket=name)
    return name


K_UPLOAD_THREADS = 8


def in_parallel(function, items, threads: int = K_UPLOAD_THREADS) -> list:
    """function(item) for each item, `threads` at a time (boto3 clients may be shared by
    threads); the results in the order of `items`, and the first exception raised again."""
    items = list(items)
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(min(threads, len(items))) as pool:
        return list(pool.map(function, items))


def upload_requests(s3, bucket: str, requests: dict[str, bytes], *,
                    in_order: bool = False) -> None:
    """Puts each request as an object, several at once (moto answers calls side by side).
    `in_order`: one at a time in key order, as a producer writes, for uploads while a consumer
    runs: side by side, a widget's delete can be listed and applied before its create lands."""
    if in_order:
        for key in sorted(requests):
            s3.put_object(Bucket=bucket, Key=key, Body=requests[key])
        return
    in_parallel(lambda item: s3.put_object(Bucket=bucket, Key=item[0], Body=item[1]),
                requests.items())


def bucket_keys(s3, bucket: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return keys


def bucket_key_count(s3, bucket: str) -> int:
    """Objects left in a bucket (up to 1000): one cheap call, for polling progress."""
    return s3.list_objects_v2(Bucket=bucket, MaxKeys=1000).get("KeyCount", 0)


@dataclass
class StoredObject:
    body: bytes
    content_type: str


def read_bucket(s3, bucket: str) -> dict[str, StoredObject]:
    def get(key: str) -> StoredObject:
        response = s3.get_object(Bucket=bucket, Key=key)
        return StoredObject(response["Body"].read(), response.get("ContentType", ""))

    keys = bucket_keys(s3, bucket)
    return dict(zip(keys, in_parallel(get, keys)))


def bucket_names(s3) -> set[str]:
    return {b["Name"] for b in s3.list_buckets().get("Buckets", [])}


# --------------------------------------------------------------------------------------------
# Local directories


def write_request_files(directory: Path, requests: dict[str, bytes]) -> None:
    """Lays requests out for the directory source: one file per request, named by its key.
    Each file appears whole, as a producer's does (written beside the directory, then renamed
    in): a consumer already watching the directory must not read one half written."""
    directory.mkdir(parents=True, exist_ok=True)
    for key, body in requests.items():
        target = directory / key
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = directory.parent / f".{directory.name}.writing.{uuid.uuid4().hex[:8]}"
        staging.write_bytes(body)
        try:
            os.replace(staging, target)
        except OSError:  # another file system (the directory is a mount point): copy
            target.write_bytes(body)
            staging.unlink()


def files_under(directory: Path) -> dict[str, bytes]:
    """Every regular file below `directory`, by path relative to it (POSIX separators)."""
    if not directory.exists():
        return {}
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@dataclass
class Workdir:
    """A temporary working directory for consumer runs: cwd, HOME, logs and dead letters."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def cwd(self) -> Path:
        return self.root / "cwd"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def dead_letters(self) -> Path:
        return self.root / "dead-letters"

    @classmethod
    def create(cls) -> "Workdir":
        work = cls(Path(tempfile.mkdtemp(prefix="wc-itest-")))
        work.home.mkdir()
        work.cwd.mkdir()
        return work

    def log_dir_args(self) -> list[str]:
        return ["--log-dir", str(self.logs), "--dead-letter-dir", str(self.dead_letters)]

    def remove(self) -> None:
        if os.environ.get("WC_KEEP_TMP") != "1":
            shutil.rmtree(self.root, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Running the consumer


def consumer_env(work: Workdir, *, key_id: str | None = TEST_ACCESS_KEY_ID,
                 secret: str | None = TEST_SECRET, **extra: str) -> dict[str, str]:
    """A clean environment: no AWS_* or WIDGET_CONSUMER_* (settings) from the caller, HOME in
    the workdir (no ~/.aws of ours)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "WIDGET_CONSUMER_"))}
    env["HOME"] = str(work.home)
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["AWS_REGION"] = TEST_REGION
    if key_id is not None:
        env["AWS_ACCESS_KEY_ID"] = key_id
    if secret is not None:
        env["AWS_SECRET_ACCESS_KEY"] = secret
    env.update(extra)
    return env


@dataclass
class RunResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    elapsed: float
    pid: int = 0

    def describe(self) -> str:
        return (f"\n$ widget-consumer {' '.join(self.args)}\n(pid {self.pid}) "
                f"exit {self.returncode} after "
                f"{self.elapsed:.1f} s\n--- stdout (tail) ---\n{self.stdout[-3000:]}"
                f"\n--- stderr (tail) ---\n{self.stderr[-3000:]}")

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


class ConsumerProcess:
    """The consumer running in the background; output goes to files (no pipe can fill up)."""

    def __init__(self, args: list[str], work: Workdir, env: dict[str, str]):
        self.args = [str(a) for a in args]
        run_id = uuid.uuid4().hex[:8]
        self._stdout_path = work.root / f"stdout-{run_id}.txt"
        self._stderr_path = work.root / f"stderr-{run_id}.txt"
        with open(self._stdout_path, "wb") as out, open(self._stderr_path, "wb") as err:
            self.started = time.monotonic()
            self.process = subprocess.Popen(
                [str(consumer_bin())] + self.args, cwd=work.cwd, env=env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=_die_with_parent)

    def running(self) -> bool:
        return self.process.poll() is None

    def send(self, sig: int) -> None:
        self.process.send_signal(sig)

    def kill(self) -> None:
        """SIGKILL, and wait for it to be gone."""
        self.process.kill()
        self.process.wait()

    def wait(self, timeout: float) -> RunResult:
        """Waits for the exit; on timeout kills it and raises AssertionError with its output."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"widget-consumer did not exit within {timeout} s"
                                 + self.result().describe()) from None
        return self.result()

    def result(self) -> RunResult:
        return RunResult(self.args, self.process.returncode if self.process.returncode is not None
                         else -999, self._stdout_path.read_text(errors="replace"),
                         self._stderr_path.read_text(errors="replace"),
                         time.monotonic() - self.started, self.process.pid)


def run_consumer(args: list[str], work: Workdir, env: dict[str, str],
                 timeout: float = K_CONSUMER_TIMEOUT_S) -> RunResult:
    """Runs the consumer to its exit (killed, and the test failed, after `timeout` seconds)."""
    return ConsumerProcess(args, work, env).wait(timeout)


def wait_until(predicate, timeout: float, interval: float = 0.01, what: str = "condition"):
    """Polls `predicate` until it returns a truthy value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------
# Logs
#
# The consumer's log lines, as README.md "Logging" documents them and src/ writes them:
#   line      "YYYY-MM-DD HH:MM:SS.mmm LEVEL MESSAGE" (src/app/logging.cpp), LEVEL one of
#             TRACE DEBUG INFO WARNING ERROR CRITICAL
#   request   INFO "KEY TYPE WIDGETID OUTCOME LATENCY ms" (src/consumer/request_log.cpp): TYPE
#             create|update|delete, or "-" with WIDGETID "-" for a request that could not be
#             read; OUTCOME one of OUTCOMES; LATENCY with one decimal
#   progress  INFO "progress: N done (R requests/s), N rejected, N dead-lettered, N retries,
#             N in flight" (src/consumer/pipeline.cpp, log_progress)
#   summary   INFO "stopped (REASON): N requests in S s (R requests/s): N created, N replaced,
#             N updated, N deleted, N missing, N rejected, N dead-lettered" (src/app/main.cpp,
#             src/consumer/run_stats.cpp), then with an AWS backend
#             INFO "AWS: N calls (R per request), N retries"
#   retry     WARNING "retrying OPERATION on RESOURCE after attempt N failed (REASON); waiting
#             N ms" (src/app/main.cpp, log_retry)

LEVELS = ("TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
OUTCOMES = ("created", "replaced", "updated", "deleted", "missing", "rejected", "dead-lettered")
STOP_REASONS = ("idle timeout", "maximum runtime reached", "stop requested", "fatal error")
_NUMBER = r"\d+(?:\.\d+)?"
LOG_LINE_RE = re.compile(r"^(?P<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) "
                         rf"(?P<level>{'|'.join(LEVELS)}) (?P<message>.*)$")
REQUEST_MESSAGE_RE = re.compile(
    r"^(?P<key>.*) (?P<type>create|update|delete|-) (?P<widget>.*) "
    rf"(?P<outcome>{'|'.join(OUTCOMES)}) (?P<latency>\d+\.\d) ms$")
LATENCY_RE = re.compile(r"\b\d+\.\d ms$")
PROGRESS_MESSAGE_RE = re.compile(
    rf"^progress: (?P<done>\d+) done \((?P<rate>{_NUMBER}) requests/s\), (?P<rejected>\d+) "
    r"rejected, (?P<dead_lettered>\d+) dead-lettered, (?P<retries>\d+) retries, "
    r"(?P<in_flight>\d+) in flight$")
SUMMARY_MESSAGE_RE = re.compile(
    rf"^stopped \((?P<reason>{'|'.join(STOP_REASONS)})\): (?P<total>\d+) requests in "
    rf"(?P<seconds>\d+\.\d\d) s \((?P<rate>{_NUMBER}) requests/s\): "
    + ", ".join(rf"(?P<{o.replace('-', '_')}>\d+) {o}" for o in OUTCOMES) + "$")
AWS_MESSAGE_RE = re.compile(
    rf"^AWS: (?P<calls>\d+) calls \((?P<per_request>{_NUMBER}) per request\), "
    r"(?P<retries>\d+) retries$")
RETRY_MESSAGE_RE = re.compile(
    r"^retrying (?P<operation>\S+) on (?P<resource>.*) after attempt (?P<attempt>\d+) failed "
    r"\((?P<reason>.*)\); waiting (?P<delay>\d+) ms$")
LOG_NAME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.log$")
# Kept for modules written against the earlier harness: finds the summary line in a log line.
SUMMARY_RE = re.compile(rf" INFO stopped \((?:{'|'.join(STOP_REASONS)})\): \d+ requests in ")
# A dead letter's record (src/store/dead_letter_record.cpp).
DEAD_LETTER_FIELDS = {"sourceKey", "source", "reason", "time", "attempts", "bytes"}


@dataclass
class LogLine:
    time: str
    level: str
    message: str


def parse_log_line(line: str) -> LogLine | None:
    """The parts of one consumer log line; None for anything else."""
    match = LOG_LINE_RE.match(line)
    return LogLine(match["time"], match["level"], match["message"]) if match else None


def line_level(line: str) -> str | None:
    """The level of a consumer log line (INFO, WARNING, ...); None for any other line."""
    parsed = parse_log_line(line)
    return parsed.level if parsed else None


def messages_at(lines: list[str], level: str, pattern: re.Pattern) -> list[re.Match]:
    """The match of `pattern` on the message of each line at `level` whose message it matches
    in full (patterns are anchored)."""
    found = []
    for line in lines:
        parsed = parse_log_line(line)
        if parsed and parsed.level == level:
            match = pattern.match(parsed.message)
            if match:
                found.append(match)
    return found


@dataclass
class RequestLine:
    """One per-request INFO line."""

    key: str
    type: str
    widget: str
    outcome: str
    latency_ms: float


def request_lines(lines: list[str]) -> list[RequestLine]:
    """The per-request lines among `lines`, in order."""
    return [RequestLine(m["key"], m["type"], m["widget"], m["outcome"], float(m["latency"]))
            for m in messages_at(lines, "INFO", REQUEST_MESSAGE_RE)]


def keys_logged(log_dir: Path) -> int:
    """How many distinct requests have a per-request line in `log_dir`: a cheap way to follow
    a running consumer's progress (the log is flushed line by line)."""
    return len({line.key for line in request_lines(log_lines(log_dir))})


def retry_lines(lines: list[str]) -> list[str]:
    """The WARNING lines of the AWS layer's retries."""
    return [line for line in lines if line_level(line) == "WARNING"
            and RETRY_MESSAGE_RE.match(parse_log_line(line).message)]


@dataclass
class Summary:
    """The stop summary: its reason, total, counts by outcome, and the AWS line's numbers
    (None without one)."""

    reason: str
    total: int
    counts: dict[str, int]
    aws_calls: int | None = None
    aws_retries: int | None = None


def summary_of(lines: list[str]) -> Summary | None:
    """The summary of the last run logged in `lines`, None if there is none."""
    summaries = messages_at(lines, "INFO", SUMMARY_MESSAGE_RE)
    if not summaries:
        return None
    match = summaries[-1]
    summary = Summary(match["reason"], int(match["total"]),
                      {o: int(match[o.replace("-", "_")]) for o in OUTCOMES})
    aws = messages_at(lines, "INFO", AWS_MESSAGE_RE)
    if aws:
        summary.aws_calls, summary.aws_retries = int(aws[-1]["calls"]), int(aws[-1]["retries"])
    return summary


def log_files(log_dir: Path) -> list[Path]:
    return sorted(p for p in log_dir.glob("*.log") if p.is_file()) if log_dir.is_dir() else []


def log_lines(log_dir: Path) -> list[str]:
    """Every line of every log file in `log_dir`, split at newlines only (a key may hold other
    separators that str.splitlines would break a line at)."""
    lines: list[str] = []
    for path in log_files(log_dir):
        lines.extend(path.read_text(errors="replace").split("\n"))
        if lines and lines[-1] == "":
            lines.pop()
    return lines


def lines_at(lines: list[str], level: str) -> list[str]:
    return [line for line in lines if line_level(line) == level]


def today_log_names() -> set[str]:
    """Today's log file name in local time and in UTC (they differ near midnight)."""
    now = time.time()
    return {time.strftime("%Y-%m-%d.log", time.localtime(now)),
            _dt.datetime.fromtimestamp(now, _dt.timezone.utc).strftime("%Y-%m-%d.log")}


# --------------------------------------------------------------------------------------------
# Assertions shared by the themes


class ConsumerTestCase(unittest.TestCase):
    """Base class: fresh workdirs cleaned up after each test, and the common assertions."""

    maxDiff = 4000

    def at_each_concurrency(self, check, *args) -> None:
        """Runs check(*args, concurrency) once per level in CONCURRENCY_LEVELS, as subtests."""
        for level in CONCURRENCY_LEVELS:
            with self.subTest(concurrency=level):
                check(*args, level)

    def use_moto(self, endpoint: str | None = None) -> None:
        """The common set-up: self.moto (the shared moto's endpoint unless one is given),
        self.s3, a fresh self.work and the consumer's self.env."""
        self.moto = endpoint or shared_moto().endpoint
        self.s3 = s3_client(self.moto)
        self.work = self.workdir()
        self.env = consumer_env(self.work)

    def workdir(self) -> Workdir:
        work = Workdir.create()
        self.addCleanup(work.remove)
        return work

    def start_consumer(self, args: list[str], work: Workdir, env: dict[str, str]):
        proc = ConsumerProcess(args, work, env)
        self.addCleanup(lambda: proc.running() and proc.kill())
        return proc

    def assert_exit(self, result: RunResult, code: int) -> None:
        self.assertEqual(result.returncode, code, f"expected exit {code}" + result.describe())

    def assert_widgets_equal(self, actual: dict[str, dict], expected: dict[str, dict],
                             where: str) -> None:
        """Same keys, and each widget the same JSON (key order and spacing don't matter)."""
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        self.assertFalse(missing or extra,
                         f"{where}: {len(missing)} widget(s) missing {missing[:5]}, "
                         f"{len(extra)} unexpected {extra[:5]}")
        wrong = [key for key in expected if actual[key] != expected[key]]
        if wrong:
            key = wrong[0]
            self.assertEqual(actual[key], expected[key],
                             f"{where}: {len(wrong)} widget(s) differ, first {key}")

    def parse_widgets(self, raw: dict[str, bytes], where: str) -> dict[str, dict]:
        widgets = {}
        for key, body in raw.items():
            try:
                widgets[key] = json.loads(body)
            except ValueError as error:
                self.fail(f"{where}: {key} is not JSON ({error}): {body[:200]!r}")
        return widgets

    def assert_s3_store(self, s3, bucket: str, expected: dict[str, dict]) -> None:
        objects = read_bucket(s3, bucket)
        widgets = self.parse_widgets({k: o.body for k, o in objects.items()}, f"bucket {bucket}")
        self.assert_widgets_equal(widgets, expected, f"widget bucket {bucket}")
        for key, obj in objects.items():
            self.assertTrue(obj.content_type.startswith("application/json"),
                            f"{key} has Content-Type {obj.content_type!r}")

    def assert_directory_store(self, widgets_dir: Path, expected: dict[str, dict],
                               ignore_hidden: bool = False) -> None:
        """The directory store holds exactly the expected files: no leftover temporary file
        (with ignore_hidden, hidden files such as a killed writer's temporary are let be)."""
        files = files_under(widgets_dir)
        if ignore_hidden:
            files = {p: b for p, b in files.items() if not Path(p).name.startswith(".")}
        widgets = self.parse_widgets(files, f"directory {widgets_dir}")
        self.assert_widgets_equal(widgets, expected, f"widgets directory {widgets_dir}")

    def assert_dead_letters(self, dead_dir: Path, rejected: list[str],
                            originals: dict[str, bytes]) -> None:
        """DLDIR/<key> holds the original bytes and DLDIR/<key>.error.json the record."""
        files = files_under(dead_dir)
        expected_names = {k for k in rejected} | {f"{k}.error.json" for k in rejected}
        self.assertEqual(set(files), expected_names,
                         f"dead-letter directory {dead_dir} should hold exactly the rejected "
                         "requests and their records")
        for key in rejected:
            self.assertEqual(files[key], originals[key], f"dead letter {key}: not the original bytes")
            self.assert_dead_letter_record(key, files[f"{key}.error.json"], originals[key])

    def assert_dead_letter_record(self, key: str, raw: bytes, body: bytes | None = None) -> None:
        """The record README.md describes (src/store/dead_letter_record.cpp): a JSON object of
        exactly sourceKey (the request's key), source, reason, time (UTC, ISO 8601 with
        milliseconds), attempts (>= 1) and bytes (the size of `body`, when given)."""
        try:
            record = json.loads(raw)
        except ValueError as error:
            self.fail(f"dead-letter record of {key} is not JSON ({error}): {raw[:200]!r}")
        self.assertIsInstance(record, dict, f"dead-letter record of {key}")
        self.assertEqual(set(record), DEAD_LETTER_FIELDS, f"fields of the record of {key}")
        self.assertEqual(record["sourceKey"], key, f"record of {key}: sourceKey")
        for name in ("source", "reason"):
            self.assertIsInstance(record[name], str, f"record of {key}: {name}")
            self.assertTrue(record[name].strip(), f"record of {key} has an empty {name}")
        self.assertRegex(record["time"], r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$",
                         f"record of {key}: time")
        self.assertIsInstance(record["attempts"], int, f"record of {key}: attempts")
        self.assertGreaterEqual(record["attempts"], 1, f"record of {key}: attempts")
        if body is not None:
            self.assertEqual(record["bytes"], len(body), f"record of {key}: bytes")

    def assert_warning_count(self, log_dir: Path, expected: int) -> None:
        """So many WARNING lines in the log (updates and deletes of missing widgets, retries)."""
        warnings = lines_at(log_lines(log_dir), "WARNING")
        self.assertEqual(len(warnings), expected,
                         "WARNING lines in the log:\n" + "\n".join(warnings[:10]))

    def assert_summary(self, log_dir: Path, requests_seen: int | None = None) -> list[str]:
        """The run ends with its summary line (and the AWS line, if it used AWS), whose
        outcome counts add up to its total; that total is `requests_seen` when given.
        Returns the summary's lines."""
        lines = log_lines(log_dir)
        starts = [i for i, line in enumerate(lines)
                  if line_level(line) == "INFO"
                  and SUMMARY_MESSAGE_RE.match(parse_log_line(line).message)]
        self.assertTrue(starts, "no summary line in the log; its last lines:\n"
                        + "\n".join(lines[-5:]))
        summary_lines = lines[starts[-1]:]
        after = summary_lines[1:]
        self.assertTrue(after == [] or (len(after) == 1 and messages_at(after, "INFO",
                                                                         AWS_MESSAGE_RE)),
                        "the summary is not at the end of the log:\n" + "\n".join(summary_lines))
        summary = summary_of(summary_lines)
        self.assertEqual(sum(summary.counts.values()), summary.total,
                         f"the outcome counts do not add up to the total: {summary_lines[0]}")
        if requests_seen is not None:
            self.assertEqual(summary.total, requests_seen,
                             f"the summary does not count {requests_seen} requests: "
                             f"{summary_lines[0]}")
        return summary_lines

    def assert_progress_lines(self, log_dir: Path, at_least: int = 1) -> list[re.Match]:
        """Every progress line has the documented form, there are `at_least` of them, and
        their done counts never go down; returns their matches."""
        lines = log_lines(log_dir)
        candidates = [line for line in lines if line_level(line) == "INFO"
                      and parse_log_line(line).message.startswith("progress:")]
        progress = messages_at(candidates, "INFO", PROGRESS_MESSAGE_RE)
        self.assertEqual(len(progress), len(candidates),
                         "progress lines not in the documented form:\n" + "\n".join(
                             line for line in candidates
                             if not PROGRESS_MESSAGE_RE.match(parse_log_line(line).message)))
        self.assertGreaterEqual(len(progress), at_least, "too few progress lines")
        done = [int(match["done"]) for match in progress]
        self.assertEqual(done, sorted(done), "the done count of the progress lines went down")
        return progress

    def assert_secret_absent(self, secret: str, *texts: str, log_dir: Path | None = None) -> None:
        haystacks = list(texts)
        if log_dir is not None:
            haystacks.append("\n".join(log_lines(log_dir)))
        for text in haystacks:
            self.assertNotIn(secret, text, "the secret access key appears in the output or log")
