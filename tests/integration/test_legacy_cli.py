"""The original command line keeps working (SPEC.md §2): `-ss S3 -rb X -wb Y` exactly, the long
names and aliases, `-ss` case-insensitive or omitted, the endpoint from the environment."""

import signal
import unittest

import wc_harness as h


class LegacyCommandLine(h.ConsumerTestCase):
    def setUp(self):
        self.data = h.load_conformance("hw6-official")
        self.endpoint = h.shared_moto().endpoint
        self.s3 = h.s3_client(self.endpoint)
        self.requests = h.create_bucket(self.s3, "wc-req")
        self.widgets = h.create_bucket(self.s3, "wc-wid")
        h.upload_requests(self.s3, self.requests, self.data.requests)
        self.work = self.workdir()

    def check_store(self):
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [])

    def run_to_idle(self, args, **env):
        result = h.run_consumer(args + h.idle_timeout_args() + self.work.log_dir_args(),
                                self.work, h.consumer_env(self.work, **env))
        self.assert_exit(result, 0)
        self.check_store()

    def test_original_form_exactly_with_endpoint_from_environment(self):
        # Exactly the documented words: no idle timeout, so it runs until told to stop.
        consumer = self.start_consumer(
            ["-ss", "S3", "-rb", self.requests, "-wb", self.widgets], self.work,
            h.consumer_env(self.work, AWS_ENDPOINT_URL=self.endpoint))
        h.wait_until(lambda: not consumer.running() or h.bucket_key_count(self.s3, self.requests) == 0,
                     timeout=120, interval=0.1, what="the request bucket to empty")
        self.assertTrue(consumer.running(), "stopped on its own" + consumer.result().describe())
        consumer.send(signal.SIGTERM)
        result = consumer.wait(h.K_GRACEFUL_STOP_S)
        self.assert_exit(result, 0)
        self.check_store()
        # Defaults (SPEC.md §2, §7): logs/ and dead-letters/ in the working directory.
        self.assertTrue(h.log_files(self.work.cwd / "logs"), "no log file in ./logs")
        self.assert_dead_letters(self.work.cwd / "dead-letters", self.data.rejected,
                                 self.data.requests)

    def test_long_names_storage_request_bucket_widget_bucket(self):
        self.run_to_idle(["--storage", "S3", "--request-bucket", self.requests,
                          "--widget-bucket", self.widgets, "--endpoint-url", self.endpoint])

    def test_source_and_target_with_lower_case_storage(self):
        self.run_to_idle(["-ss", "s3", "--source", self.requests, "--target", self.widgets,
                          "--endpoint-url", self.endpoint])

    def test_long_options_with_equals_sign(self):
        self.run_to_idle(["--storage=S3", f"--source={self.requests}",
                          f"--target={self.widgets}", f"--endpoint-url={self.endpoint}"])

    def test_storage_may_be_omitted_with_one_store(self):
        self.run_to_idle(["-rb", self.requests, "-wb", self.widgets],
                         AWS_ENDPOINT_URL_S3=self.endpoint)


if __name__ == "__main__":
    unittest.main()
