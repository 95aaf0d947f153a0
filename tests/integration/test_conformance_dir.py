"""Conformance in directory mode (no server): --requests-dir to --widgets-dir ends as the S3
layout of SPEC.md §5 on disk, the requests directory ends empty."""

import signal
import time
import unittest

import wc_harness as h


class ConformanceInDirectories(h.ConsumerTestCase):
    def check_set(self, name: str) -> None:
        self.at_each_concurrency(self.check_set_at, name)

    def check_set_at(self, name: str, concurrency: str) -> None:
        data = h.load_conformance(name)
        work = self.workdir()
        requests_dir = work.root / "requests"
        widgets_dir = work.root / "widgets-store"
        h.write_request_files(requests_dir, data.requests)

        result = h.run_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", widgets_dir, *h.idle_timeout_args(),
             "--concurrency", concurrency] + work.log_dir_args(), work,
            h.consumer_env(work, key_id=None, secret=None))

        self.assert_exit(result, 0)
        self.assert_directory_store(widgets_dir, data.widgets)
        self.assertEqual(sorted(h.files_under(requests_dir)), [],
                         "the requests directory should end empty")
        self.assert_dead_letters(work.dead_letters, data.rejected, data.requests)
        self.assert_warning_count(work.logs, data.warnings)

    def test_hw6_official_set_ends_in_the_expected_directory_store(self):
        self.check_set("hw6-official")

    def test_producer_2021_set_ends_in_the_expected_directory_store(self):
        self.check_set("producer-2021")

    def test_requests_written_while_running_are_consumed(self):
        data = h.load_conformance("hw6-official")
        work = self.workdir()
        requests_dir = work.root / "requests"
        widgets_dir = work.root / "widgets-store"
        requests_dir.mkdir()
        # No idle timeout: it runs until the test has seen every request go, and stops it.
        consumer = self.start_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", widgets_dir]
            + work.log_dir_args(), work, h.consumer_env(work, key_id=None, secret=None))
        for key, body in data.requests.items():  # a slow producer, in key order
            temp = work.root / f"{key}.part"  # written beside, then renamed in: never seen half
            temp.write_bytes(body)
            temp.rename(requests_dir / key)
            time.sleep(0.02)
        h.wait_until(lambda: not consumer.running() or h.keys_logged(work.logs) == len(
            data.requests), timeout=60, what="every request logged")
        self.assertTrue(consumer.running(), "stopped by itself" + consumer.result().describe())
        consumer.send(signal.SIGTERM)

        result = consumer.wait(h.K_GRACEFUL_STOP_S)

        self.assert_exit(result, 0)
        self.assert_directory_store(widgets_dir, data.widgets)
        self.assertEqual(h.files_under(requests_dir), {})


class EmbeddedDefault(h.ConsumerTestCase):
    """No backend flag at all: the local directories are the default (SPEC.md §1).

    DEFAULT-NAMES: `requests/` and `widget-store/` in the working directory are the names the
    command line chose (src/app/backend_selection.cpp); align here if they change."""

    def test_no_backend_flag_runs_requests_directory_into_widget_store_directory(self):
        data = h.load_conformance("hw6-official")
        work = self.workdir()
        h.write_request_files(work.cwd / "requests", data.requests)

        result = h.run_consumer(h.idle_timeout_args(), work,
                                h.consumer_env(work, key_id=None, secret=None))

        self.assert_exit(result, 0)
        self.assert_directory_store(work.cwd / "widget-store", data.widgets)
        self.assertEqual(h.files_under(work.cwd / "requests"), {})
        self.assert_dead_letters(work.cwd / "dead-letters", data.rejected, data.requests)
        self.assertTrue(h.log_files(work.cwd / "logs"), "no log file in ./logs")


if __name__ == "__main__":
    unittest.main()
