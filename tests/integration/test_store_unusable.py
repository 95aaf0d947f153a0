"""A store that refuses every write stops the run (issue 13, item 7; SPEC.md §10): a full disk
(ENOSPC), a read-only file system (EROFS), refused permission (EPERM, and EACCES for a consumer
running as `nobody`) under the directory store or the dead-letter directory, and DynamoDB's
AccessDeniedException on writes. Each ends with
exit 1 and a line naming the store and the cause; the request stays in the source and nothing
is dead-lettered for it.

The disks are real: a small tmpfs mounted for the test (the tests run as root, as scripts/test.sh
and CI do), filled up, remounted read-only, or made immutable (chattr +i) while the consumer
runs."""

import errno
import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fault"))

import dynamodb_harness as dh  # noqa: E402
import wc_harness as h  # noqa: E402
from fault_proxy import FaultConfig  # noqa: E402
from reliability_case import ReliabilityTestCase, visible_files  # noqa: E402
from workloads import widget_store_key  # noqa: E402

OWNER = "Full Disk"
K_DISK_SIZE = "256k"
K_WAIT_S = 20


def create(key_index: int, owner: str = OWNER) -> bytes:
    return json.dumps({"type": "create", "requestId": f"r{key_index}",
                       "widgetId": f"w{key_index}", "owner": owner,
                       "label": f"L{key_index}"}).encode()


def requests(first: int, count: int, owner: str = OWNER) -> dict[str, bytes]:
    return {f"16000000{i:05d}": create(i, owner) for i in range(first, first + count)}


def widgets_of(batch: dict[str, bytes]) -> dict[str, dict]:
    widgets = {}
    for body in batch.values():
        request = json.loads(body)
        widget = {k: request[k] for k in ("widgetId", "owner", "label")}
        widgets[widget_store_key(request["owner"], request["widgetId"])] = widget
    return widgets


