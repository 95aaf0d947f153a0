"""Hostile input (SPEC.md §3, §5, §7): keys and file names with spaces, unicode, '../' and
control characters; widgetIds at the limits; bodies of 1 MiB and 1 MiB + 1; deeply nested
JSON. Good requests are applied, bad ones rejected and dead-lettered with their original bytes,
nothing is written outside the store and dead-letter places, and the consumer never stops.

Each request here is a create of its own widget, so the expected store is just the requests'
widgets (SPEC §4: a create makes the widget exactly what the request says)."""

import json
import sys
import unittest
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import wc_harness as h  # noqa: E402
from reliability_case import ReliabilityTestCase, visible_files  # noqa: E402
from workloads import (CONCURRENT_ONLY, is_sequential, request_lines,  # noqa: E402
                       widget_store_key)

K_MIB = 1024 * 1024
OWNER = "Hostile Input"


def create(widget_id: str, label: str = "L", owner: str = OWNER) -> bytes:
    return json.dumps({"type": "create", "requestId": f"r-{label}", "widgetId": widget_id,
                       "owner": owner, "label": label}, ensure_ascii=False).encode()


def widget_of(body: bytes) -> tuple[str, dict]:
    request = json.loads(body)
    widget = {k: request[k] for k in ("widgetId", "owner", "label", "description")
              if request.get(k) not in (None, "")}
    if request.get("otherAttributes"):
        widget["otherAttributes"] = request["otherAttributes"]
    return widget_store_key(request["owner"], request["widgetId"]), widget


def padded_create(widget_id: str, size: int) -> bytes:
    """A valid create of exactly `size` bytes (the description takes up the slack)."""
    base = create(widget_id)
    without = json.loads(base)
    without["description"] = ""
    slack = size - len(json.dumps(without).encode())
    without["description"] = "d" * slack
    body = json.dumps(without).encode()
    assert len(body) == size, (len(body), size)
    return body


def dead_letter_name(key: str) -> str:
    """As src/store/dead_letter_sink.h documents it: one safe path component."""
    name = urllib.parse.quote(key.encode(), safe="-_.~")
    if not name:
        return "%00empty"
    return "%2E" + name[1:] if name.startswith(".") else name


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


class HostileInputCase(ReliabilityTestCase):
    """Runs one batch of requests through the consumer and checks good and bad alike."""

    def setUp(self):
        self.work = self.workdir()

    def assert_outcome(self, good: dict, bad: dict, widgets: dict, dead_dir: Path,
                       result: h.RunResult) -> None:
        self.assert_exit(result, 0)
        self.assert_widgets_equal(widgets, dict(widget_of(body) for body in good.values()),
                                  "widget store")
        files = h.files_under(dead_dir)
        expected_names = {dead_letter_name(k) for k in bad}
        expected_names |= {n + ".error.json" for n in expected_names}
        self.assertEqual(set(files), expected_names, "dead letters")
        for key, body in bad.items():
            self.assertEqual(files[dead_letter_name(key)], body,
                             f"dead letter of {key!r} is not the original bytes")
            self.assert_dead_letter_record(key, files[dead_letter_name(key) + ".error.json"],
                                           body)
        self.assertEqual(sorted(line.key for line in request_lines(h.log_lines(self.work.logs))),
                         sorted(k for k in list(good) + list(bad) if "\n" not in k),
                         "each request is logged once with its key")

    def assert_nothing_outside(self, *allowed: Path) -> None:
        """Only the consumer's own places (and the harness's) hold files after the run."""
        allowed_roots = [p.resolve() for p in allowed] + [
            self.work.logs.resolve(), self.work.home.resolve(), self.work.cwd.resolve()]
        for path in self.work.root.rglob("*"):
            if path.is_file() and not path.name.startswith(("stdout-", "stderr-")):
                self.assertTrue(any(path.resolve().is_relative_to(root)
                                    for root in allowed_roots),
                                f"a file was written outside the store: {path}")
        self.assertEqual(list(self.work.cwd.iterdir()), [], "files appeared in the cwd")


class HostileKeysInTheS3RequestBucket(HostileInputCase):
    GOOD_KEYS = ["0001 with spaces", "0002 ünïcödé ✓ 漢字", "0003/../../escape", "../0004",
                 "0005/./x", "0006//double", "0007%2Fencoded", "0008+plus", "0009?q=1&x#frag",
                 "0010 trailing space ", "0011\ttab", "0012 'quote' \"double\" <xml>&amp;"]
    BAD_KEYS = {"0020/../../../dead": b"not json", "../0021": b"",
                "0022 ünï/../x": b'{"type":"create"}', "0023\\..\\..\\back": b"[1,2]"}

    def test_awkward_keys_are_consumed_in_order_and_dead_letters_stay_inside(self):
        s3 = h.s3_client(h.shared_moto().endpoint)
        for extra in self.variants():
            with self.subTest(args=extra):
                self.work = self.workdir()
                good = {key: create(f"hk-{i:02d}") for i, key in enumerate(self.GOOD_KEYS)}
                requests = h.create_bucket(s3, "wc-hostile-req")
                widgets = h.create_bucket(s3, "wc-hostile-wid")
                h.upload_requests(s3, requests, {**good, **self.BAD_KEYS})
                result = h.run_consumer(
                    ["-rb", requests, "-wb", widgets, *h.idle_timeout_args(), "--endpoint-url",
                     h.shared_moto().endpoint, *extra] + self.work.log_dir_args(),
                    self.work, h.consumer_env(self.work), timeout=120)

                stored = self.parse_widgets({k: o.body for k, o in
                                             h.read_bucket(s3, widgets).items()}, widgets)
                self.assert_outcome(good, self.BAD_KEYS, stored, self.work.dead_letters, result)
                self.assertEqual(h.bucket_keys(s3, requests), [])
                self.assert_nothing_outside(self.work.dead_letters)
                if is_sequential(extra):
                    logged = [line.key for line in request_lines(h.log_lines(self.work.logs))]
                    self.assertEqual(logged, sorted(logged, key=lambda k: k.encode()),
                                     "requests not taken in byte order of their keys")


