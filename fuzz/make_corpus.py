#!/usr/bin/env python3
"""Regenerates the checked-in seed corpus (fuzz/corpus/<target>/) from real documents:
requests and expected widgets of the conformance data, and the XML a moto S3 server actually
sends (listings with awkward keys, error documents, DeleteObjects results).

  fuzz/make_corpus.py --moto http://127.0.0.1:PORT [--conformance ../shared/conformance]

Only needed when a parser's input format grows; the fuzzers add what they find to their own
working corpus (scripts/fuzz.sh keeps that under build/fuzz/corpus, not here)."""

import argparse
import hashlib
import json
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import boto3
import botocore.config

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
AWKWARD_KEYS = ["1612306368338", "with space", "ünïcödé/✓", "../dots/..", "a+b&c<d>", "tab\tkey",
                "trailing/"]


def save(target: str, data: bytes, name: str | None = None) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / (name or hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


def conformance_seeds(conformance: Path) -> None:
    picks = sorted((conformance / "hw6-official").glob("*.json"))
    picks += sorted((conformance / "fixtures").glob("*.json"))
    picks += sorted((conformance / "producer-2021").glob("*.json"))[:8]
    for path in picks:
        save("fuzz_request_parser", path.read_bytes(), path.stem)
    for set_name in ("hw6-official", "producer-2021"):
        expected = json.loads((conformance / f"{set_name}.expected.json").read_text())
        for key, widget in list(expected["s3"]["widgets"].items())[:10]:
            save("fuzz_widget_json", json.dumps(widget, separators=(",", ":")).encode())
        for item_id, item in list(expected["dynamodb"]["widgets"].items())[:10]:
            wire = {name: {"S": value} for name, value in item.items()}
            save("fuzz_dynamodb_item", json.dumps(wire, separators=(",", ":")).encode())


def raw_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def s3_seeds(endpoint: str) -> None:
    config = botocore.config.Config(s3={"addressing_style": "path"})
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id="corpus", aws_secret_access_key="corpus", config=config)
    bucket = f"corpus-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    for key in AWKWARD_KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=b"{}")
    base = f"{endpoint}/{bucket}?list-type=2"
    for suffix, name in (("&encoding-type=url", "list-url-encoded"), ("", "list-plain"),
                         ("&encoding-type=url&max-keys=2", "list-truncated"),
                         ("&prefix=nothing-here", "list-empty")):
        status, body = raw_get(base + suffix)
        assert status == 200, (status, body)
        save("fuzz_s3_list", body, name)

    missing_bucket = raw_get(f"{endpoint}/no-such-bucket-{uuid.uuid4().hex[:8]}?list-type=2")
    missing_key = raw_get(f"{endpoint}/{bucket}/{urllib.parse.quote('no such key')}")
    # fuzz_s3_error reads the status and the target (bit 0x80: object) from its first two
    # bytes (see the target).
    for status, target, body, name in (
            (404, 0, missing_bucket[1], "no-such-bucket"),
            (404, 0x80, missing_key[1] or b"", "no-such-key"),
            (503, 0, b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate."
             b"</Message></Error>", "slowdown"),
            (502, 0, b"<html><body>Bad Gateway</body></html>", "html-page"),
            (404, 0x80, b"", "empty-404-object")):
        prefix = bytes([(((status - 100) >> 8) & 0x7f) | target, (status - 100) & 0xff])
        save("fuzz_s3_error", prefix + body, name)

    answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in
                                                                  AWKWARD_KEYS]})
    deleted = "".join(f"<Deleted><Key>{d['Key']}</Key></Deleted>" for d in answer["Deleted"][:3])
    save("fuzz_s3_delete_result", (
        '<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/'
        f'2006-03-01/">{deleted}<Error><Key>denied key</Key><Code>AccessDenied</Code><Message>'
        "Access Denied</Message></Error></DeleteResult>").encode(), "deleted-and-denied")
    save("fuzz_s3_delete_result", b'<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult '
         b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>', "quiet-empty")
    s3.delete_bucket(Bucket=bucket)


def captured_bodies(client) -> list[tuple[str, int, bytes]]:
    """Registers a hook that records (operation, status, raw body) of every answer."""
    seen: list[tuple[str, int, bytes]] = []

    def record(http_response, model, **_):
        seen.append((model.name, http_response.status_code, http_response.content))

    client.meta.events.register("after-call.*.*", record)
    client.meta.events.register("after-call-error.*.*", lambda **_: None)
    return seen


def json_api_seeds(endpoint: str) -> None:
    """Real DynamoDB and SQS answers from moto (the fuzzers' byte 0 chooses status/reader)."""
    kwargs = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="corpus",
                  aws_secret_access_key="corpus")
    dynamodb = boto3.client("dynamodb", **kwargs)
    seen = captured_bodies(dynamodb)
    table = f"corpus-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST")
    dynamodb.describe_table(TableName=table)
    dynamodb.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": {"id": {"S": "w1"}, "owner": {"S": "Ann"}}}}]})
    dynamodb.get_item(TableName=table, Key={"id": {"S": "w1"}})
    try:
        dynamodb.describe_table(TableName="no-such-table")
    except dynamodb.exceptions.ResourceNotFoundException as error:
        body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#"
                           + error.response["Error"]["Code"],
                           "message": error.response["Error"]["Message"]}).encode()
        save("fuzz_dynamodb_response", bytes([0]) + body, "resource-not-found")
    for operation, _, body in seen:
        save("fuzz_dynamodb_response", bytes([0]) + body, operation)
    save("fuzz_dynamodb_response", bytes([0]) + json.dumps({"UnprocessedItems": {"widgets": [
        {"PutRequest": {"Item": {"id": {"S": "w2"}}}}, {"DeleteRequest": {"Key": {"id": {"S": "w3"}}}}
    ]}}).encode(), "unprocessed-items")
    dynamodb.delete_table(TableName=table)

    sqs = boto3.client("sqs", **kwargs)
    seen = captured_bodies(sqs)
    url = sqs.create_queue(QueueName=f"corpus-{uuid.uuid4().hex[:8]}.fifo",
                           Attributes={"FifoQueue": "true"})["QueueUrl"]
    sqs.get_queue_url(QueueName=url.rsplit("/", 1)[1])
    sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    sqs.send_message(QueueUrl=url, MessageBody='{"type":"create"}', MessageGroupId="w1",
                     MessageDeduplicationId="d1")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                   AttributeNames=["All"])
    handles = [m["ReceiptHandle"] for m in received.get("Messages", [])]
    sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "ReceiptHandle": h} for i, h in enumerate(handles + ["bogus"])])
    readers = {"GetQueueUrl": 0, "GetQueueAttributes": 1, "ReceiveMessage": 2,
               "DeleteMessageBatch": 3, "SendMessage": 4}
    for operation, _, body in seen:
        if operation in readers:
            save("fuzz_sqs_response", bytes([readers[operation]]) + body, operation)
    try:
        sqs.get_queue_url(QueueName="no-such-queue")
    except sqs.exceptions.ClientError as error:
        body = json.dumps({"__type": "com.amazonaws.sqs#QueueDoesNotExist",
                           "message": error.response["Error"].get("Message", "")}).encode()
        save("fuzz_sqs_response", bytes([5 | 0x80]) + body, "queue-does-not-exist")
    sqs.delete_queue(QueueUrl=url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moto", required=True, help="http://127.0.0.1:PORT of a moto server")
    parser.add_argument("--conformance", default=str(HERE.parent.parent / "shared/conformance"))
    args = parser.parse_args()
    conformance_seeds(Path(args.conformance))
    s3_seeds(args.moto.rstrip("/"))
    json_api_seeds(args.moto.rstrip("/"))


if __name__ == "__main__":
    main()
