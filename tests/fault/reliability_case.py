"""Base class of the fault, crash and hostile-input integration tests: the shared harness
(tests/integration/wc_harness.py) plus the proxy, the concurrency variants and the log checks
these tests have in common."""

from __future__ import annotations

from pathlib import Path

import wc_harness as h
from fault_proxy import FaultConfig, FaultProxy
from workloads import K_CONCURRENCY_LEVELS, concurrency_variants, out_of_order, request_lines

K_UPLOAD_THREADS = h.K_UPLOAD_THREADS


def upload_in_parallel(endpoint: str, bucket: str, requests: dict[str, bytes]) -> None:
    """Puts many requests at once (wc_harness.upload_requests on a client of `endpoint`)."""
    h.upload_requests(h.s3_client(endpoint), bucket, requests)


def hidden_files(directory: Path) -> list[str]:
    """Files below `directory` whose name starts with '.' (temporary files of atomic writes)."""
    if not directory.exists():
        return []
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob(".*")
                  if p.is_file())


def visible_names(directory: Path) -> list[str]:
    """Names of the files below `directory` not starting with '.', without reading them: safe
    while a consumer is removing files."""
    if not directory.exists():
        return []
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*")
                  if not any(part.startswith(".") for part in p.relative_to(directory).parts)
                  and p.is_file())


def visible_files(directory: Path) -> dict[str, bytes]:
    return {name: body for name, body in h.files_under(directory).items()
            if not any(part.startswith(".") for part in name.split("/"))}


class ReliabilityTestCase(h.ConsumerTestCase):
    def variants(self, levels=K_CONCURRENCY_LEVELS) -> list[list[str]]:
        """Consumer arguments (--concurrency N) per level to test."""
        return concurrency_variants(levels)

    def start_proxy(self, upstream: str, config: FaultConfig) -> FaultProxy:
        proxy = FaultProxy(upstream, config).__enter__()
        self.addCleanup(proxy.stop)
        return proxy

    def assert_each_request_logged_once_in_order(self, log_dir: Path, keys: list[str]) -> list:
        """Every key has exactly one per-request line, and per widget the keys come in order."""
        lines = request_lines(h.log_lines(log_dir))
        logged = sorted(line.key for line in lines)
        self.assertEqual(logged, sorted(keys),
                         "each request must be logged exactly once (none lost, none twice)")
        self.assertEqual(out_of_order(lines), [], "requests for one widget applied out of order")
        return lines

    def assert_faults_injected_and_retried(self, stats: dict, rate: float, log_dir: Path,
                                           visible_kinds, context: str) -> list[str]:
        """The proxy injected about `rate` of the calls, and each visible error answer (5xx,
        429) shows as a retry line in the log; returns the retry lines."""
        share = stats["injected_total"] / stats["requests"]
        self.assertGreater(share, rate * 0.6, f"fewer faults injected than asked: {stats}")
        self.assertLess(share, rate * 1.5, f"more faults injected than asked: {stats}")
        retries = self.retry_lines(log_dir)
        visible = sum(stats["injected"][kind] for kind in visible_kinds)
        self.assertGreaterEqual(len(retries), visible,
                                f"{visible} error answers but only {len(retries)} retry lines"
                                + context)
        return retries

    def retry_lines(self, log_dir: Path) -> list[str]:
        """The AWS layer's retry WARNING lines."""
        return h.retry_lines(h.log_lines(log_dir))

    def summary_retries(self, log_dir: Path) -> int | None:
        """The retries the stop summary's AWS line counts (None without one)."""
        summary = h.summary_of(h.log_lines(log_dir))
        return summary.aws_retries if summary else None
