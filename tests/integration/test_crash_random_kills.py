"""kill -9 at many random instants, restarting each time: the store ends exactly as if every
request had been applied once, in order (SPEC.md §6). SIGTERM at random instants: the request
in flight is finished (applied and removed) and the consumer exits 0 within 10 s.

The workload is many updates to a few widgets (tests/fault/workloads.py), so that a replay of
an old request after newer state, a lost request or a reordering shows in the final store. The
kill instants come from a seeded random.Random (printed), uniform over the run including its
start-up. Each run logs to its own directory so the per-widget order can be checked run by run
(a request applied but not yet removed when killed is legitimately logged again by the next
run). The directory runs go at concurrency 1 and 32, the S3 runs (slower, through moto) at 32."""

import random
import signal
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import wc_harness as h  # noqa: E402
from fault_proxy import FaultConfig  # noqa: E402
from reliability_case import (ReliabilityTestCase, hidden_files, upload_in_parallel,  # noqa: E402
                              visible_files, visible_names)
from workloads import (CONCURRENT_ONLY, is_sequential, ordered_workload,  # noqa: E402
                       out_of_order, request_lines)

K_KILLS = 25
# A kill during a directory write lands between the temporary file and its rename more often
# than not (the write's fsync is most of its time): a few kills leave some behind.
K_KILLS_FOR_TEMPORARY_FILES = 10
# The directory runs add requests as they go (as a producer would, with later keys), so work
# remains for every kill however fast the machine and build are: before each run at least
# K_DIRECTORY_AHEAD requests, and at least twice the most one run has done so far, are pending.
K_DIRECTORY_AHEAD = {True: 300, False: 1000}
K_DIRECTORY_WORKLOAD = 200_000  # generated up front; only a prefix is ever written
K_S3_REQUESTS = {True: 400, False: 900}
K_KILL_WINDOW_S = (0.0, 0.5)  # a kill comes this long after the start of a run
K_SIGTERM_STOPS = 6
K_GRACEFUL_EXIT_S = 10


class RandomKills(ReliabilityTestCase):
    """Shared loop: start, wait a random instant, kill -9 (or SIGTERM), repeat."""

    def kill_repeatedly(self, args_for_run, pending, kills: int, seed: int,
                        sig: int = signal.SIGKILL, on_stopped=None) -> list:
        """Runs the consumer `kills` times, stopping each run with `sig` after a random
        instant; returns the log directory of each run. Fails if the consumer ends by itself
        or nothing is pending any more before the kills are done."""
        rng = random.Random(seed)
        log_dirs = []
        for run in range(kills):
            self.before_run()
            self.assertGreater(pending(), 0, f"work ran out after {run} of {kills} kills: "
                               "use more requests")
            log_dir = self.work.root / f"logs-{run:02d}"
            log_dirs.append(log_dir)
            before = pending()
            consumer = self.start_consumer(args_for_run(log_dir), self.work, self.env)
            if sig != signal.SIGKILL:
                # A signal that lands before main() installs its handlers ends any program;
                # graceful stops are tested once the consumer is at work.
                h.wait_until(lambda: not consumer.running() or pending() < before,
                             timeout=60, what="the first request of the run done")
            time.sleep(rng.uniform(*K_KILL_WINDOW_S))
            self.assertTrue(consumer.running(),
                            f"run {run} ended by itself" + consumer.result().describe())
            if sig == signal.SIGKILL:
                consumer.kill()
            else:
                consumer.send(sig)
                result = consumer.wait(timeout=K_GRACEFUL_EXIT_S)
                self.assert_exit(result, 0)
                if on_stopped:
                    on_stopped(run)
        return log_dirs

    def before_run(self) -> None:
        """Called before each run: a chance to add work."""

    def assert_order_within_each_run(self, log_dirs) -> int:
        logged = 0
        for log_dir in log_dirs:
            lines = request_lines(h.log_lines(log_dir))
            logged += len(lines)
            self.assertEqual(out_of_order(lines), [], f"out of order within run {log_dir.name}")
        return logged


