"""Usage errors (SPEC.md §2): each is exit 2 with exactly one line on stderr that names the
problem, and nothing touched: no log or dead-letter directory made, no request consumed, no
widget written. --help and --version exit 0."""

import re
import unittest

import wc_harness as h

# name: (arguments, pattern the one stderr line must match). REQ/WID/DIR/TABLE are replaced by
# real buckets and directories, so that "nothing touched" is checked against real resources.
# WORDING-DEPENDENT: the patterns only look for the flag or word at fault.
USAGE_ERRORS = {
    "unknown_flag": (["-ss", "S3", "-rb", "REQ", "-wb", "WID", "--frobnicate"], r"--frobnicate"),
    "unknown_short_flag": (["-ss", "S3", "-rb", "REQ", "-wb", "WID", "-zz"], r"-zz"),
    "no_source": (["-ss", "S3", "-wb", "WID"], r"source|-rb|--requests-dir|-rq|request"),
    "two_sources": (["-rb", "REQ", "--requests-dir", "DIR", "-wb", "WID"],
                    r"source|-rb|--requests-dir|one"),
    "no_store": (["-rb", "REQ"], r"store|-wb|-dt|--widgets-dir|widget"),
    "storage_without_store": (["-ss", "S3", "-rb", "REQ"], r"store|-wb|bucket|widget"),
    "two_stores": (["-rb", "REQ", "-wb", "WID", "--widgets-dir", "DIR"],
                   r"store|-wb|--widgets-dir|one"),
    "s3_storage_with_dynamodb_table": (["-ss", "S3", "-rb", "REQ", "-dt", "TABLE"],
                                       r"-dt|dynamo|table|-wb"),
    "dynamodb_storage_with_widget_bucket": (["-ss", "DynamoDB", "-rb", "REQ", "-wb", "WID"],
                                            r"-wb|-dt|dynamo|bucket|table"),
    "bad_storage_value": (["-ss", "Redis", "-rb", "REQ", "-wb", "WID"], r"Redis|-ss|storage"),
    "negative_idle_timeout": (["-rb", "REQ", "-wb", "WID", "--idle-timeout", "-1"],
                              r"idle"),
    "non_numeric_idle_timeout": (["-rb", "REQ", "-wb", "WID", "--idle-timeout", "soon"],
                                 r"idle|soon"),
    "non_numeric_max_runtime": (["-rb", "REQ", "-wb", "WID", "--max-runtime", "ever"],
                                r"max-runtime|runtime|ever"),
    "flag_without_value": (["-wb", "WID", "-rb"], r"-rb|source|request"),
}


class UsageErrors(h.ConsumerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.endpoint = h.shared_moto().endpoint
        cls.s3 = h.s3_client(cls.endpoint)

    def check_usage_error(self, args: list, pattern: str) -> None:
        data = h.load_conformance("hw6-official")
        requests = h.create_bucket(self.s3, "wc-req")
        widgets = h.create_bucket(self.s3, "wc-wid")
        h.upload_requests(self.s3, requests, data.requests)
        work = self.workdir()
        requests_dir = work.root / "requests"
        h.write_request_files(requests_dir, data.requests)
        real = {"REQ": requests, "WID": widgets, "DIR": str(requests_dir), "TABLE": "wc-table"}
        # Default log and dead-letter places (the working directory), so that creating them
        # would show.
        result = h.run_consumer([real.get(a, a) for a in args], work,
                                h.consumer_env(work, AWS_ENDPOINT_URL=self.endpoint), timeout=30)

        self.assert_exit(result, 2)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, "stderr should be exactly one line" + result.describe())
        self.assertRegex(lines[0], re.compile(pattern, re.I), "the line does not name the problem")
        self.assertEqual(sorted(p.name for p in work.cwd.iterdir()), [],
                         "a usage error created files in the working directory")
        self.assertFalse(work.logs.exists() or work.dead_letters.exists())
        left = {key: obj.body for key, obj in h.read_bucket(self.s3, requests).items()}
        self.assertEqual(left, data.requests, "requests were consumed")
        self.assertEqual(h.bucket_keys(self.s3, widgets), [], "widgets were written")
        self.assertEqual(h.files_under(requests_dir), data.requests, "request files were touched")


def _add_usage_error_test(name: str, args: list, pattern: str) -> None:
    def test(self):
        self.check_usage_error(args, pattern)
    test.__name__ = f"test_usage_error_{name}"
    test.__doc__ = f"widget-consumer {' '.join(args)}  -> exit 2, one line matching /{pattern}/"
    setattr(UsageErrors, test.__name__, test)


for _name, (_args, _pattern) in USAGE_ERRORS.items():
    _add_usage_error_test(_name, _args, _pattern)


class HelpAndVersion(h.ConsumerTestCase):
    def test_help_exits_0_and_lists_the_documented_flags(self):
        work = self.workdir()
        for flag in ("--help", "-h"):
            result = h.run_consumer([flag], work, h.consumer_env(work), timeout=30)
            self.assert_exit(result, 0)
            for documented in ("-ss", "-rb", "-wb", "-dt", "--requests-dir", "--widgets-dir",
                               "--idle-timeout", "--log-dir", "--endpoint-url"):
                self.assertIn(documented, result.stdout, f"{flag} does not mention {documented}")
        self.assertEqual(list(work.cwd.iterdir()), [], "--help created files")

    def test_version_exits_0_and_prints_a_version(self):
        work = self.workdir()
        result = h.run_consumer(["--version"], work, h.consumer_env(work), timeout=30)
        self.assert_exit(result, 0)
        self.assertRegex(result.stdout, r"\d+\.\d+\.\d+")
        self.assertEqual(list(work.cwd.iterdir()), [], "--version created files")


if __name__ == "__main__":
    unittest.main()
