"""Stopping: SIGTERM and SIGINT stop gracefully with exit 0 and a summary, and a restart finishes
the job exactly; the idle timeout and the maximum run time stop with exit 0 (SPEC.md §2)."""

import signal
import sys
import unittest

import wc_harness as h

sys.path.insert(0, str(h.REPO_ROOT / "tests" / "fault"))
from fault_proxy import FaultConfig, FaultProxy  # noqa: E402

# For the tests of the idle timeout and the maximum run time themselves.
K_STOP_AFTER_S = 1
K_IDLE_LOOKS = 5


def glibc_tunables(consumer) -> str | None:
    """GLIBC_TUNABLES in the environment the running consumer's process started with. glibc
    parses the variable in place, cutting it at each ':' with a NUL: the pieces that follow
    it are put together again."""
    with open(f"/proc/{consumer.process.pid}/environ", "rb") as environ:
        entries = environ.read().split(b"\0")
    for i, entry in enumerate(entries):
        if entry.startswith(b"GLIBC_TUNABLES="):
            pieces = [entry.split(b"=", 1)[1]]
            pieces += [e for e in entries[i + 1:] if e.startswith(b"glibc.")]
            return b":".join(pieces).decode()
    return None


class Stopping(h.ConsumerTestCase):
    def prepare(self, data=None) -> None:
        self.endpoint = h.shared_moto().endpoint
        self.s3 = h.s3_client(self.endpoint)
        self.requests = h.create_bucket(self.s3, "wc-req")
        self.widgets = h.create_bucket(self.s3, "wc-wid")
        self.data = data
        if data is not None:
            h.upload_requests(self.s3, self.requests, data.requests)
        self.work = self.workdir()

    def args(self) -> list:
        return (["-ss", "S3", "-rb", self.requests, "-wb", self.widgets,
                 "--endpoint-url", self.endpoint] + self.work.log_dir_args())

    def signal_while_working(self, sig: int) -> None:
        self.prepare(h.load_conformance("producer-2021"))
        total = len(self.data.requests)
        consumer = self.start_consumer(self.args(), self.work, h.consumer_env(self.work))
        h.wait_until(lambda: not consumer.running()
                     or len(h.request_lines(h.log_lines(self.work.logs))) >= total // 5,
                     timeout=120, what="a fifth of the requests to be applied")
        self.assertTrue(consumer.running(), "stopped by itself" + consumer.result().describe())
        consumer.send(sig)

        stopped = consumer.wait(h.K_GRACEFUL_STOP_S)

        self.assert_exit(stopped, 0)
        self.assert_stopped_because(self.work.logs, "stop requested")
        done = len(h.request_lines(h.log_lines(self.work.logs)))
        self.assertLess(done, total, "the signal came after the last request: nothing tested")
        self.assert_summary(self.work.logs, requests_seen=done)
        restarted = h.run_consumer(self.args() + h.idle_timeout_args(), self.work,
                                   h.consumer_env(self.work))
        self.assert_exit(restarted, 0)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [])

    def test_sigterm_while_working_stops_with_0_and_a_restart_finishes_exactly(self):
        self.signal_while_working(signal.SIGTERM)

    def test_sigint_while_working_stops_with_0_and_a_restart_finishes_exactly(self):
        self.signal_while_working(signal.SIGINT)

    def assert_stopped_because(self, log_dir, reason: str) -> None:
        summary = h.summary_of(h.log_lines(log_dir))
        self.assertIsNotNone(summary, "no summary in the log")
        self.assertEqual(summary.reason, reason, "the reason the summary gives")

    def test_sigterm_while_idle_stops_with_0(self):
        self.prepare()
        # Through a proxy (no faults) that counts the consumer's calls.
        proxy = FaultProxy(self.endpoint, FaultConfig()).__enter__()
        self.addCleanup(proxy.stop)
        args = self.args()
        args[args.index(self.endpoint)] = proxy.endpoint
        consumer = self.start_consumer(args, self.work, h.consumer_env(self.work))
        # Idle: it has found the bucket empty again and again, and waits longer each time
        # (0.1, 0.2, 0.4, 0.8 s, then 1.6 s after the fifth look).
        h.wait_until(lambda: not consumer.running()
                     or proxy.snapshot()["calls"].get("ListObjectsV2", 0) >= K_IDLE_LOOKS,
                     timeout=30, what=f"the consumer's look number {K_IDLE_LOOKS} at the "
                     "empty bucket")
        self.assertTrue(consumer.running(), "stopped by itself" + consumer.result().describe())
        # It started itself again with glibc's thread caches limited (src/app/thread_caches.h),
        # as the same process: the signal below reaches the one that works.
        self.assertEqual(glibc_tunables(consumer), "glibc.malloc.tcache_max=64")
        consumer.send(signal.SIGTERM)
        # An idle consumer stops at once (SPEC.md §2), even while it waits to poll again.
        result = consumer.wait(h.K_SPEC_STOP_S + h.K_STOP_MARGIN_S)
        self.assert_exit(result, 0)
        self.assert_stopped_because(self.work.logs, "stop requested")
        self.assert_summary(self.work.logs, requests_seen=0)

    def test_a_users_own_glibc_tunables_are_kept_and_the_limit_added_only_when_unset(self):
        self.prepare()
        for given, expected in [("glibc.malloc.arena_max=2",
                                 "glibc.malloc.arena_max=2:glibc.malloc.tcache_max=64"),
                                ("glibc.malloc.tcache_count=0", "glibc.malloc.tcache_count=0")]:
            work = self.workdir()
            env = dict(h.consumer_env(work), GLIBC_TUNABLES=given)
            consumer = self.start_consumer(self.args()[:-4] + work.log_dir_args(), work, env)
            h.wait_until(lambda: not consumer.running() or h.log_lines(work.logs),
                         timeout=30, what="the consumer's first log line")
            self.assertTrue(consumer.running(), consumer.result().describe())
            self.assertEqual(glibc_tunables(consumer), expected, f"given {given}")
            consumer.send(signal.SIGTERM)
            self.assert_exit(consumer.wait(h.K_SPEC_STOP_S + h.K_STOP_MARGIN_S), 0)

    def test_idle_timeout_stops_with_0_after_that_long_without_requests(self):
        self.prepare()
        result = h.run_consumer(self.args() + ["--idle-timeout", str(K_STOP_AFTER_S)],
                                self.work, h.consumer_env(self.work), timeout=30)
        self.assert_exit(result, 0)
        self.assert_stopped_because(self.work.logs, "idle timeout")
        self.assertGreaterEqual(result.elapsed, K_STOP_AFTER_S - 0.1,
                                "stopped before the idle timeout")
        self.assertLess(result.elapsed, K_STOP_AFTER_S + 13,
                        "took far longer than the idle timeout")

    def test_max_runtime_stops_with_0(self):
        self.prepare()
        result = h.run_consumer(self.args() + ["--max-runtime", str(K_STOP_AFTER_S)], self.work,
                                h.consumer_env(self.work), timeout=30)
        self.assert_exit(result, 0)
        self.assert_stopped_because(self.work.logs, "maximum runtime reached")
        self.assertGreaterEqual(result.elapsed, K_STOP_AFTER_S - 0.1,
                                "stopped before the maximum run time")
        self.assertLess(result.elapsed, K_STOP_AFTER_S + 13,
                        "took far longer than the maximum run time")


if __name__ == "__main__":
    unittest.main()