class KillNineInDirectories(RandomKills):
    def prepare(self, ahead: int, seed: int) -> None:
        self.workload = ordered_workload(K_DIRECTORY_WORKLOAD, widgets=6, seed=seed)
        self.unwritten = iter(self.workload.requests.items())
        self.written: list[str] = []
        self.ahead = ahead
        self.most_in_one_run = 0
        self.pending_at_start = None
        self.kills_leaving_temporary_files = 0
        self.work = self.workdir()
        self.requests_dir = self.work.root / "requests"
        self.widgets_dir = self.work.root / "widgets"
        self.requests_dir.mkdir(parents=True)
        self.env = h.consumer_env(self.work, key_id=None, secret=None)

    def before_run(self) -> None:
        """Writes the next requests of the workload (later keys) so that enough are pending,
        and counts the kills that left a temporary file in the store (the next run deletes
        it)."""
        self.count_temporary_files_left()
        pending = self.pending()
        if self.pending_at_start is not None:
            self.most_in_one_run = max(self.most_in_one_run, self.pending_at_start - pending)
        wanted = max(self.ahead, 2 * self.most_in_one_run)
        batch = dict(next(self.unwritten) for _ in range(max(0, wanted - pending)))
        h.write_request_files(self.requests_dir, batch)
        self.written.extend(batch)
        self.pending_at_start = self.pending()

    def count_temporary_files_left(self) -> None:
        if hidden_files(self.widgets_dir):
            self.kills_leaving_temporary_files += 1

    def expected_store(self) -> dict[str, dict]:
        return self.workload.expected_after(self.written)

    def args(self, log_dir: Path, extra: list[str]) -> list:
        return ["--requests-dir", self.requests_dir, "--widgets-dir", self.widgets_dir,
                "--log-dir", log_dir, "--dead-letter-dir", self.work.dead_letters, *extra]

    def pending(self) -> int:
        return len(visible_names(self.requests_dir))

    def finish(self, extra: list[str]) -> Path:
        log_dir = self.work.root / "logs-final"
        result = h.run_consumer(self.args(log_dir, extra) + h.idle_timeout_args(),
                                self.work, self.env)
        self.assert_exit(result, 0)
        return log_dir

    def test_store_ends_as_if_each_request_ran_once_after_25_kill_nines(self):
        seed = 2024
        for extra in self.variants():
            with self.subTest(args=extra):
                self.prepare(K_DIRECTORY_AHEAD[is_sequential(extra)], seed)
                log_dirs = self.kill_repeatedly(lambda d: self.args(d, extra), self.pending,
                                                K_KILLS, seed)
                done_by_kills = len(self.written) - self.pending()
                log_dirs.append(self.finish(extra))

                widgets = self.parse_widgets(visible_files(self.widgets_dir), "widgets dir")
                self.assert_widgets_equal(widgets, self.expected_store(),
                                          f"after {K_KILLS} kill -9 (seed {seed})")
                self.assertEqual(self.pending(), 0, "requests left behind")
                self.assertEqual(h.files_under(self.work.dead_letters), {})
                logged = self.assert_order_within_each_run(log_dirs)
                self.assertGreaterEqual(logged, len(self.written))
                print(f"\n  {K_KILLS} kill -9 (seed {seed}) {' '.join(extra)}: "
                      f"{done_by_kills} of {len(self.written)} requests done "
                      f"before the last kill", file=sys.stderr)

    def test_kill_nines_leave_no_temporary_files_in_the_store(self):
        """A kill between writing a temporary file and renaming it must not leave the file
        in the store for good: the next run (or the write itself) must tidy it."""
        seed = 77
        self.prepare(K_DIRECTORY_AHEAD[False], seed)
        self.kill_repeatedly(lambda d: self.args(d, []), self.pending,
                             K_KILLS_FOR_TEMPORARY_FILES, seed)
        self.count_temporary_files_left()  # what the last kill left
        self.assertGreater(self.kills_leaving_temporary_files, 0,
                           "no kill came during a write: nothing was tested")
        self.finish([])
        self.assertEqual(hidden_files(self.widgets_dir), [],
                         "temporary files left in the widget store after kill -9")

    def test_sigterm_finishes_the_request_in_flight_and_exits_0_within_10_s(self):
        seed = 99
        for extra in self.variants():
            with self.subTest(args=extra):
                self.prepare(K_DIRECTORY_AHEAD[is_sequential(extra)], seed)

                def store_matches_the_removed_requests(run: int) -> None:
                    gone = set(self.written) - set(visible_names(self.requests_dir))
                    widgets = self.parse_widgets(visible_files(self.widgets_dir), "widgets")
                    self.assert_widgets_equal(
                        widgets, self.workload.expected_after(gone),
                        f"after SIGTERM {run}: the store is not the effect of exactly the "
                        f"{len(gone)} removed requests (one in flight was cut short?)")

                self.kill_repeatedly(lambda d: self.args(d, extra), self.pending,
                                     K_SIGTERM_STOPS, seed, signal.SIGTERM,
                                     store_matches_the_removed_requests)
                self.finish(extra)
                widgets = self.parse_widgets(visible_files(self.widgets_dir), "widgets dir")
                self.assert_widgets_equal(widgets, self.expected_store(), "after the SIGTERMs")


