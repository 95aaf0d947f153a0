"""Open files (src/app/open_files.h): the consumer raises its soft limit on open files to the
hard one at start, since about 4 per lane are open at once (2,059 at --concurrency 512), and
warns, naming both numbers, when even the hard limit may be short. The directory rows here need
few files, so the run completes either way; the warning is what an operator sees."""

import resource
import subprocess
import unittest

import wc_harness as h

K_CONCURRENCY = 512
K_NEEDED = 4 * K_CONCURRENCY + 64


class OpenFileLimit(h.ConsumerTestCase):
    def run_with_limits(self, soft: int, hard: int):
        data = h.load_conformance("hw6-official")
        work = self.workdir()
        requests_dir, widgets_dir = work.root / "requests", work.root / "widgets-store"
        h.write_request_files(requests_dir, data.requests)

        def limit():
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

        result = subprocess.run(
            [str(h.consumer_bin()), "--requests-dir", str(requests_dir), "--widgets-dir",
             str(widgets_dir), *h.idle_timeout_args(), "--concurrency", str(K_CONCURRENCY)]
            + [str(a) for a in work.log_dir_args()],
            cwd=work.cwd, env=h.consumer_env(work, key_id=None, secret=None),
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
            preexec_fn=limit)
        self.assertEqual(result.returncode, 0, result.stdout[-2000:] + result.stderr[-2000:])
        self.assert_directory_store(widgets_dir, data.widgets)
        self.assertEqual(h.files_under(requests_dir), {}, "the requests directory should end empty")
        return [line for line in h.log_lines(work.logs) if "open" in line and "files" in line]

    def test_a_low_soft_limit_is_raised_to_the_hard_one_without_a_word(self):
        if resource.getrlimit(resource.RLIMIT_NOFILE)[1] < K_NEEDED:
            self.skipTest("this machine's hard limit on open files is below what is tested")
        self.assertEqual(self.run_with_limits(256, K_NEEDED), [])

    def test_a_hard_limit_below_what_the_concurrency_needs_is_named_in_a_warning(self):
        warnings = self.run_with_limits(256, 256)
        self.assertEqual(len(warnings), 1, warnings)
        self.assertIn("WARNING", warnings[0])
        self.assertIn(f"--concurrency {K_CONCURRENCY} may hold about {K_NEEDED} files open",
                      warnings[0])
        self.assertIn("this process may open 256", warnings[0])


if __name__ == "__main__":
    unittest.main()
