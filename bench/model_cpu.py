#!/usr/bin/env python3
"""Instructions per call of the model code on real request files, counted by callgrind.

    python3 bench/model_cpu.py [--binary build/release/bench/model-cpu] [--rounds N] [DIR ...]

Runs model-cpu (bench/model_cpu.cpp) under `valgrind --tool=callgrind` and prints, for
parse_request, to_json, widget_from_json and widget_from_create, the inclusive instruction
count divided by the number of calls, both as callgrind counted them. Instruction counts are
deterministic, so two builds compare to the instruction on any machine load. DIR defaults to
../shared/conformance/{hw6-official,producer-2021} next to the source tree. Needs valgrind and
a release build (symbols).
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent
CONFORMANCE = SOURCE.parent / "shared" / "conformance"

# (row, regex on callgrind_annotate's "file:function" column)
FUNCTIONS = [
    ("parse_request", r":wc::model::parse_request(\[abi:cxx11\])?\("),
    ("  parse_bounded_json (in parse_request and widget_from_json)",
     r":wc::model::parse_bounded_json(\[abi:cxx11\])?\("),
    ("to_json(Widget)", r":wc::model::to_json(\[abi:cxx11\])?\(wc::model::Widget const&\)"),
    ("widget_from_json", r":wc::model::widget_from_json(\[abi:cxx11\])?\("),
    ("widget_from_create (after parse_request and in widget_from_json)",
     r":wc::model::widget_from_create\("),
]


def program_arguments(doc, program, rounds):
    """A parser for --binary (build/release/bench/PROGRAM) and --rounds (default `rounds`)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--binary", default=str(SOURCE / "build" / "release" / "bench" / program))
    parser.add_argument("--rounds", type=int, default=rounds)
    return parser


def parse_args():
    parser = program_arguments(__doc__, "model-cpu", 20)
    parser.add_argument("dirs", nargs="*",
                        default=[str(CONFORMANCE / "hw6-official"),
                                 str(CONFORMANCE / "producer-2021")])
    return parser.parse_args()


def call_tree(out_file):
    """[(kind, Ir, "file:function", calls)] from callgrind_annotate's calling tree: kind "*"
    is a function with its inclusive cost, ">" one of its callees with the calls made to it.
    Only a "*" row that names the binary is a function's whole cost; rows without it split
    that cost by the source file of inlined code, and are left out. Run from "/": below its
    working directory, callgrind_annotate shortens paths and splits one function over two
    rows that both name the binary."""
    result = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--tree=calling",
                             "--threshold=100", out_file],
                            capture_output=True, text=True, check=True, cwd="/")
    rows = []
    for line in result.stdout.splitlines():
        match = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+([*>])\s+(.*?)(?: \(([\d,]+)x\))?"
                         r"( \[[^]]*\])?$", line)
        if match and (match.group(2) == ">" or match.group(5)):
            calls = int(match.group(4).replace(",", "")) if match.group(4) else 0
            rows.append((match.group(2), int(match.group(1).replace(",", "")), match.group(3),
                         calls))
    return rows


def cost_and_calls(rows, pattern):
    """Inclusive instructions of the function matching `pattern`, and the calls to it."""
    cost = sum(ir for kind, ir, name, _ in rows if kind == "*" and re.search(pattern, name))
    calls = sum(n for kind, _, name, n in rows if kind == ">" and re.search(pattern, name))
    return cost, calls


def run_under_callgrind(command, name):
    """Runs `command` under callgrind: the JSON of its last line of output, and its call tree."""
    with tempfile.TemporaryDirectory() as work:
        out_file = str(Path(work) / "callgrind.out")
        run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}",
                              *command], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"{name} failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
        return json.loads(run.stdout.strip().splitlines()[-1]), call_tree(out_file)


def print_per_call(functions, rows):
    """One line per (row, pattern) of `functions`: calls, inclusive instructions, per call."""
    print(f"{'function':<62} {'calls':>7} {'instructions':>14} {'per call':>10}")
    for row, pattern in functions:
        cost, calls = cost_and_calls(rows, pattern)
        print(f"{row:<62} {calls:>7} {cost:>14,} {cost // max(calls, 1):>10,}")


def main():
    args = parse_args()
    counts, rows = run_under_callgrind(
        [args.binary, "--rounds", str(args.rounds), *args.dirs], "model-cpu")
    print(f"{counts['parse_request']} requests ({counts['rejected']} rejected), "
          f"{counts['to_json']} creates written and read back, {args.rounds} rounds")
    print_per_call(FUNCTIONS, rows)


if __name__ == "__main__":
    main()
