"""Shared harness for the widget-consumer integration tests.

What it gives the test modules:
  * where things are: the consumer binary, the conformance data;
  * moto servers: the shared one (WC_MOTO_ENDPOINT from scripts/test.sh, or one started here on
    first use) and private ones (for signature checking);
  * S3 helpers over boto3: fresh bucket names, upload requests, read a bucket back;
  * running the consumer: blocking with a timeout, or in the background to signal it;
  * reading results: widget directories, dead letters, log lines and their levels;
  * ConsumerTestCase: the assertions every theme uses.

Everything a test creates (buckets, temporary directories) has a fresh random name, so the
modules can run in parallel against one moto server.
"""

from __future__ import annotations

import atexit
import ctypes
import datetime as _dt
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from dataclasses import dataclass
from pathlib import Path

try:
    import boto3
    import botocore.config
except ImportError as error:  # say plainly what is missing instead of a bare traceback
    raise SystemExit(
        f"the integration tests need boto3 in the python running them ({sys.executable}): {error}"
    ) from error

REPO_ROOT = Path(__file__).resolve().parents[2]

# Credentials handed to the consumer. The secret is distinctive so that a leak into any output
# is found by a plain substring search.
TEST_ACCESS_KEY_ID = "AKIAWCITESTKEY000001"
TEST_SECRET = "wcItestSecret+Do/Not/Log+7f3a9c2e"
TEST_REGION = "us-east-1"

K_MOTO_START_TIMEOUT_S = 30
K_CONSUMER_TIMEOUT_S = 180
K_GRACEFUL_STOP_S = 10
# Issue 5: the end-to-end behaviour holds for the sequential consumer and the concurrent one.
CONCURRENCY_LEVELS = ("1", "32")


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
    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except OSError:
        pass


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _moto_command() -> list[str]:
    try:
        import moto.server  # noqa: F401  (only checks it is importable)
        return [sys.executable, "-m", "moto.server"]
    except ImportError:
        for candidate in (shutil.which("moto_server"), "/root/.pyenv/shims/moto_server"):
            if candidate and os.access(candidate, os.X_OK):
                return [candidate]
    raise PrerequisiteMissing(f"moto is not installed for {sys.executable} and moto_server "
                              "is not on PATH")


class MotoServer:
    """A moto server of our own on a free loopback port in 20000-29999.

    auth_after: when set, moto checks SigV4 signatures (and IAM policies) once that many
    calls were served (INITIAL_NO_AUTH_ACTION_COUNT). The readiness check is a bare TCP
    connect, so it does not use up one of those calls.
    """

    def __init__(self, auth_after: int | None = None):
        self.auth_after = auth_after
        self.process: subprocess.Popen | None = None
        self.port = 0
        self._log_dir = Path(tempfile.mkdtemp(prefix="wc-itest-moto-"))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "MotoServer":
        env = dict(os.environ)
        env.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
        if self.auth_after is not None:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.auth_after)
        for _ in range(8):
            port = random.randint(20000, 29999)
            if not _port_is_free(port):
                continue
            if self._try_start(port, env):
                return self
        raise PrerequisiteMissing(f"could not start moto; last log:\n{self.log_text()}")

    def _try_start(self, port: int, env: dict) -> bool:
        self.port = port
        log = open(self._log_dir / "moto.log", "wb")
        self.process = subprocess.Popen(
            _moto_command() + ["-H", "127.0.0.1", "-p", str(port)], stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, env=env, preexec_fn=_die_with_parent)
        log.close()
        deadline = time.monotonic() + K_MOTO_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return True
            except OSError:
                time.sleep(0.05)
        self._terminate()
        return False

    def log_text(self) -> str:
        path = self._log_dir / "moto.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def _terminate(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def stop(self) -> None:
        self._terminate()
        shutil.rmtree(self._log_dir, ignore_errors=True)


