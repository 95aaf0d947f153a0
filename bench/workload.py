"""Benchmark workloads: generated once with widget-producer, then copied or uploaded per row."""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from measure import PRODUCER
from servers import aws_environment

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


def upload(endpoint, directory, bucket, work, processes=4):
    """Puts every file of directory as an object of bucket (key = file name).

    Runs `processes` widget-producer --from-dir copies side by side, each on a contiguous
    share of the keys (hard links in work/), which is several times faster than boto3.
    """
    names = sorted(os.listdir(directory))
    share = -(-len(names) // processes)
    running = []
    for index in range(processes):
        part = Path(work) / f"upload-{bucket}-{index}"
        if part.exists():
            shutil.rmtree(part)
        part.mkdir(parents=True)
        for name in names[index * share:(index + 1) * share]:
            os.link(Path(directory) / name, part / name)
        running.append((part, subprocess.Popen(
            [PRODUCER, "--from-dir", part, "--bucket", bucket, "--endpoint-url", endpoint],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=aws_environment())))
    for part, process in running:
        output = process.communicate()[0].decode(errors="replace")
        shutil.rmtree(part)
        if process.returncode != 0:
            raise RuntimeError(f"uploading {part.name} to s3://{bucket} failed: {output}")
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


def content_fingerprint(widgets):
    """(count, digest) of widgets by content, blind to attribute order and to storage form.

    widgets: dicts in the S3 JSON form (widgetId, owner, label, description, otherAttributes).
    Lets a DynamoDB table, whose items have no attribute order, be compared with a file store.
    """
    lines = []
    for widget in widgets:
        attributes = sorted((a["name"], a["value"]) for a in widget.get("otherAttributes", []))
        lines.append(json.dumps([widget["widgetId"], widget["owner"], widget.get("label"),
                                 widget.get("description"), attributes]))
    return len(lines), hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:12]


def directory_widgets(directory, prefix="widgets"):
    for path in (Path(directory) / prefix).rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            yield json.loads(path.read_bytes())


def table_widgets(dynamodb, table):
    """The items of a DynamoDB widget table (SPEC §5) in the S3 JSON form."""
    named = {"id", "owner", "label", "description"}
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            widget = {"widgetId": item["id"]["S"], "owner": item["owner"]["S"]}
            for field in ("label", "description"):
                if field in item:
                    widget[field] = item[field]["S"]
            widget["otherAttributes"] = [{"name": name, "value": value["S"]}
                                         for name, value in item.items() if name not in named]
            yield widget


def directory_digest(directory, prefix="widgets"):
    """The same digest as bucket_digest, for a directory store."""
    root = Path(directory)
    entries = []
    for path in (root / prefix).rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            key = path.relative_to(root).as_posix()
            entries.append(f"{key} {hashlib.md5(path.read_bytes()).hexdigest()}")
    return len(entries), hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()[:12]
