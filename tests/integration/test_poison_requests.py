"""Poison requests (issue 13, items 3 and 4; SPEC.md §3, §7): a rejected request with the
longest key S3 allows (1,024 bytes), or with every byte value a key may hold, is dead-lettered
under a name that fits the place (a readable prefix and a hash) with its exact bytes and a record
holding the full key, and does not block the requests behind it. A body with a NUL byte followed
by garbage is rejected as a whole, not applied."""

import base64
import hashlib
import json
import os
import sys
import unittest
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import wc_harness as h  # noqa: E402
from reliability_case import ReliabilityTestCase, visible_files  # noqa: E402

OWNER = "Poison Test"
K_MAX_S3_KEY = 1024
K_WHOLE_NAME = 200  # src/store/dead_letter_sink.h
K_PREFIX = 160
RECORD = ".error.json"


def create(widget_id: str) -> bytes:
    return json.dumps({"type": "create", "requestId": f"r-{widget_id}", "widgetId": widget_id,
                       "owner": OWNER, "label": "L"}).encode()


def encoded(key: bytes) -> str:
    name = urllib.parse.quote(key, safe="-_.~")
    if not name:
        return "%00empty"
    return "%2E" + name[1:] if name.startswith(".") else name


def shortened(key: bytes) -> str:
    """As src/store/dead_letter_sink.h documents it: the encoded key's first 160 bytes (never
    cutting a %XX), '+', 32 hex digits of the key's SHA-256."""
    name = encoded(key)[:K_PREFIX]
    for back in (1, 2):
        if name[-back:].startswith("%"):
            name = name[:-back]
            break
    return name + "+" + hashlib.sha256(key).hexdigest()[:32]


def dead_letter_file(key: bytes) -> str:
    name = encoded(key)
    return name if len(name) <= K_WHOLE_NAME else shortened(key)


def dead_letter_object(key: str) -> str:
    raw = key.encode()
    if len(raw) + len(RECORD) <= K_MAX_S3_KEY:
        return key
    return shortened(raw)


# Control characters moto cannot carry: it echoes the consumer's start-after key unencoded in
# its ListObjectsV2 answer, and XML 1.0 holds none of these (S3 itself URL-encodes that field);
# its HTTP server also refuses a newline in a path. The file-name test below has them all.
K_MOTO_CANNOT = set(range(0x00, 0x09)) | {0x0A, 0x0B, 0x0C} | set(range(0x0E, 0x20))


def every_utf8_byte_key() -> str:
    """Every printable ASCII byte ('/' too) with tab and carriage return, every continuation
    byte 0x80-0xBF (after 0xC2) and every lead byte UTF-8 allows (0xC2-0xF4): every byte value
    an S3 key may hold, but for the control characters in K_MOTO_CANNOT."""
    text = "".join(chr(c) for c in range(0x80) if c not in K_MOTO_CANNOT)
    text += "".join(bytes([0xC2, c]).decode() for c in range(0x80, 0xC0))
    text += "".join(bytes([lead, 0x80]).decode() for lead in range(0xC3, 0xE0))
    text += "".join(bytes([lead, 0xA0 if lead == 0xE0 else 0x80, 0x80]).decode("utf-8")
                    for lead in range(0xE0, 0xF0) if lead != 0xED)
    text += bytes([0xED, 0x80, 0x80]).decode()
    text += "".join(bytes([lead, 0x90 if lead == 0xF0 else 0x80, 0x80, 0x80]).decode()
                    for lead in range(0xF0, 0xF5))
    return "poison/" + text


def longest_key() -> str:
    key = "poison/longest-"
    return key + "k" * (K_MAX_S3_KEY - len(key))


class PoisonCase(ReliabilityTestCase):
    def assert_record(self, raw: bytes, key: bytes, body: bytes, reason: str) -> None:
        record = json.loads(raw)
        try:
            key.decode("utf-8")
        except UnicodeDecodeError:
            self.assertEqual(base64.b64decode(record["sourceKeyBase64"]), key)
        else:
            self.assertEqual(record["sourceKey"].encode(), key)
            self.assertNotIn("sourceKeyBase64", record)
        self.assertEqual(record["bytes"], len(body))
        self.assertIn(reason, record["reason"])