def iam_user_with_key(endpoint: str, user: str = "wc-consumer") -> tuple[str, str]:
    """Creates an IAM user allowed everything, and an access key for it: (key id, secret).

    Makes exactly 3 calls, so that a MotoServer(auth_after=3) checks signatures from then on.
    """
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=TEST_REGION,
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName=user)
    policy = {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName=user, PolicyName="everything", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


IAM_SETUP_CALLS = 3


class _ExternalMoto:
    """The moto server that scripts/test.sh started and exported as WC_MOTO_ENDPOINT."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint.rstrip("/")


_shared_moto = None


def shared_moto():
    """The moto server without signature checks that tests share (each uses fresh buckets)."""
    global _shared_moto
    if _shared_moto is None:
        endpoint = os.environ.get("WC_MOTO_ENDPOINT")
        if endpoint:
            _shared_moto = _ExternalMoto(endpoint)
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


def upload_requests(s3, bucket: str, requests: dict[str, bytes]) -> None:
    for key, body in requests.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)


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
    objects = {}
    for key in bucket_keys(s3, bucket):
        response = s3.get_object(Bucket=bucket, Key=key)
        objects[key] = StoredObject(response["Body"].read(), response.get("ContentType", ""))
    return objects


def bucket_names(s3) -> set[str]:
    return {b["Name"] for b in s3.list_buckets().get("Buckets", [])}


# --------------------------------------------------------------------------------------------
# Local directories


def write_request_files(directory: Path, requests: dict[str, bytes]) -> None:
    """Lays requests out for the directory source: one file per request, named by its key."""
    directory.mkdir(parents=True, exist_ok=True)
    for key, body in requests.items():
        (directory / key).write_bytes(body)


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
# WORDING-DEPENDENT: everything below reads the consumer's log lines. It assumes only what
# SPEC.md §8 says: a level word on each line, the request key, type, widgetId, an outcome word
# and a latency on the per-request INFO line, and a summary at stop. Align here if the format
# differs.

_LEVEL_RE = re.compile(r"\b(trace|debug|info|warn|warning|error|err|critical|fatal)\b", re.I)
_LEVEL_NAMES = {"warn": "WARNING", "err": "ERROR", "fatal": "CRITICAL"}
LATENCY_RE = re.compile(r"\d+(?:\.\d+)?\s*(?:ns|us|µs|ms|s)\b")
SUMMARY_RE = re.compile(r"summary|requests seen|\bseen\b|throughput|req/s|requests/s", re.I)
LOG_NAME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\.log$")


def line_level(line: str) -> str | None:
    """The level of a log line: its first level word, upper-cased (WARN -> WARNING)."""
    match = _LEVEL_RE.search(line)
    if not match:
        return None
    word = match.group(1).lower()
    return _LEVEL_NAMES.get(word, word.upper())


def log_files(log_dir: Path) -> list[Path]:
    return sorted(p for p in log_dir.glob("*.log") if p.is_file()) if log_dir.is_dir() else []


def log_lines(log_dir: Path) -> list[str]:
    lines: list[str] = []
    for path in log_files(log_dir):
        lines.extend(path.read_text(errors="replace").splitlines())
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
            self.assert_dead_letter_record(key, files[f"{key}.error.json"])

    def assert_dead_letter_record(self, key: str, raw: bytes) -> None:
        # WORDING-DEPENDENT: field names are only looked for loosely (…reason…/…error…, …time…,
        # …attempt…); the source key must appear in the record.
        try:
            record = json.loads(raw)
        except ValueError as error:
            self.fail(f"dead-letter record of {key} is not JSON ({error}): {raw[:200]!r}")
        self.assertIsInstance(record, dict, f"dead-letter record of {key}")
        names = {name.lower(): value for name, value in record.items()}
        self.assertIn(key, json.dumps(record), f"record of {key} does not name its source key")

        def field(*words):
            return [v for n, v in names.items() if any(w in n for w in words)]

        reasons = field("reason", "error")
        self.assertTrue(any(isinstance(v, str) and v.strip() for v in reasons),
                        f"record of {key} has no reason: {record}")
        self.assertTrue(field("time"), f"record of {key} has no time: {record}")
        attempts = field("attempt")
        self.assertTrue(any(isinstance(v, int) and v >= 1 for v in attempts),
                        f"record of {key} has no attempts count >= 1: {record}")

    def assert_warning_count(self, log_dir: Path, expected: int) -> None:
        # WORDING-DEPENDENT: a WARNING line is one whose first level word is WARN/WARNING.
        warnings = lines_at(log_lines(log_dir), "WARNING")
        self.assertEqual(len(warnings), expected,
                         "WARNING lines in the log:\n" + "\n".join(warnings[:10]))

    def assert_summary(self, log_dir: Path, requests_seen: int | None = None) -> list[str]:
        # WORDING-DEPENDENT: the summary is the lines from the first one that SUMMARY_RE
        # matches to the end; when given, the number of requests seen must appear there.
        lines = log_lines(log_dir)
        starts = [i for i, line in enumerate(lines) if SUMMARY_RE.search(line)]
        self.assertTrue(starts, "no summary in the log; its last lines:\n" + "\n".join(lines[-5:]))
        summary = lines[starts[0]:]
        if requests_seen is not None:
            self.assertRegex("\n".join(summary), rf"\b{requests_seen}\b",
                             f"the summary does not say {requests_seen} requests were seen")
        return summary

    def assert_secret_absent(self, secret: str, *texts: str, log_dir: Path | None = None) -> None:
        haystacks = list(texts)
        if log_dir is not None:
            haystacks.append("\n".join(log_lines(log_dir)))
        for text in haystacks:
            self.assertNotIn(secret, text, "the secret access key appears in the output or log")
