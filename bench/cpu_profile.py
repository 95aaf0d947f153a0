#!/usr/bin/env python3
"""Where widget-consumer's CPU goes: S3 -> S3 on fauxqs (or moto) under perf.

    python3 bench/cpu_profile.py [--server fauxqs|moto] [--requests N] [--concurrency C]

Prints perf stat counters per request, then the share of the consumer's CPU samples spent
inside each part of the code (inclusive, so parts overlap: the HTTP transfer contains the
kernel's send/recv). Needs `perf` and a release build (RelWithDebInfo, so symbols resolve).
"""

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import measure
import servers
import workload

# (label, regex on perf's symbol column); inclusive shares of the consumer's samples.
PARTS = [
    ("one HTTP call in all (S3Client::execute)", r"wc::aws::S3Client::execute$"),
    ("  curl transfer (CurlTransfer::perform)", r"wc::aws::CurlTransfer::perform$"),
    ("    poll (our wait for the answer, curl's check of a reused connection)", r"^(__)?poll$"),
    ("    TCP connect", r"__libc_connect$"),
    ("  SigV4 signing (aws::sign)", r"wc::aws::sign$"),
    ("    signing key derivation", r"signing_key"),
    ("    EVP_MD_fetch (digest looked up per call)", r"EVP_MD_fetch$"),
    ("  curl_easy_reset", r"curl_easy_reset$"),
    ("request validation (RequestProcessor::validate)", r"RequestProcessor::validate"),
    ("widget JSON out (model::to_json)", r"wc::model::to_json"),
    ("per-request log line (log_request)", r"wc::consumer::log_request$"),
    ("  log file flush", r"file_helper::flush$"),
    ("  console sink", r"ansicolor_sink.*::log$"),
    ("removal batches (RemovalBatcher::remove_now)", r"RemovalBatcher::remove_now$"),
    ("listing (S3RequestSource::list_page)", r"S3RequestSource::list_page$"),
    ("malloc + free (self)", None),
    ("kernel (self)", None),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=["fauxqs", "moto"], default="fauxqs")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--keep", action="store_true", help="keep perf.data and the logs")
    return parser.parse_args()


def perf_report(data, *options):
    result = subprocess.run(["perf", "report", "-i", data, "--stdio", *options],
                            capture_output=True, text=True, check=True)
    return [line for line in result.stdout.splitlines() if line and not line.startswith("#")]


def shares(data):
    inclusive = {}
    for line in perf_report(data, "--children", "--sort", "sym", "-g", "none"):
        match = re.match(r"\s*([\d.]+)%\s+([\d.]+)%\s+\[[.k]\]\s+(.*)$", line)
        if match:
            inclusive.setdefault(match.group(3).strip(), float(match.group(1)))
    self_by_dso = {}
    for line in perf_report(data, "--no-children", "--sort", "dso,sym", "-g", "none"):
        match = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[([.k])\]\s+(\S+)", line)
        if match:
            key = "kernel" if match.group(3) == "k" else match.group(4)
            self_by_dso[key] = self_by_dso.get(key, 0.0) + float(match.group(1))
    rows = []
    for label, pattern in PARTS:
        if pattern is None:
            if label.startswith("malloc"):
                value = sum(v for k, v in self_by_dso.items()
                            if re.match(r"(malloc|_int_malloc|_int_free|cfree|free|"
                                        r"malloc_consolidate|unlink_chunk)", k))
            else:
                value = self_by_dso.get("kernel", 0.0)
        else:
            value = max((v for sym, v in inclusive.items() if re.search(pattern, sym)),
                        default=0.0)
        rows.append((label, value))
    return rows


def consume(server, work, command, run):
    """Uploads the requests to fresh buckets and runs command (a consumer run, with {requests}
    and {widgets} standing for the bucket names); returns the requests done."""
    requests, widgets = f"prof-requests-{run}", f"prof-widgets-{run}"
    s3 = server.s3()
    for bucket in (requests, widgets):
        s3.create_bucket(Bucket=bucket)
    workload.upload(server.endpoint, work / "requests", requests, work)
    command = [str(part).format(requests=requests, widgets=widgets) for part in command]
    result = subprocess.run(command, capture_output=True, text=True,
                            env=servers.aws_environment(), cwd=work)
    summary = measure.SUMMARY.search(result.stdout)
    if result.returncode != 0 or not summary:
        sys.exit(f"consumer run failed: {result.stdout[-500:]} {result.stderr[-500:]}")
    return int(summary["total"])


def main():
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="wc-profile."))
    workload.generate(work / "requests", args.requests)
    start = servers.start_fauxqs if args.server == "fauxqs" else servers.start_moto
    server = start(work)
    try:
        consumer = [measure.CONSUMER, "-rb", "{requests}", "-wb", "{widgets}",
                    "--endpoint-url", server.endpoint, "--idle-timeout", "1",
                    "--concurrency", str(args.concurrency), "--log-dir", work / "logs",
                    "--dead-letter-dir", work / "dead-letters"]
        # Twice on the same requests: counters from /usr/bin/time, then samples from perf
        # (perf's unwinding costs CPU that must not show in the counters).
        time_report = work / "time.txt"
        requests = consume(server, work, ["/usr/bin/time", "-v", "-o", time_report, *consumer],
                           1)
        print(f"{requests} requests, S3 -> S3 on {args.server}, concurrency {args.concurrency}")
        text = time_report.read_text()
        for label in ("User time (seconds)", "System time (seconds)",
                      "Voluntary context switches", "Involuntary context switches",
                      "Minor (reclaiming a frame) page faults"):
            value = float(re.search(re.escape(label) + r":\s*([\d.]+)", text).group(1))
            scale, unit = (1000, " ms") if "time" in label else (1, "")
            print(f"  {label.split(' (')[0]}: {scale * value / requests:.3f}{unit} per request")
        data = str(work / "perf.data")
        consume(server, work, ["perf", "record", "-q", "-F", "999", "--call-graph",
                               "dwarf,16384", "-o", data, "--", *consumer], 2)
        print("share of the consumer's CPU samples (inclusive):")
        for label, value in shares(data):
            print(f"  {value:5.1f} %  {label}")
    finally:
        server.stop()
        if not args.keep:
            subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    main()
