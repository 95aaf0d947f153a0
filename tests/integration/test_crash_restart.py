"""kill -9 at any instant, then a restart: the store ends exactly as if every request had been
applied once, in order (SPEC.md §6). The expectation is the conformance store, so these tests
do not re-implement the rules; they only choose when to kill."""

import os
import time
import unittest

import wc_harness as h


class KillAndRestartOverS3(h.ConsumerTestCase):
    def prepare(self, set_name: str = "producer-2021") -> None:
        self.data = h.load_conformance(set_name)
        self.endpoint = h.shared_moto().endpoint
        self.s3 = h.s3_client(self.endpoint)
        self.requests = h.create_bucket(self.s3, "wc-req")
        self.widgets = h.create_bucket(self.s3, "wc-wid")
        h.upload_requests(self.s3, self.requests, self.data.requests)
        self.work = self.workdir()

    def args(self) -> list:
        return (["-ss", "S3", "-rb", self.requests, "-wb", self.widgets,
                 "--endpoint-url", self.endpoint] + self.work.log_dir_args())

    def remaining(self) -> int:
        return h.bucket_key_count(self.s3, self.requests)

    def kill_when_remaining_at_most(self, fraction: float) -> int:
        """Starts the consumer (no idle timeout), SIGKILLs it once at most `fraction` of the
        requests are left (by its log: the requests it finished), and returns how many were
        left in the bucket after the kill."""
        target = int(len(self.data.requests) * fraction)
        consumer = self.start_consumer(self.args(), self.work, h.consumer_env(self.work))
        h.wait_until(lambda: not consumer.running()
                     or len(self.data.requests) - h.keys_logged(self.work.logs) <= target,
                     timeout=120, what=f"at most {target} requests left")
        self.assertTrue(consumer.running(),
                        "the consumer stopped by itself" + consumer.result().describe())
        consumer.kill()
        left = self.remaining()
        self.assertGreater(left, 0, "the kill came after the last request: nothing was tested")
        return left

    def finish_and_check(self) -> None:
        result = h.run_consumer(self.args() + h.idle_timeout_args(), self.work,
                                h.consumer_env(self.work))
        self.assert_exit(result, 0)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [])
        self.assert_dead_letters(self.work.dead_letters, self.data.rejected, self.data.requests)

    def test_kill_right_after_start(self):
        self.prepare()
        consumer = self.start_consumer(self.args(), self.work, h.consumer_env(self.work))
        time.sleep(0.3)
        consumer.kill()
        self.finish_and_check()

    def test_kill_after_a_tenth(self):
        self.prepare()
        self.kill_when_remaining_at_most(0.9)
        self.finish_and_check()

    def test_kill_halfway(self):
        self.prepare()
        self.kill_when_remaining_at_most(0.5)
        self.finish_and_check()

    def test_kill_near_the_end(self):
        self.prepare()
        self.kill_when_remaining_at_most(0.1)
        self.finish_and_check()

    def test_killed_twice(self):
        self.prepare()
        self.kill_when_remaining_at_most(0.7)
        self.kill_when_remaining_at_most(0.3)
        self.finish_and_check()

    def test_kill_halfway_through_the_set_with_rejections_and_missing_widgets(self):
        self.prepare("hw6-official")
        self.kill_when_remaining_at_most(0.5)
        self.finish_and_check()


def pending(requests_dir) -> int:
    """Requests still in the directory (a hidden bookkeeping entry is not a request)."""
    return sum(1 for name in os.listdir(requests_dir) if not name.startswith("."))


class KillAndRestartInDirectories(h.ConsumerTestCase):
    def test_kill_halfway_leaves_a_store_the_restart_completes(self):
        data = h.load_conformance("producer-2021")
        work = self.workdir()
        requests_dir = work.root / "requests"
        widgets_dir = work.root / "widgets-store"
        h.write_request_files(requests_dir, data.requests)
        args = (["--requests-dir", requests_dir, "--widgets-dir", widgets_dir]
                + work.log_dir_args())
        env = h.consumer_env(work, key_id=None, secret=None)
        target = len(data.requests) // 2

        consumer = self.start_consumer(args, work, env)
        h.wait_until(lambda: not consumer.running() or pending(requests_dir) <= target,
                     timeout=120, interval=0.0, what=f"at most {target} requests left")
        self.assertTrue(consumer.running(), "stopped by itself" + consumer.result().describe())
        consumer.kill()
        self.assertGreater(pending(requests_dir), 0, "the kill came too late")

        result = h.run_consumer(args + h.idle_timeout_args(), work, env)
        self.assert_exit(result, 0)
        # A temporary file of the killed process's last write may stay behind; it is hidden,
        # and what counts is that every widget file is whole and right.
        self.assert_directory_store(widgets_dir, data.widgets, ignore_hidden=True)
        self.assertEqual(sorted(h.files_under(requests_dir)), [])


if __name__ == "__main__":
    unittest.main()
