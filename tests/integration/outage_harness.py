"""Helpers for the tests of stopping and outages (test_stop_time, test_outages): an endpoint
that a test takes down and brings back on the same port, requests dropped into a running
consumer's directory, and waits on what the consumer logs.

An endpoint that is "down" is a port with a socket bound to it that does not listen: a
connection is refused at once (ECONNREFUSED), as from a host whose server is not running.
"Up", it is a FaultProxy (tests/fault/fault_proxy.py) in front of the real server on that
same port, so the consumer's --endpoint-url stays valid throughout.
"""

from __future__ import annotations

import re
import socket
import sys
import time
from pathlib import Path

import wc_harness as h

sys.path.insert(0, str(h.REPO_ROOT / "tests" / "fault"))
from fault_proxy import FaultConfig, FaultProxy  # noqa: E402

# Summary reasons (wc_harness.STOP_REASONS).
STOP_REQUESTED = "stop requested"
IDLE_TIMEOUT = "idle timeout"
FATAL_ERROR = "fatal error"
# Where a stop must be done by (SPEC.md §2), with the margin a busy machine needs.
K_STOP_LIMIT_S = h.K_SPEC_STOP_S + h.K_STOP_MARGIN_S
# The consumer logs this line once its source, store and dead-letter place are open.
CONSUMING_RE = re.compile(r"^consuming requests from ")


class SwitchableEndpoint:
    """A loopback port that is down (connections refused) or up (a FaultProxy in front of
    `upstream`). Starts down; stop() frees the port."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self._holder: socket.socket | None = None
        self.proxy: FaultProxy | None = None
        self._hold_port(0)

    @property
    def port(self) -> int:
        return self._port

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def _hold_port(self, port: int) -> None:
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", port))  # bound, never listening: connections are refused
        self._holder = holder
        self._port = holder.getsockname()[1]

    def up(self, config: FaultConfig | None = None) -> FaultProxy:
        """Serves the port with a proxy (no faults unless `config` says so); returns it."""
        assert self.proxy is None, "already up"
        self._holder.close()
        self._holder = None
        self.proxy = FaultProxy(self.upstream, config or FaultConfig(),
                                port=self._port).__enter__()
        return self.proxy

    def down(self) -> None:
        """Stops the proxy (its open connections are cut) and refuses new ones."""
        assert self.proxy is not None, "already down"
        self.proxy.stop()
        self.proxy = None
        self._hold_port(self._port)

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
            self.proxy = None
        if self._holder is not None:
            self._holder.close()
            self._holder = None


def unreachable_endpoint(test) -> SwitchableEndpoint:
    """A down endpoint (with no upstream ever served), released when `test` ends."""
    endpoint = SwitchableEndpoint("http://127.0.0.1:1")
    test.addCleanup(endpoint.stop)
    return endpoint


def drop_requests(directory: Path, requests: dict[str, bytes]) -> None:
    """Adds requests to a directory a consumer reads while it runs: each file is written
    under a hidden name (which the consumer skips) and renamed into place, so that it is
    never read half-written."""
    directory.mkdir(parents=True, exist_ok=True)
    for key, body in requests.items():
        hidden = directory / f".{key}.writing"
        hidden.write_bytes(body)
        hidden.rename(directory / key)


def messages(log_dir: Path, level: str) -> list[str]:
    """The messages of the log lines at `level`, in order."""
    return [parsed.message for parsed in map(h.parse_log_line, h.log_lines(log_dir))
            if parsed and parsed.level == level]


def retries(log_dir: Path, operation: str | None = None) -> list[re.Match]:
    """The AWS layer's retry lines (of one operation, if given)."""
    found = h.messages_at(h.log_lines(log_dir), "WARNING", h.RETRY_MESSAGE_RE)
    return [m for m in found if operation is None or m["operation"] == operation]


def wait_for_log(consumer, log_dir: Path, predicate, what: str, timeout: float = 60):
    """Waits until predicate(log_dir) is truthy (returned) while the consumer runs; fails,
    with its output, if it exits first."""
    value = h.wait_until(lambda: not consumer.running() or predicate(log_dir),
                         timeout=timeout, interval=0.01, what=what)
    if not consumer.running():
        raise AssertionError(f"the consumer exited while the test waited for {what}"
                             + consumer.result().describe())
    return value


def wait_until_consuming(consumer, log_dir: Path, timeout: float = 60) -> None:
    """Waits for the line that says the source, store and dead-letter place are open."""
    wait_for_log(consumer, log_dir,
                 lambda d: any(CONSUMING_RE.match(m) for m in messages(d, "INFO")),
                 "the consumer to open its source and store", timeout)


def stop_and_time(test, consumer, sig: int) -> tuple[h.RunResult, float]:
    """Sends `sig`, waits for the exit (at most K_STOP_LIMIT_S, else the test fails with the
    output) and returns the result and the seconds from the signal to the exit."""
    sent = time.monotonic()
    consumer.send(sig)
    result = consumer.wait(K_STOP_LIMIT_S)
    took = time.monotonic() - sent
    print(f"\n  {test.id().rsplit('.', 1)[-1]}: stopped {took:.2f} s after the signal",
          file=sys.stderr)
    test.assertLessEqual(took, K_STOP_LIMIT_S, "the stop took too long" + result.describe())
    return result, took


def stop_reason(log_dir: Path) -> str | None:
    summary = h.summary_of(h.log_lines(log_dir))
    return summary.reason if summary else None