class KillNineOverS3(RandomKills):
    def prepare(self, count: int, seed: int, proxy_config: FaultConfig | None = None) -> None:
        self.workload = ordered_workload(count, widgets=5, seed=seed)
        self.moto = h.shared_moto().endpoint
        self.s3 = h.s3_client(self.moto)
        self.requests = h.create_bucket(self.s3, "wc-kill-req")
        self.widgets = h.create_bucket(self.s3, "wc-kill-wid")
        upload_in_parallel(self.moto, self.requests, self.workload.requests)
        self.work = self.workdir()
        self.env = h.consumer_env(self.work)
        self.endpoint = (self.start_proxy(self.moto, proxy_config).endpoint if proxy_config
                         else self.moto)

    def args(self, log_dir: Path, extra: list[str]) -> list:
        return ["-ss", "S3", "-rb", self.requests, "-wb", self.widgets, "--endpoint-url",
                self.endpoint, "--log-dir", log_dir, "--dead-letter-dir",
                self.work.dead_letters, *extra]

    def pending(self) -> int:
        return h.bucket_key_count(self.s3, self.requests)

    def stored(self) -> dict:
        return self.parse_widgets({k: o.body for k, o in h.read_bucket(self.s3, self.widgets)
                                   .items()}, "widget bucket")

    def finish(self, extra: list[str]) -> Path:
        log_dir = self.work.root / "logs-final"
        result = h.run_consumer(self.args(log_dir, extra) + h.idle_timeout_args(),
                                self.work, self.env)
        self.assert_exit(result, 0)
        return log_dir

    def test_store_ends_as_if_each_request_ran_once_after_20_kill_nines(self):
        seed = 4242
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                self.prepare(K_S3_REQUESTS[is_sequential(extra)], seed)
                log_dirs = self.kill_repeatedly(lambda d: self.args(d, extra), self.pending,
                                                20, seed)
                log_dirs.append(self.finish(extra))
                self.assert_widgets_equal(self.stored(), self.workload.widgets,
                                          f"after 20 kill -9 (seed {seed})")
                self.assertEqual(h.bucket_keys(self.s3, self.requests), [])
                self.assertEqual(h.files_under(self.work.dead_letters), {})
                self.assert_order_within_each_run(log_dirs)

    def test_sigterm_with_slow_answers_finishes_the_request_in_flight_within_10_s(self):
        """Every answer is held back 0.3 s, so a request is in flight at each SIGTERM."""
        seed = 515
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                self.prepare(120, seed, FaultConfig(slow=1.0, slow_delay=0.3))

                def store_matches_the_removed_requests(run: int) -> None:
                    gone = set(self.workload.requests) - set(h.bucket_keys(self.s3,
                                                                            self.requests))
                    self.assert_widgets_equal(
                        self.stored(), self.workload.expected_after(gone),
                        f"after SIGTERM {run}: the store is not the effect of exactly the "
                        f"{len(gone)} removed requests")

                self.kill_repeatedly(lambda d: self.args(d, extra), self.pending, 4, seed,
                                     signal.SIGTERM, store_matches_the_removed_requests)


if __name__ == "__main__":
    unittest.main()
