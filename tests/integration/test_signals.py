"""Stopping: SIGTERM and SIGINT stop gracefully with exit 0 and a summary, and a restart finishes
the job exactly; the idle timeout and the maximum run time stop with exit 0 (SPEC.md §2)."""

import signal
import time
import unittest

import wc_harness as h


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
                     or h.bucket_key_count(self.s3, self.requests) <= total * 0.8,
                     timeout=120, interval=0.0, what="a fifth of the requests to be applied")
        self.assertTrue(consumer.running(), "stopped by itself" + consumer.result().describe())
        consumer.send(sig)

        stopped = consumer.wait(h.K_GRACEFUL_STOP_S)

        self.assert_exit(stopped, 0)
        self.assert_summary(self.work.logs)
        restarted = h.run_consumer(self.args() + ["--idle-timeout", "1"], self.work,
                                   h.consumer_env(self.work))
        self.assert_exit(restarted, 0)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [])

    def test_sigterm_while_working_stops_with_0_and_a_restart_finishes_exactly(self):
        self.signal_while_working(signal.SIGTERM)

    def test_sigint_while_working_stops_with_0_and_a_restart_finishes_exactly(self):
        self.signal_while_working(signal.SIGINT)

    def test_sigterm_while_idle_stops_with_0(self):
        self.prepare()
        consumer = self.start_consumer(self.args(), self.work, h.consumer_env(self.work))
        # Started (its log exists) and then idle for a while: polling an empty bucket.
        h.wait_until(lambda: not consumer.running() or h.log_files(self.work.logs),
                     timeout=30, interval=0.05, what="the consumer's log file")
        time.sleep(1.5)
        self.assertTrue(consumer.running(), "stopped by itself" + consumer.result().describe())
        consumer.send(signal.SIGTERM)
        result = consumer.wait(h.K_GRACEFUL_STOP_S)
        self.assert_exit(result, 0)
        self.assert_summary(self.work.logs, requests_seen=0)

    def test_idle_timeout_stops_with_0_after_that_long_without_requests(self):
        self.prepare()
        result = h.run_consumer(self.args() + ["--idle-timeout", "2"], self.work,
                                h.consumer_env(self.work), timeout=30)
        self.assert_exit(result, 0)
        self.assertGreaterEqual(result.elapsed, 1.9, "stopped before the idle timeout")
        self.assertLess(result.elapsed, 15, "took far longer than the idle timeout")

    def test_max_runtime_stops_with_0(self):
        self.prepare()
        result = h.run_consumer(self.args() + ["--max-runtime", "2"], self.work,
                                h.consumer_env(self.work), timeout=30)
        self.assert_exit(result, 0)
        self.assertGreaterEqual(result.elapsed, 1.9, "stopped before the maximum run time")
        self.assertLess(result.elapsed, 15, "took far longer than the maximum run time")


if __name__ == "__main__":
    unittest.main()
