"""Benchmark workloads: generated once with widget-producer, then copied or uploaded per row."""

import hashlib
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from measure import PRODUCER

SEED = 5250
MIX = "70,20,10"
START_MS = 1_700_000_000_000  # fixed, so every run has the same keys


def generate(directory, count):
    """Writes `count` requests (the producer's 70/20/10 mix, fixed seed) to directory."""
    directory = Path(directory)
    if directory.exists():
        shutil.rmtree(directory)
    result = subprocess.run([PRODUCER, "--requests-dir", directory, "--count", str(count),
                             "--seed", str(SEED), "--mix", MIX, "--start-ms", str(START_MS)],
                            capture_output=True, text=True, check=True)
    return result.stdout.strip() or result.stderr.strip()


def copy(source, target):
    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)


def upload(s3, directory, bucket, threads=16):
    """Puts every file of directory as an object of bucket (key = file name), in parallel."""
    names = sorted(os.listdir(directory))

    def put(name):
        with open(Path(directory) / name, "rb") as file:
            s3.put_object(Bucket=bucket, Key=name, Body=file.read())

    with ThreadPoolExecutor(threads) as pool:
        for _ in pool.map(put, names):
            pass
    return len(names)


def object_count(s3, bucket):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sum(page.get("KeyCount", 0) for page in pages)


def bucket_digest(s3, bucket, prefix="widgets/"):
    """(widget count, digest of key + body MD5): compares final stores without reading bodies.

    Needs the server's ETag to be the MD5 of the body, which holds for single-part PUTs.
    """
    entries = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            entries.append(f"{item['Key']} {item['ETag'].strip(chr(34))}")
    return len(entries), hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()[:12]


def directory_digest(directory, prefix="widgets"):
    """The same digest as bucket_digest, for a directory store."""
    root = Path(directory)
    entries = []
    for path in (root / prefix).rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            key = path.relative_to(root).as_posix()
            entries.append(f"{key} {hashlib.md5(path.read_bytes()).hexdigest()}")
    return len(entries), hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()[:12]
