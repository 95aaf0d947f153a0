"""Conformance over S3: the real request sets in a request bucket end as SPEC.md's S3 store
(shared/conformance/*.expected.json, part `s3`), with rejections dead-lettered and warnings
logged."""

import unittest

import wc_harness as h


class ConformanceOverS3(h.ConsumerTestCase):
    def check_set(self, name: str) -> None:
        self.at_each_concurrency(self.check_set_at, name)

    def check_set_at(self, name: str, concurrency: str) -> None:
        data = h.load_conformance(name)
        endpoint = h.shared_moto().endpoint
        s3 = h.s3_client(endpoint)
        requests = h.create_bucket(s3, "wc-req")
        widgets = h.create_bucket(s3, "wc-wid")
        h.upload_requests(s3, requests, data.requests)
        work = self.workdir()

        result = h.run_consumer(
            ["-ss", "S3", "-rb", requests, "-wb", widgets, *h.idle_timeout_args(),
             "--endpoint-url", endpoint, "--concurrency", concurrency] + work.log_dir_args(),
            work, h.consumer_env(work))

        self.assert_exit(result, 0)
        self.assert_s3_store(s3, widgets, data.widgets)
        self.assertEqual(h.bucket_keys(s3, requests), [], "the request bucket should end empty")
        self.assert_dead_letters(work.dead_letters, data.rejected, data.requests)
        self.assert_warning_count(work.logs, data.warnings)
        self.assert_secret_absent(h.TEST_SECRET, result.stdout, result.stderr, log_dir=work.logs)

    def test_hw6_official_set_ends_in_the_expected_store(self):
        self.check_set("hw6-official")

    def test_producer_2021_set_ends_in_the_expected_store(self):
        self.check_set("producer-2021")


if __name__ == "__main__":
    unittest.main()