class HostileFileNamesInTheRequestDirectory(HostileInputCase):
    GOOD_NAMES = ["0001 with spaces", "0002 ünïcödé ✓ 漢字", "0003..dots", "0004 trailing ",
                  "0005\ttab", "-0006 leading dash", "0007%2Fencoded", "0008 'q' \"d\" <x>&"]
    BAD_NAMES = {"0020 bad ünï": b"{not json", "0021..": b""}

    def test_awkward_file_names_are_consumed_and_dead_letters_stay_inside(self):
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                self.work = self.workdir()
                requests_dir = self.work.root / "requests"
                store = self.work.root / "store"
                good = {name: create(f"hf-{i:02d}") for i, name in enumerate(self.GOOD_NAMES)}
                h.write_request_files(requests_dir, {**good, **self.BAD_NAMES})
                (requests_dir / ".0009 hidden").write_bytes(create("hidden"))
                result = h.run_consumer(
                    ["--requests-dir", requests_dir, "--widgets-dir", store,
                     *h.idle_timeout_args(), *extra] + self.work.log_dir_args(), self.work,
                    h.consumer_env(self.work, key_id=None, secret=None), timeout=60)

                stored = self.parse_widgets(visible_files(store), str(store))
                self.assert_outcome(good, self.BAD_NAMES, stored, self.work.dead_letters, result)
                self.assertEqual(sorted(p.name for p in requests_dir.iterdir()),
                                 [".0009 hidden"], "a dot file is not a request (left alone)")
                self.assert_nothing_outside(self.work.dead_letters, store, requests_dir)

    def test_a_newline_in_a_file_name_cannot_forge_a_log_line(self):
        """(moto refuses S3 keys with a newline, so the directory source carries this one.)"""
        requests_dir = self.work.root / "requests"
        forged = "2026-01-01 00:00:00.000 ERROR forged by the producer"
        h.write_request_files(requests_dir, {"0001\n" + forged: create("newline-widget")})
        result = h.run_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", self.work.root / "store",
             *h.idle_timeout_args()] + self.work.log_dir_args(), self.work,
            h.consumer_env(self.work, key_id=None, secret=None), timeout=60)
        self.assert_exit(result, 0)
        self.assertEqual(list(requests_dir.iterdir()), [])
        lines = h.log_lines(self.work.logs) + result.output.splitlines()
        self.assertEqual([line for line in lines if line.startswith(forged)], [],
                         "a request's file name wrote a line of its own into the log")

    def test_a_file_name_that_is_not_utf8_is_consumed_without_stopping(self):
        requests_dir = self.work.root / "requests"
        store = self.work.root / "store"
        requests_dir.mkdir()
        with open(bytes(requests_dir) + b"/0001-\xff\xfe-latin1-\xe9", "wb") as file:
            file.write(create("nu-1"))
        (requests_dir / "0002-after").write_bytes(create("nu-2"))
        result = h.run_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", store, *h.idle_timeout_args()]
            + self.work.log_dir_args(), self.work,
            h.consumer_env(self.work, key_id=None, secret=None), timeout=60)
        self.assert_exit(result, 0)
        stored = self.parse_widgets(visible_files(store), str(store))
        self.assertEqual(set(stored), {widget_store_key(OWNER, "nu-1"),
                                       widget_store_key(OWNER, "nu-2")})
        self.assertEqual(list(requests_dir.iterdir()), [])


