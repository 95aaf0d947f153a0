"""Logging (SPEC.md §8, README.md "Logging"): a daily file {log-dir}/YYYY-MM-DD.log, one INFO
line per request "KEY TYPE WIDGETID OUTCOME LATENCY ms", an ERROR "KEY: rejected: REASON" for
each rejection, a WARNING for each update or delete of a missing widget, the summary at the
end, the very same lines on the console; default places logs/ and dead-letters/ in the working
directory. The formats are wc_harness's (its "Logs" section)."""

import json
import unittest

import wc_harness as h


def expected_outcomes(data: h.ConformanceSet) -> dict[str, tuple[str, str, str]]:
    """(type, widgetId, outcome) of each request of a conformance set applied in key order to
    the S3 or directory store, where a widget is its owner and id: rejected requests are
    ("-", "-", "rejected")."""
    exists: set[tuple[str, str]] = set()
    outcomes = {}
    for key, body in data.requests.items():
        if key in data.rejected:
            outcomes[key] = ("-", "-", "rejected")
            continue
        request = json.loads(body)
        widget = (request["owner"].replace(" ", "-").lower(), request["widgetId"])
        kind = request["type"]
        if kind == "create":
            outcome = "replaced" if widget in exists else "created"
            exists.add(widget)
        elif kind == "update":
            outcome = "updated" if widget in exists else "missing"
        else:
            outcome = "deleted" if widget in exists else "missing"
            exists.discard(widget)
        outcomes[key] = (kind, request["widgetId"], outcome)
    return outcomes


class LogsOfOneRun(h.ConsumerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = h.load_conformance("hw6-official")
        cls.work = h.Workdir.create()
        requests_dir = cls.work.root / "requests"
        h.write_request_files(requests_dir, cls.data.requests)
        cls.result = h.run_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", cls.work.root / "store",
             *h.idle_timeout_args()] + cls.work.log_dir_args(),
            cls.work, h.consumer_env(cls.work, key_id=None, secret=None))
        cls.lines = h.log_lines(cls.work.logs)

    @classmethod
    def tearDownClass(cls):
        cls.work.remove()

    def setUp(self):
        self.assert_exit(self.result, 0)

    def test_log_file_is_named_by_the_date(self):
        names = [p.name for p in h.log_files(self.work.logs)]
        self.assertTrue(names, f"no *.log in {self.work.logs}")
        for name in names:
            self.assertRegex(name, h.LOG_NAME_RE)
        self.assertTrue(set(names) & h.today_log_names(), f"no log named for today: {names}")

    def test_every_line_has_the_time_and_the_level(self):
        for line in self.lines:
            self.assertIsNotNone(h.parse_log_line(line), f"not a log line: {line!r}")

    def test_one_info_line_per_request_with_key_type_widget_outcome_and_latency(self):
        logged = {}
        for line in h.request_lines(self.lines):
            self.assertNotIn(line.key, logged, f"{line.key} logged twice")
            logged[line.key] = (line.type, line.widget, line.outcome)
        expected = expected_outcomes(self.data)
        wrong = [f"{key}: logged {logged.get(key)}, expected {expected.get(key)}"
                 for key in sorted(set(logged) | set(expected))
                 if logged.get(key) != expected.get(key)]
        self.assertEqual(wrong, [], "per-request lines (type, widgetId, outcome)")

    def test_rejections_are_logged_at_error_with_their_key_and_reason(self):
        errors = [h.parse_log_line(line).message for line in h.lines_at(self.lines, "ERROR")]
        expected = []
        for key in self.data.rejected:
            record = json.loads((self.work.dead_letters / f"{key}.error.json").read_bytes())
            expected.append(f"{key}: rejected: {record['reason']}")
        self.assertEqual(sorted(errors), sorted(expected))

    def test_missing_widget_warnings_name_the_request_and_the_widget(self):
        self.assert_warning_count(self.work.logs, self.data.warnings)
        missing = {key: widget for key, (kind, widget, outcome)
                   in expected_outcomes(self.data).items() if outcome == "missing"}
        self.assertEqual(len(missing), self.data.warnings)
        warnings = [h.parse_log_line(line).message for line in h.lines_at(self.lines, "WARNING")]
        for key, widget in missing.items():
            kind = expected_outcomes(self.data)[key][0]
            owner = json.loads(self.data.requests[key])["owner"]
            self.assertIn(f"{key}: {kind} of widget {widget} (owner '{owner}') skipped: the "
                          "widget does not exist", warnings)

    def test_summary_at_the_end_counts_the_requests_by_outcome(self):
        summary_lines = self.assert_summary(self.work.logs, requests_seen=len(self.data.requests))
        summary = h.summary_of(summary_lines)
        self.assertEqual(summary.reason, "idle timeout")
        counts = {outcome: 0 for outcome in h.OUTCOMES}
        for _, _, outcome in expected_outcomes(self.data).values():
            counts[outcome] += 1
        self.assertEqual(summary.counts, counts)
        self.assertIsNone(summary.aws_calls, "an AWS line, though no AWS service was used")

    def test_console_shows_the_same_lines_as_the_file(self):
        # The same lines; two threads logging at once may reach the two in different orders.
        self.assertEqual(sorted(self.result.stdout.split("\n")[:-1]), sorted(self.lines))


class DefaultPlaces(h.ConsumerTestCase):
    def test_logs_and_dead_letters_default_to_the_working_directory(self):
        data = h.load_conformance("hw6-official")
        work = self.workdir()
        requests_dir = work.root / "requests"
        h.write_request_files(requests_dir, data.requests)
        result = h.run_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", work.root / "store",
             *h.idle_timeout_args()], work, h.consumer_env(work, key_id=None, secret=None))
        self.assert_exit(result, 0)
        names = [p.name for p in h.log_files(work.cwd / "logs")]
        self.assertTrue(set(names) & h.today_log_names(), f"no ./logs/<today>.log: {names}")
        self.assert_dead_letters(work.cwd / "dead-letters", data.rejected, data.requests)


if __name__ == "__main__":
    unittest.main()
