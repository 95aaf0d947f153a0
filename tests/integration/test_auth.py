"""Against a moto that checks SigV4 signatures and IAM: our signing is accepted with the right
secret (from the environment or ~/.aws files), and refused credentials are a fatal error that
names the bucket and the cause without ever printing the secret (SPEC.md §2, §8)."""

import re
import unittest

import wc_harness as h

# The cause a user needs: their credentials were refused (moto answers SignatureDoesNotMatch or
# InvalidAccessKeyId; a HEAD request gets only "403" with no body, so "credentials" will do).
REFUSED = re.compile(r"SignatureDoesNotMatch|signature|credential", re.I)
UNKNOWN_KEY = re.compile(r"InvalidAccessKeyId|access key|credential", re.I)


def wrong_version_of(secret: str) -> str:
    return secret[:-4] + ("WXYZ" if not secret.endswith("WXYZ") else "ABCD")


class SignatureChecking(h.ConsumerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.moto = h.MotoServer(auth_after=h.IAM_SETUP_CALLS).start()
        cls.key_id, cls.secret = h.iam_user_with_key(cls.moto.endpoint)
        cls.s3 = h.s3_client(cls.moto.endpoint, cls.key_id, cls.secret)

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()

    def setUp(self):
        self.data = h.load_conformance("hw6-official")
        self.requests = h.create_bucket(self.s3, "wc-req")
        self.widgets = h.create_bucket(self.s3, "wc-wid")
        h.upload_requests(self.s3, self.requests, self.data.requests)
        self.work = self.workdir()

    def run_consumer(self, env: dict, extra=()) -> h.RunResult:
        return h.run_consumer(
            ["-ss", "S3", "-rb", self.requests, "-wb", self.widgets, *h.idle_timeout_args(),
             "--endpoint-url", self.moto.endpoint, *extra] + self.work.log_dir_args(),
            self.work, env, timeout=90)

    def assert_works(self, result: h.RunResult) -> None:
        self.assert_exit(result, 0)
        self.assert_s3_store(self.s3, self.widgets, self.data.widgets)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [])
        self.assert_secret_absent(self.secret, result.stdout, result.stderr,
                                  log_dir=self.work.logs)

    def assert_refused_and_untouched(self, result: h.RunResult, cause: re.Pattern) -> None:
        self.assert_exit(result, 1)
        self.assertTrue(self.requests in result.output or self.widgets in result.output,
                        "the message names no bucket" + result.describe())
        # Only the error lines: the start-up line names the credentials' provider.
        errors = "\n".join(h.lines_at(result.output.splitlines(), "ERROR"))
        self.assertRegex(errors, cause, "the message does not give the cause" + result.describe())
        left = {key: obj.body for key, obj in h.read_bucket(self.s3, self.requests).items()}
        self.assertEqual(left, self.data.requests, "requests were removed or changed")
        self.assertEqual(h.bucket_keys(self.s3, self.widgets), [])

    def test_right_secret_from_environment_is_accepted(self):
        self.assert_works(self.run_consumer(
            h.consumer_env(self.work, key_id=self.key_id, secret=self.secret)))

    def test_wrong_secret_is_fatal_names_the_bucket_and_never_prints_a_secret(self):
        wrong = wrong_version_of(self.secret)
        result = self.run_consumer(h.consumer_env(self.work, key_id=self.key_id, secret=wrong))
        self.assert_refused_and_untouched(result, REFUSED)
        for secret in (wrong, self.secret):
            self.assert_secret_absent(secret, result.stdout, result.stderr,
                                      log_dir=self.work.logs)

    def test_unknown_access_key_is_fatal(self):
        result = self.run_consumer(
            h.consumer_env(self.work, key_id="AKIAUNKNOWNKEY000000", secret=self.secret))
        self.assert_refused_and_untouched(result, UNKNOWN_KEY)
        self.assert_secret_absent(self.secret, result.stdout, result.stderr,
                                  log_dir=self.work.logs)

    def test_named_profile_from_aws_credentials_file_is_accepted(self):
        aws_dir = self.work.home / ".aws"
        aws_dir.mkdir()
        (aws_dir / "credentials").write_text(
            "[default]\naws_access_key_id = AKIAWRONGDEFAULT0000\n"
            f"aws_secret_access_key = {wrong_version_of(self.secret)}\n\n"
            f"[wc-itest]\naws_access_key_id = {self.key_id}\n"
            f"aws_secret_access_key = {self.secret}\n")
        env = h.consumer_env(self.work, key_id=None, secret=None)
        self.assert_works(self.run_consumer(env, extra=("--profile", "wc-itest")))

    def test_default_profile_from_aws_files_is_accepted(self):
        aws_dir = self.work.home / ".aws"
        aws_dir.mkdir()
        (aws_dir / "credentials").write_text(
            f"[default]\naws_access_key_id = {self.key_id}\naws_secret_access_key = {self.secret}\n")
        (aws_dir / "config").write_text(f"[default]\nregion = {h.TEST_REGION}\n")
        env = h.consumer_env(self.work, key_id=None, secret=None)
        env.pop("AWS_REGION")
        self.assert_works(self.run_consumer(env))


if __name__ == "__main__":
    unittest.main()
