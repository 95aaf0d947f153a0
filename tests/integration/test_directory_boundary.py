"""Directories are a boundary (issue 13, item 6; SPEC.md §5): whatever symbolic links a user or
an attacker placed inside the widget store or the dead-letter directory, nothing is written (or
read) outside them; request files that are not regular files (links, fifos, directories) are
skipped with a WARNING, never read, never removed, and never block the requests behind them."""

import json
import os
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import wc_harness as h  # noqa: E402
from reliability_case import ReliabilityTestCase, visible_files  # noqa: E402

K_TIMEOUT_S = 30


def create(widget_id: str, owner: str, label: str = "L") -> bytes:
    return json.dumps({"type": "create", "requestId": f"r-{widget_id}", "widgetId": widget_id,
                       "owner": owner, "label": label}).encode()


def update(widget_id: str, owner: str, label: str) -> bytes:
    return json.dumps({"type": "update", "requestId": f"u-{widget_id}", "widgetId": widget_id,
                       "owner": owner, "label": label}).encode()


class BoundaryCase(ReliabilityTestCase):
    def setUp(self):
        self.work = self.workdir()
        self.requests_dir = self.work.root / "requests"
        self.requests_dir.mkdir()
        self.store = self.work.root / "store"
        self.outside = self.work.root / "outside"
        self.outside.mkdir()

    def consume(self, *extra) -> h.RunResult:
        return h.run_consumer(["--requests-dir", self.requests_dir, "--widgets-dir", self.store,
                               "--idle-timeout", "0.5", "--concurrency", "1", *extra]
                              + self.work.log_dir_args(),
                              self.work, h.consumer_env(self.work), timeout=K_TIMEOUT_S)

    def outside_files(self) -> dict[str, bytes]:
        return h.files_under(self.outside)


class StoreAndDeadLettersStayInside(BoundaryCase):
    def test_a_linked_owner_folder_is_not_written_through_and_stops_the_run(self):
        """widgets/mallory -> outside: the create for Mallory is refused, the run stops with
        exit 1 naming the link, and the request stays; the one before it was applied."""
        (self.store / "widgets").mkdir(parents=True)
        (self.store / "widgets" / "mallory").symlink_to(self.outside, target_is_directory=True)
        before, blocked, after = "1600000000001", "1600000000002", "1600000000003"
        requests = {before: create("w1", "Alice"), blocked: create("w2", "Mallory"),
                    after: create("w3", "Bob")}
        h.write_request_files(self.requests_dir, requests)

        result = self.consume()

        self.assert_exit(result, 1)
        self.assertTrue([line for line in result.output.splitlines()
                         if "widgets/mallory' is a symbolic link" in line], result.describe())
        self.assertEqual(self.outside_files(), {}, "a widget was written outside the store")
        self.assertEqual(h.files_under(self.requests_dir),
                         {k: v for k, v in requests.items() if k != before})
        self.assertEqual(sorted(visible_files(self.store)), ["widgets/alice/w1"])
        self.assertEqual(h.files_under(self.work.dead_letters), {})

    def test_a_linked_widget_file_is_neither_read_nor_written_through(self):
        """widgets/sue/w1 -> outside/secret: an update would read the secret and write it back
        changed; it is refused instead, and the secret is unchanged."""
        secret = json.dumps({"widgetId": "w1", "owner": "Sue", "label": "secret"}).encode()
        (self.outside / "secret").write_bytes(secret)
        (self.store / "widgets" / "sue").mkdir(parents=True)
        (self.store / "widgets" / "sue" / "w1").symlink_to(self.outside / "secret")
        requests = {"1600000000001": update("w1", "Sue", "changed")}
        h.write_request_files(self.requests_dir, requests)

        result = self.consume()

        self.assert_exit(result, 1)
        self.assertIn("Too many levels of symbolic links", result.output)
        self.assertEqual(self.outside_files(), {"secret": secret})
        self.assertEqual(h.files_under(self.requests_dir), requests)

    def test_a_create_replaces_a_linked_widget_file_instead_of_writing_through_it(self):
        (self.outside / "target").write_bytes(b"do not touch")
        (self.store / "widgets" / "sue").mkdir(parents=True)
        link = self.store / "widgets" / "sue" / "w1"
        link.symlink_to(self.outside / "target")
        h.write_request_files(self.requests_dir, {"1600000000001": create("w1", "Sue")})

        result = self.consume()

        self.assert_exit(result, 0)
        self.assertEqual(self.outside_files(), {"target": b"do not touch"})
        self.assertFalse(link.is_symlink())
        self.assertEqual(json.loads(link.read_bytes()),
                         {"widgetId": "w1", "owner": "Sue", "label": "L"})

    def test_a_link_planted_at_a_dead_letter_name_is_replaced_not_written_through(self):
        key = "1600000000001"
        (self.outside / "target").write_bytes(b"do not touch")
        self.work.dead_letters.mkdir()
        (self.work.dead_letters / key).symlink_to(self.outside / "target")
        (self.work.dead_letters / f"{key}.error.json").symlink_to(self.outside / "target")
        h.write_request_files(self.requests_dir, {key: b"not JSON"})

        result = self.consume()

        self.assert_exit(result, 0)
        self.assertEqual(self.outside_files(), {"target": b"do not touch"})
        self.assertEqual((self.work.dead_letters / key).read_bytes(), b"not JSON")
        self.assertFalse((self.work.dead_letters / key).is_symlink())
        self.assertEqual(h.files_under(self.requests_dir), {})


class RequestFilesThatAreNotRegular(BoundaryCase):
    def test_links_fifos_and_folders_are_skipped_with_one_warning_each_and_kept(self):
        """A link to a root-only file would have been copied into dead-letters/ readable by all;
        a fifo would have blocked the read. Each is warned of once (the consumer passes over the
        directory many times while idle), left in place, and the requests around it are
        applied."""
        secret = self.outside / "root-only.json"
        secret.write_bytes(create("stolen", "Eve"))
        secret.chmod(0o600)
        (self.requests_dir / "1600000000002").symlink_to(secret)
        os.mkfifo(self.requests_dir / "1600000000003")
        (self.requests_dir / "1600000000004").mkdir()
        good = {"1600000000001": create("w1", "Alice"), "1600000000005": create("w5", "Alice")}
        h.write_request_files(self.requests_dir, good)

        result = h.run_consumer(["--requests-dir", self.requests_dir, "--widgets-dir",
                                 self.store, "--idle-timeout", "2"] + self.work.log_dir_args(),
                                self.work, h.consumer_env(self.work), timeout=K_TIMEOUT_S)

        self.assert_exit(result, 0)
        self.assertEqual(sorted(visible_files(self.store)),
                         ["widgets/alice/w1", "widgets/alice/w5"])
        self.assertEqual(h.files_under(self.work.dead_letters), {})
        self.assertEqual(sorted(os.listdir(self.requests_dir)),
                         ["1600000000002", "1600000000003", "1600000000004"])
        self.assertTrue((self.requests_dir / "1600000000002").is_symlink())
        warnings = h.lines_at(h.log_lines(self.work.logs), "WARNING")
        for name, kind in (("1600000000002", "a symbolic link"), ("1600000000003", "a fifo"),
                           ("1600000000004", "a directory")):
            about = [line for line in warnings if name in line]
            self.assertEqual(len(about), 1, f"warnings about {name}:\n" + "\n".join(warnings))
            self.assertIn(kind, about[0])
            self.assertIn("skipped", about[0])


if __name__ == "__main__":
    unittest.main()
