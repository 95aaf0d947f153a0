"""A bucket that does not exist is a fatal error: exit 1, a message that names the bucket and
says it does not exist, and nothing touched (SPEC.md §2)."""

import re
import unittest

import wc_harness as h

DOES_NOT_EXIST = re.compile(r"does not exist|doesn't exist|no such bucket|NoSuchBucket", re.I)


class MissingBuckets(h.ConsumerTestCase):
    def setUp(self):
        self.endpoint = h.shared_moto().endpoint
        self.s3 = h.s3_client(self.endpoint)
        self.work = self.workdir()
        self.data = h.load_conformance("hw6-official")

    def run_with(self, requests: str, widgets: str) -> h.RunResult:
        return h.run_consumer(
            ["-ss", "S3", "-rb", requests, "-wb", widgets, *h.idle_timeout_args(),
             "--endpoint-url", self.endpoint] + self.work.log_dir_args(),
            self.work, h.consumer_env(self.work), timeout=60)

    def assert_names_missing_bucket(self, result: h.RunResult, bucket: str) -> None:
        self.assert_exit(result, 1)
        self.assertIn(bucket, result.output, "the message does not name the bucket"
                      + result.describe())
        self.assertRegex(result.output, DOES_NOT_EXIST,
                         "the message does not say the bucket does not exist" + result.describe())

    def test_missing_request_bucket_is_fatal_and_the_widget_bucket_is_untouched(self):
        widgets = h.create_bucket(self.s3, "wc-wid")
        self.s3.put_object(Bucket=widgets, Key="widgets/sentinel/keep", Body=b"{}")
        missing = h.fresh_name("wc-missing-req")

        result = self.run_with(missing, widgets)

        self.assert_names_missing_bucket(result, missing)
        self.assertEqual(h.bucket_keys(self.s3, widgets), ["widgets/sentinel/keep"])
        self.assertNotIn(missing, h.bucket_names(self.s3), "the missing bucket was created")

    def test_missing_widget_bucket_is_fatal_and_the_requests_are_untouched(self):
        requests = h.create_bucket(self.s3, "wc-req")
        h.upload_requests(self.s3, requests, self.data.requests)
        missing = h.fresh_name("wc-missing-wid")

        result = self.run_with(requests, missing)

        self.assert_names_missing_bucket(result, missing)
        left = {key: obj.body for key, obj in h.read_bucket(self.s3, requests).items()}
        self.assertEqual(left, self.data.requests, "requests were removed or changed")
        self.assertEqual(h.files_under(self.work.dead_letters), {},
                         "requests were dead-lettered because of a missing bucket")
        # Other modules create buckets on the shared moto meanwhile: look for this one only.
        self.assertNotIn(missing, h.bucket_names(self.s3), "the missing bucket was created")


class MissingDirectories(h.ConsumerTestCase):
    def test_missing_requests_directory_is_fatal_and_names_it(self):
        work = self.workdir()
        missing = work.root / "no-such-requests"
        result = h.run_consumer(
            ["--requests-dir", missing, "--widgets-dir", work.root / "store",
             *h.idle_timeout_args()] + work.log_dir_args(), work,
            h.consumer_env(work, key_id=None, secret=None),
            timeout=60)
        self.assert_exit(result, 1)
        self.assertIn(str(missing), result.output, "the message does not name the directory"
                      + result.describe())
        self.assertRegex(result.output, DOES_NOT_EXIST, result.describe())
        self.assertFalse(missing.exists(), "the missing requests directory was created")


if __name__ == "__main__":
    unittest.main()
