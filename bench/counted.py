"""What the consumer does per request, counted rather than timed: user-space instructions
(callgrind) and system calls and context switches (perf's tracepoints). CPU seconds on a shared
VM vary by a third between runs of the same binary; these counts change little, so they show what a
change to the consumer saved. Needs valgrind, and perf with access to the syscall tracepoints
(root); without them the report says so."""

import re
import shutil
import subprocess
from pathlib import Path

SYSCALL_EVENTS = {
    "raw_syscalls:sys_enter": "system calls, all",
    "syscalls:sys_enter_poll": "system calls: poll",
    "syscalls:sys_enter_futex": "system calls: futex (lock and condition waits, wake-ups)",
    "syscalls:sys_enter_sendto": "system calls: sendto",
    "syscalls:sys_enter_recvfrom": "system calls: recvfrom",
    "syscalls:sys_enter_write": "system calls: write (log lines)",
    "context-switches": "context switches",
}


def missing():
    """Why the counts cannot be taken here, or None."""
    if not shutil.which("valgrind"):
        return "valgrind is not installed"
    if not shutil.which("perf"):
        return "perf is not installed (Debian: linux-perf)"
    probe = subprocess.run(["perf", "stat", "-x", ",", "-e", "raw_syscalls:sys_enter", "true"],
                           capture_output=True, text=True, check=False)
    if probe.returncode != 0 or "not supported" in probe.stderr or "<not" in probe.stderr:
        return "perf cannot read the syscall tracepoints here (needs root or perf_event_paranoid)"
    return None


def perf_wrapper(out_path):
    return ["perf", "stat", "-x", ",", "-o", str(out_path), "-e", ",".join(SYSCALL_EVENTS)]


def perf_counts(out_path):
    """{event: count} from a `perf stat -x ,` file."""
    counts = {}
    for line in Path(out_path).read_text().splitlines():
        fields = line.split(",")
        if len(fields) > 2 and re.fullmatch(r"[\d.]+", fields[0]):
            counts[fields[2]] = float(fields[0])
    return counts


def callgrind_wrapper(out_path):
    return ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_path}"]


def callgrind_total(out_path):
    """Instructions executed in user space by the whole process (every thread)."""
    for line in Path(out_path).read_text(errors="replace").splitlines():
        if line.startswith("totals:") or line.startswith("summary:"):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {out_path}")