class WidgetIdLimits(HostileInputCase):
    GOOD_IDS = ["a" * 128, "...", ".hidden", " ", "~!@#$%^&*()_+{}|:<>?", "x" * 127 + "."]
    BAD_IDS = ["a" * 129, ".", "..", "", "a/b", "a\\b", "tab\there", "é", "nul\x00"]

    def requests(self) -> tuple[dict, dict]:
        good = {f"1000{i:02d}": create(w, f"g{i}") for i, w in enumerate(self.GOOD_IDS)}
        bad = {f"2000{i:02d}": create(w, f"b{i}") for i, w in enumerate(self.BAD_IDS)}
        return good, bad

    def test_limits_in_the_directory_store(self):
        good, bad = self.requests()
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                self.work = self.workdir()
                requests_dir = self.work.root / "requests"
                store = self.work.root / "store"
                h.write_request_files(requests_dir, {**good, **bad})
                result = h.run_consumer(
                    ["--requests-dir", requests_dir, "--widgets-dir", store,
                     *h.idle_timeout_args(), *extra] + self.work.log_dir_args(), self.work,
                    h.consumer_env(self.work, key_id=None, secret=None), timeout=60)
                stored = self.parse_widgets(h.files_under(store), str(store))
                self.assert_outcome(good, bad, stored, self.work.dead_letters, result)
                self.assert_nothing_outside(self.work.dead_letters, store, requests_dir)

    def test_limits_in_the_s3_store(self):
        good, bad = self.requests()
        s3 = h.s3_client(h.shared_moto().endpoint)
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                self.work = self.workdir()
                requests = h.create_bucket(s3, "wc-limits-req")
                widgets = h.create_bucket(s3, "wc-limits-wid")
                h.upload_requests(s3, requests, {**good, **bad})
                result = h.run_consumer(
                    ["-rb", requests, "-wb", widgets, *h.idle_timeout_args(), "--endpoint-url",
                     h.shared_moto().endpoint, *extra] + self.work.log_dir_args(),
                    self.work, h.consumer_env(self.work), timeout=120)
                stored = self.parse_widgets({k: o.body for k, o in
                                             h.read_bucket(s3, widgets).items()}, widgets)
                self.assert_outcome(good, bad, stored, self.work.dead_letters, result)


class OversizedAndNestedBodies(HostileInputCase):
    # WORDING-DEPENDENT, loosely: the reason must say what was wrong.
    REASONS = {"3003": r"(?i)large|size|MiB|1048576|bytes", "3004": r"(?i)deep|nest|depth",
               "3005": r"(?i)deep|nest|depth", "3006": r"(?i)deep|nest|depth",
               "3007": r"(?i)large|size|MiB|1048576|bytes", "3008": r"(?i)utf-?8|encoding",
               "3010": r"(?i)number|range|1e999"}

    def assert_reasons(self) -> None:
        for key, pattern in self.REASONS.items():
            record = json.loads((self.work.dead_letters / f"{key}.error.json").read_bytes())
            self.assertRegex(record.get("reason", ""), pattern, f"reason given for {key}")

    def bodies(self) -> tuple[dict, dict]:
        good = {"3001": padded_create("exactly-1mib", K_MIB),
                "3002": create("nested-20")[:-1] + b',"extra":' + nested(20).encode() + b"}"}
        bad = {"3003": padded_create("over-1mib", K_MIB + 1),
               "3004": create("nested-100k")[:-1] + b',"extra":' + nested(100_000).encode()
               + b"}",
               "3005": nested(400_000).encode(),  # 800 KB: too deep, not too large
               "3006": b"{\"a\":" * 150_000 + b"1" + b"}" * 150_000,
               "3007": b" " * (K_MIB + 1),
               "3008": b"\xff\xfe" + create("not-utf8"),
               "3009": create("nul")[:-1] + b',"x":"\x00"}',
               # Valid JSON grammar, but no double holds it (found by fuzz_request_parser:
               # it used to end the process, so the request came back after every restart).
               "3010": create("huge-number")[:-1] + b',"x":-1e999}'}
        return good, bad

    def test_in_the_directory_source(self):
        good, bad = self.bodies()
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                self.work = self.workdir()
                requests_dir = self.work.root / "requests"
                store = self.work.root / "store"
                h.write_request_files(requests_dir, {**good, **bad})
                result = h.run_consumer(
                    ["--requests-dir", requests_dir, "--widgets-dir", store,
                     *h.idle_timeout_args(), *extra] + self.work.log_dir_args(), self.work,
                    h.consumer_env(self.work, key_id=None, secret=None), timeout=120)
                stored = self.parse_widgets(h.files_under(store), str(store))
                self.assert_outcome(good, bad, stored, self.work.dead_letters, result)
                self.assert_reasons()

    def test_in_the_s3_source(self):
        good, bad = self.bodies()
        s3 = h.s3_client(h.shared_moto().endpoint)
        for extra in self.variants(CONCURRENT_ONLY):
            with self.subTest(args=extra):
                self.work = self.workdir()
                requests = h.create_bucket(s3, "wc-big-req")
                widgets = h.create_bucket(s3, "wc-big-wid")
                h.upload_requests(s3, requests, {**good, **bad})
                result = h.run_consumer(
                    ["-rb", requests, "-wb", widgets, *h.idle_timeout_args(), "--endpoint-url",
                     h.shared_moto().endpoint, *extra] + self.work.log_dir_args(),
                    self.work, h.consumer_env(self.work), timeout=120)
                stored = self.parse_widgets({k: o.body for k, o in
                                             h.read_bucket(s3, widgets).items()}, widgets)
                self.assert_outcome(good, bad, stored, self.work.dead_letters, result)
                self.assert_reasons()
                self.assertEqual(h.bucket_keys(s3, requests), [])


if __name__ == "__main__":
    unittest.main()
