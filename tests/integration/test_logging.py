"""Logging (SPEC.md §8): a daily file {log-dir}/YYYY-MM-DD.log, one INFO line per request with
key, type, widgetId, outcome and latency, ERROR for rejections, a summary at the end, the same
lines on the console; default places logs/ and dead-letters/ in the working directory.

WORDING-DEPENDENT: the per-request line is matched loosely (key, type word, widgetId, an
outcome word, a number with a time unit), in any order and any surrounding format."""

import json
import re
import unittest

import wc_harness as h

OUTCOMES = re.compile(r"\b(created|replaced|updated|deleted|rejected|dead-lettered|ignored|"
                      r"skipped|missing|not found|unchanged|no-op|noop)\b", re.I)


def request_fields(body: bytes) -> dict | None:
    """type and widgetId of a well-formed request, None for one that cannot be read."""
    try:
        request = json.loads(body)
    except ValueError:
        return None
    return request if isinstance(request, dict) else None


class LogsOfOneRun(h.ConsumerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = h.load_conformance("hw6-official")
        cls.work = h.Workdir.create()
        requests_dir = cls.work.root / "requests"
        h.write_request_files(requests_dir, cls.data.requests)
        cls.result = h.run_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", cls.work.root / "store",
             "--idle-timeout", "1"] + cls.work.log_dir_args(),
            cls.work, h.consumer_env(cls.work, key_id=None, secret=None))
        cls.lines = h.log_lines(cls.work.logs)

    @classmethod
    def tearDownClass(cls):
        cls.work.remove()

    def setUp(self):
        self.assert_exit(self.result, 0)

    def info_lines_for(self, key: str) -> list[str]:
        return [line for line in h.lines_at(self.lines, "INFO") if key in line]

    def test_log_file_is_named_by_the_date(self):
        names = [p.name for p in h.log_files(self.work.logs)]
        self.assertTrue(names, f"no *.log in {self.work.logs}")
        for name in names:
            self.assertRegex(name, h.LOG_NAME_RE)
        self.assertTrue(set(names) & h.today_log_names(), f"no log named for today: {names}")

    def test_one_info_line_per_request_with_key_type_widget_outcome_and_latency(self):
        seen_widgets = set()
        for key, body in self.data.requests.items():
            with self.subTest(key=key):
                lines = self.info_lines_for(key)
                self.assertEqual(len(lines), 1, f"INFO lines for {key}: {lines}")
                line = lines[0]
                self.assertRegex(line, OUTCOMES)
                self.assertRegex(line, h.LATENCY_RE, "no latency")
                if key in self.data.rejected:
                    self.assertRegex(line, re.compile(r"rejected|dead-lettered", re.I))
                    continue
                request = request_fields(body)
                self.assertRegex(line, re.compile(rf"\b{request['type']}\b", re.I))
                self.assertIn(request["widgetId"], line)
                if request["type"] == "create" and request["widgetId"] not in seen_widgets:
                    self.assertRegex(line, re.compile(r"\bcreated\b", re.I))
                seen_widgets.add(request["widgetId"])

    def test_rejections_are_logged_at_error_with_their_key(self):
        errors = h.lines_at(self.lines, "ERROR")
        for key in self.data.rejected:
            self.assertTrue(any(key in line for line in errors), f"no ERROR line names {key}")

    def test_missing_widget_warnings(self):
        self.assert_warning_count(self.work.logs, self.data.warnings)

    def test_summary_at_the_end_counts_the_requests(self):
        summary = self.assert_summary(self.work.logs, requests_seen=len(self.data.requests))
        for line in summary:
            self.assertFalse(any(key in line for key in self.data.requests),
                             f"a request line after the summary: {line}")

    def test_console_shows_every_request(self):
        for key in self.data.requests:
            self.assertIn(key, self.result.output, f"{key} not on the console")


class DefaultPlaces(h.ConsumerTestCase):
    def test_logs_and_dead_letters_default_to_the_working_directory(self):
        data = h.load_conformance("hw6-official")
        work = self.workdir()
        requests_dir = work.root / "requests"
        h.write_request_files(requests_dir, data.requests)
        result = h.run_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", work.root / "store",
             "--idle-timeout", "1"], work, h.consumer_env(work, key_id=None, secret=None))
        self.assert_exit(result, 0)
        names = [p.name for p in h.log_files(work.cwd / "logs")]
        self.assertTrue(set(names) & h.today_log_names(), f"no ./logs/<today>.log: {names}")
        self.assert_dead_letters(work.cwd / "dead-letters", data.rejected, data.requests)


if __name__ == "__main__":
    unittest.main()
