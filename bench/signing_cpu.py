#!/usr/bin/env python3
"""Instructions per SigV4 signature, counted by callgrind.

    python3 bench/signing_cpu.py [--binary build/release/bench/signing-cpu] [--rounds N]

Runs signing-cpu (bench/signing_cpu.cpp) under `valgrind --tool=callgrind` and prints the
inclusive instruction count of sign() and of the digest and URL work inside it, divided by
the calls, as callgrind counted them (model_cpu.py reads callgrind's output the same way).
Also prints the program's own wall time per signature, which on a shared VM is only a hint
(and under callgrind is far slower than a real run).
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from model_cpu import SOURCE, call_tree, cost_and_calls

# (row, regex on callgrind_annotate's "file:function" column)
FUNCTIONS = [
    ("sign", r":wc::aws::sign\("),
    ("  HmacSha256Key::mac (the signature, with the cached key)",
     r":wc::aws::HmacSha256Key::mac(\[abi:cxx11\])?\("),
    ("  hmac_sha256 (deriving a signing key, once a day)",
     r":wc::aws::hmac_sha256(\[abi:cxx11\])?\("),
    ("  sha256_hex (payload and canonical request)", r":wc::aws::sha256_hex(\[abi:cxx11\])?\("),
    ("  Host from the endpoint", r":wc::aws::(host_header|\(anonymous namespace\)::host_of)"
                                 r"(\[abi:cxx11\])?\("),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary",
                        default=str(SOURCE / "build" / "release" / "bench" / "signing-cpu"))
    parser.add_argument("--rounds", type=int, default=2000)
    return parser.parse_args()


def main():
    args = parse_args()
    with tempfile.TemporaryDirectory() as work:
        out_file = str(Path(work) / "callgrind.out")
        run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}",
                              args.binary, "--rounds", str(args.rounds)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"signing-cpu failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
        counts = json.loads(run.stdout.strip().splitlines()[-1])
        rows = call_tree(out_file)
    print(f"{counts['signatures']} signatures, {args.rounds} rounds of 4 requests")
    print(f"{'function':<62} {'calls':>7} {'instructions':>14} {'per call':>10}")
    for row, pattern in FUNCTIONS:
        cost, calls = cost_and_calls(rows, pattern)
        print(f"{row:<62} {calls:>7} {cost:>14,} {cost // max(calls, 1):>10,}")


if __name__ == "__main__":
    main()