class LongAndOddKeysInABucket(PoisonCase):
    @classmethod
    def setUpClass(cls):
        cls.endpoint = h.shared_moto().endpoint
        cls.s3 = h.s3_client(cls.endpoint)

    def setUp(self):
        self.work = self.workdir()
        self.bad = {longest_key(): b"not JSON", every_utf8_byte_key(): b'{"type": 7}'}
        self.good = {"poison/0": create("w0"), "zzz/9": create("w9")}
        self.requests = h.create_bucket(self.s3, "wc-poison")
        h.upload_requests(self.s3, self.requests, {**self.bad, **self.good})

    def consume(self, *places) -> h.RunResult:
        return h.run_consumer(["-rb", self.requests,
                               "--widgets-dir", self.work.root / "store",
                               "--idle-timeout", "0.5", "--log-dir", self.work.logs, *places],
                              self.work, h.consumer_env(self.work,
                                                        AWS_ENDPOINT_URL=self.endpoint),
                              timeout=60)

    def assert_applied_and_emptied(self, result: h.RunResult) -> None:
        self.assert_exit(result, 0)
        self.assertEqual(h.bucket_keys(self.s3, self.requests), [], "the source was not emptied")
        self.assertEqual(sorted(visible_files(self.work.root / "store")),
                         ["widgets/poison-test/w0", "widgets/poison-test/w9"])

    def test_into_a_directory_each_gets_a_name_that_fits_with_its_bytes_and_full_key(self):
        result = self.consume("--dead-letter-dir", self.work.dead_letters)
        self.assert_applied_and_emptied(result)
        files = h.files_under(self.work.dead_letters)
        expected = {dead_letter_file(k.encode()): (k, b) for k, b in self.bad.items()}
        self.assertEqual(set(files), set(expected) | {n + RECORD for n in expected})
        for name, (key, body) in expected.items():
            self.assertLessEqual(len((name + RECORD).encode()), 255)
            self.assertEqual(files[name], body)
            self.assert_record(files[name + RECORD], key.encode(), body, "")

    def test_into_a_bucket_a_key_that_fits_is_kept_and_the_longest_is_shortened(self):
        dead = h.create_bucket(self.s3, "wc-poison-dead")
        result = self.consume("--dead-letter-bucket", dead)
        self.assert_applied_and_emptied(result)
        objects = {k: o.body for k, o in h.read_bucket(self.s3, dead).items()}
        expected = {dead_letter_object(k): (k, b) for k, b in self.bad.items()}
        self.assertIn(every_utf8_byte_key(), expected, "a key that fits was not kept")
        self.assertEqual(set(objects), set(expected) | {n + RECORD for n in expected})
        for name, (key, body) in expected.items():
            self.assertLessEqual(len((name + RECORD).encode()), K_MAX_S3_KEY)
            self.assertEqual(objects[name], body)
            self.assert_record(objects[name + RECORD], key.encode(), body, "")


class OddFileNames(PoisonCase):
    def test_the_longest_file_name_and_every_byte_a_name_may_hold_are_dead_lettered(self):
        """255 bytes (the file name limit; 250 blocked the source before) and the 254 bytes
        other than NUL and '/', not UTF-8: each fits the dead-letter directory."""
        work = self.workdir()
        requests_dir = work.root / "requests"
        requests_dir.mkdir()
        longest = b"1" * 255
        every = bytes(b for b in range(1, 256) if b != ord("/"))
        bad = {longest: b"not JSON", every: b"[]"}
        for name, body in bad.items():
            with open(os.fsencode(requests_dir) + b"/" + name, "wb") as file:
                file.write(body)
        (requests_dir / "2").write_bytes(create("w2"))

        result = h.run_consumer(["--requests-dir", requests_dir, "--widgets-dir",
                                 work.root / "store", "--idle-timeout", "0.5"]
                                + work.log_dir_args(), work, h.consumer_env(work), timeout=60)

        self.assert_exit(result, 0)
        self.assertEqual(list(requests_dir.iterdir()), [])
        self.assertEqual(sorted(visible_files(work.root / "store")), ["widgets/poison-test/w2"])
        files = h.files_under(work.dead_letters)
        expected = {shortened(k): (k, b) for k, b in bad.items()}
        self.assertEqual(set(files), set(expected) | {n + RECORD for n in expected})
        for name, (key, body) in expected.items():
            self.assertEqual(files[name], body)
            self.assert_record(files[name + RECORD], key, body, "")


class NulByteInTheBody(PoisonCase):
    def test_a_valid_object_followed_by_nul_and_garbage_is_rejected_not_applied(self):
        work = self.workdir()
        requests_dir = work.root / "requests"
        valid = create("w-nul")
        poisoned = valid + b"\0this is not JSON"
        h.write_request_files(requests_dir, {"1600000000001": poisoned,
                                             "1600000000002": create("w-after")})

        result = h.run_consumer(["--requests-dir", requests_dir, "--widgets-dir",
                                 work.root / "store", "--idle-timeout", "0.5"]
                                + work.log_dir_args(), work, h.consumer_env(work), timeout=60)

        self.assert_exit(result, 0)
        self.assertEqual(sorted(visible_files(work.root / "store")),
                         ["widgets/poison-test/w-after"], "the poisoned create was applied")
        files = h.files_under(work.dead_letters)
        self.assertEqual(files["1600000000001"], poisoned)
        reason = f"request has a NUL byte at offset {len(valid)}"
        self.assert_record(files["1600000000001" + RECORD], b"1600000000001", poisoned, reason)
        errors = h.lines_at(h.log_lines(work.logs), "ERROR")
        self.assertTrue(any("1600000000001" in line and reason in line for line in errors),
                        "\n".join(errors))


if __name__ == "__main__":
    unittest.main()