def fill(directory: Path) -> None:
    """Writes a filler file until the file system says it is full."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
    finally:
        os.close(fd)


class StoreUnusableCase(ReliabilityTestCase):
    def small_disk(self, work: h.Workdir, name: str) -> Path:
        """A fresh tmpfs of K_DISK_SIZE mounted at work.root/name, unmounted at cleanup."""
        mount_point = work.root / name
        mount_point.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={K_DISK_SIZE}", "tmpfs",
                                  str(mount_point)], capture_output=True, text=True)
        if mounted.returncode != 0:
            raise h.PrerequisiteMissing(
                f"cannot mount a tmpfs (these tests need root and CAP_SYS_ADMIN): "
                f"{mounted.stderr.strip()}")
        self.addCleanup(subprocess.run, ["umount", "-l", str(mount_point)], capture_output=True)
        return mount_point

    def start(self, work: h.Workdir, requests_dir: Path, store: Path, *extra) -> object:
        return self.start_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", store, "--idle-timeout",
             str(K_WAIT_S), "--no-progress", *extra] + work.log_dir_args(),
            work, h.consumer_env(work))

    def wait_for_widgets(self, store: Path, count: int) -> None:
        h.wait_until(lambda: len(visible_files(store / "widgets")) >= count, K_WAIT_S,
                     what=f"{count} widgets in {store}")

    def assert_stopped_leaving_the_requests(self, proc, work: h.Workdir, requests_dir: Path,
                                            left: dict[str, bytes], naming: list[str]) -> None:
        result = proc.wait(K_WAIT_S)
        self.assert_exit(result, 1)
        lines = [line for line in result.output.splitlines() if all(n in line for n in naming)]
        self.assertTrue(lines, f"no line names all of {naming}" + result.describe())
        self.assertEqual(h.files_under(requests_dir), left, "the requests did not stay")
        self.assertEqual(h.files_under(work.dead_letters), {}, "requests were dead-lettered")


class DirectoryStoreUnusable(StoreUnusableCase):
    def run_until_unusable(self, spoil, cause: str, later_owner: str = OWNER) -> None:
        """Two requests applied, then `spoil(disk)`, then two more that cannot be stored."""
        work = self.workdir()
        disk = self.small_disk(work, "disk")
        store = disk / "store"
        requests_dir = work.root / "requests"
        first, later = requests(0, 2), requests(2, 2, later_owner)
        h.write_request_files(requests_dir, first)
        proc = self.start(work, requests_dir, store)
        self.wait_for_widgets(store, 2)
        h.wait_until(lambda: h.files_under(requests_dir) == {}, K_WAIT_S,
                     what="the first requests removed")
        spoil(disk, store)
        h.write_request_files(requests_dir, later)

        self.assert_stopped_leaving_the_requests(
            proc, work, requests_dir, later, ["widget store", str(store), cause])
        self.assertEqual(self.parse_widgets(visible_files(store / "widgets"), "store"),
                         {k.removeprefix("widgets/"): v for k, v in widgets_of(first).items()})

    def test_a_full_disk_stops_the_run_and_leaves_the_request(self):
        self.run_until_unusable(lambda disk, store: fill(disk), "No space left on device")

    def test_a_read_only_store_stops_the_run_and_leaves_the_request(self):
        def remount_read_only(disk, store):
            h.wait_until(lambda: subprocess.run(
                ["mount", "-o", "remount,ro", str(disk)], capture_output=True).returncode == 0,
                5, what="a read-only remount")
        self.run_until_unusable(remount_read_only, "Read-only file system")

    def test_an_immutable_store_directory_stops_the_run_and_leaves_the_request(self):
        """chattr +i: even root gets EPERM making the new owner's folder."""
        def make_immutable(disk, store):
            subprocess.run(["chattr", "+i", str(store / "widgets")], check=True)
            self.addCleanup(subprocess.run, ["chattr", "-i", str(store / "widgets")])
        self.run_until_unusable(make_immutable, "Operation not permitted", "Other Owner")

    def test_a_store_the_consumers_user_may_not_write_stops_the_run_with_eacces(self):
        """Root is never refused by permission bits, so the consumer runs as `nobody` here; the
        store's folder for a new owner cannot be made once widgets/ is made read-only."""
        work = self.workdir()
        work.root.chmod(0o755)
        requests_dir, store = work.root / "requests", work.root / "store"
        for directory in (requests_dir, store, work.logs, work.dead_letters):
            directory.mkdir()
            directory.chmod(0o777)
        first, later = requests(0, 2), requests(2, 2, "Other Owner")
        h.write_request_files(requests_dir, first)
        nobody = 65534
        with open(work.root / "out.txt", "wb") as out:
            process = subprocess.Popen(
                [str(h.consumer_bin()), "--requests-dir", requests_dir, "--widgets-dir", store,
                 "--idle-timeout", str(K_WAIT_S), "--no-progress"] + work.log_dir_args(),
                cwd=work.root, env=h.consumer_env(work), stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, user=nobody, group=nobody, extra_groups=[])
        self.addCleanup(lambda: process.poll() is None and process.kill())
        self.wait_for_widgets(store, 2)
        h.wait_until(lambda: h.files_under(requests_dir) == {}, K_WAIT_S,
                     what="the first requests removed")
        (store / "widgets").chmod(0o555)
        h.write_request_files(requests_dir, later)
        for name in later:
            (requests_dir / name).chmod(0o666)

        self.assertEqual(process.wait(K_WAIT_S), 1)
        output = (work.root / "out.txt").read_text(errors="replace")
        self.assertTrue([line for line in output.splitlines()
                         if "widget store" in line and str(store) in line
                         and "Permission denied" in line], output[-3000:])
        self.assertEqual(h.files_under(requests_dir), later, "the requests did not stay")
        self.assertEqual(h.files_under(work.dead_letters), {}, "requests were dead-lettered")

    def test_a_full_dead_letter_directory_stops_the_run_and_leaves_the_rejected_request(self):
        work = self.workdir()
        disk = self.small_disk(work, "dead-disk")
        dead = disk / "dead-letters"
        dead.mkdir()
        fill(disk)
        requests_dir = work.root / "requests"
        store = work.root / "store"
        rejected = {"1600000099999": b'{"type": "create", "widgetId": "no-owner"}'}
        h.write_request_files(requests_dir, rejected)
        proc = self.start_consumer(
            ["--requests-dir", requests_dir, "--widgets-dir", store, "--idle-timeout",
             str(K_WAIT_S), "--dead-letter-dir", dead, "--log-dir", work.logs],
            work, h.consumer_env(work))
        result = proc.wait(K_WAIT_S)
        self.assert_exit(result, 1)
        self.assertTrue([line for line in result.output.splitlines()
                         if "dead-letter directory" in line and str(dead) in line
                         and "No space left on device" in line], result.describe())
        self.assertEqual(h.files_under(requests_dir), rejected, "the rejected request did not stay")
        self.assertEqual(sorted(os.listdir(dead)), [], "a partial dead letter was left")


class DynamoDbWritesDenied(StoreUnusableCase):
    def test_access_denied_on_every_write_stops_the_run_and_leaves_the_requests(self):
        moto = h.shared_moto().endpoint
        s3 = h.s3_client(moto)
        dynamodb = dh.dynamodb_client(moto)
        table = dh.create_table(dynamodb)
        bucket = h.create_bucket(s3, "wc-denied")
        batch = requests(0, 3)
        h.upload_requests(s3, bucket, batch)
        proxy = self.start_proxy(moto, FaultConfig(
            deny=1.0, match_target=r"\.(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$"))
        work = self.workdir()
        result = h.run_consumer(dh.consumer_args(bucket, table, work, idle_timeout="5"), work,
                                dh.consumer_env(work, moto, proxy.endpoint), timeout=K_WAIT_S)
        self.assert_exit(result, 1)
        self.assertTrue([line for line in result.output.splitlines()
                         if table in line and "AccessDeniedException" in line], result.describe())
        left = {key: obj.body for key, obj in h.read_bucket(s3, bucket).items()}
        self.assertEqual(left, batch, "requests were removed")
        self.assertEqual(dh.read_table(dynamodb, table), {})
        self.assertEqual(h.files_under(work.dead_letters), {}, "requests were dead-lettered")
        denied = [r for r in proxy.log() if r.get("fault") == "deny"]
        self.assertGreaterEqual(len(denied), 1)
        self.assertLessEqual(len(denied), 3, "a denied write was retried")


if __name__ == "__main__":
    unittest.main()
