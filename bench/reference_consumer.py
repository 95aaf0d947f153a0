#!/usr/bin/env python3
"""The benchmark's reference: a consumer written the way the original Python program works.

One request at a time: ListObjectsV2 MaxKeys=1 on the request bucket, GetObject of that key,
apply it to the S3 widget store, DeleteObject of the request. The store calls are the simple
ones: create = PutObject; update = GetObject + PutObject (nothing if the widget is missing);
delete = DeleteObject. Each request is logged to the console and a log file, as the original
did. It is deliberately not optimised: it is the yardstick the benchmark measures against.

At the end it prints one JSON line on stdout with what it measured itself:
requests, calls (HTTP requests sent up to the last request applied, retries included), cpu_s (user+sys of this process from
the first poll to the last request applied; interpreter start-up and boto3 import are left
out, which favours the reference) and wall_s (same interval).
"""

import argparse
import json
import logging
import os
import re
import resource
import sys
import time

import boto3
import botocore.config

OWNER_PATTERN = re.compile(r"[A-Za-z ]+")
FIELD_ORDER = ("widgetId", "owner", "label", "description", "otherAttributes")
TYPES = {"create": "create", "update": "update", "delete": "delete",
         "WidgetCreateRequest": "create", "WidgetUpdateRequest": "update",
         "WidgetDeleteRequest": "delete"}


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--request-bucket", required=True)
    parser.add_argument("--widget-bucket", required=True)
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--idle-timeout", type=float, default=1.0,
                        help="stop after this many seconds without a request")
    parser.add_argument("--log-file", default="reference.log")
    parser.add_argument("--dead-letter-dir", default="reference-dead-letters")
    return parser.parse_args()


def validate(request):
    """Returns (kind, None) for a valid request, or (None, reason)."""
    if not isinstance(request, dict):
        return None, "not a JSON object"
    kind = TYPES.get(request.get("type"))
    if kind is None:
        return None, "missing or unknown type"
    for field in ("requestId", "widgetId", "owner"):
        if not isinstance(request.get(field), str) or not request[field]:
            return None, f"missing or empty {field}"
    if not OWNER_PATTERN.fullmatch(request["owner"]):
        return None, "owner must be letters and spaces"
    return kind, None


def widget_from_create(request):
    widget = {"widgetId": request["widgetId"], "owner": request["owner"]}
    for field in ("label", "description"):
        if request.get(field):
            widget[field] = request[field]
    attributes = [a for a in request.get("otherAttributes") or [] if a.get("value")]
    if attributes:
        widget["otherAttributes"] = [{"name": a["name"], "value": a["value"]} for a in attributes]
    return widget


def apply_update(widget, request):
    for field in ("label", "description"):
        value = request.get(field)
        if value == "":
            widget.pop(field, None)
        elif value is not None:
            widget[field] = value
    attributes = {a["name"]: a["value"] for a in widget.get("otherAttributes", [])}
    for attribute in request.get("otherAttributes") or []:
        if attribute.get("value") == "":
            attributes.pop(attribute["name"], None)
        elif attribute.get("value") is not None:
            attributes[attribute["name"]] = attribute["value"]
    widget.pop("otherAttributes", None)
    if attributes:
        widget["otherAttributes"] = [{"name": n, "value": v} for n, v in attributes.items()]
    return widget


class Reference:
    def __init__(self, args):
        self.args = args
        self.calls = 0
        config = botocore.config.Config(s3={"addressing_style": "path"})
        self.s3 = boto3.client("s3", endpoint_url=args.endpoint_url, config=config)
        self.s3.meta.events.register("before-send.s3", self.count_call)

    def count_call(self, **_):
        self.calls += 1

    def widget_key(self, request):
        owner = request["owner"].replace(" ", "-").lower()
        return f"widgets/{owner}/{request['widgetId']}"

    def put_widget(self, key, widget):
        # The consumer's field order and compact form, so the benchmark can compare the final
        # stores byte for byte.
        ordered = {name: widget[name] for name in FIELD_ORDER if name in widget}
        body = json.dumps(ordered, separators=(",", ":"), ensure_ascii=False)
        self.s3.put_object(Bucket=self.args.widget_bucket, Key=key, Body=body.encode(),
                           ContentType="application/json")

    def apply(self, kind, request):
        key = self.widget_key(request)
        if kind == "create":
            self.put_widget(key, widget_from_create(request))
            return "created"
        if kind == "update":
            try:
                stored = self.s3.get_object(Bucket=self.args.widget_bucket, Key=key)
            except self.s3.exceptions.NoSuchKey:
                logging.warning("update of missing widget %s", key)
                return "missing"
            widget = json.loads(stored["Body"].read())
            self.put_widget(key, apply_update(widget, request))
            return "updated"
        self.s3.delete_object(Bucket=self.args.widget_bucket, Key=key)
        return "deleted"

    def reject(self, key, body, reason):
        logging.error("%s: rejected: %s", key, reason)
        os.makedirs(self.args.dead_letter_dir, exist_ok=True)
        with open(os.path.join(self.args.dead_letter_dir, key), "wb") as file:
            file.write(body)

    def process(self, key):
        started = time.monotonic()
        body = self.s3.get_object(Bucket=self.args.request_bucket, Key=key)["Body"].read()
        try:
            request = json.loads(body)
            kind, reason = validate(request)
        except ValueError as error:
            kind, reason = None, f"not JSON: {error}"
        if kind is None:
            self.reject(key, body, reason)
            outcome = "rejected"
        else:
            outcome = self.apply(kind, request)
        self.s3.delete_object(Bucket=self.args.request_bucket, Key=key)
        logging.info("%s %s %s %s %.1f ms", key, kind, request.get("widgetId") if kind else "-",
                     outcome, (time.monotonic() - started) * 1000)

    def run(self):
        requests = 0
        cpu_start, wall_start = cpu_seconds(), time.monotonic()
        cpu_end, wall_end, calls_end = cpu_start, wall_start, 0
        idle_since = time.monotonic()
        while time.monotonic() - idle_since < self.args.idle_timeout:
            page = self.s3.list_objects_v2(Bucket=self.args.request_bucket, MaxKeys=1)
            if not page.get("Contents"):
                time.sleep(0.1)
                continue
            self.process(page["Contents"][0]["Key"])
            requests += 1
            cpu_end, wall_end, calls_end = cpu_seconds(), time.monotonic(), self.calls
            idle_since = wall_end
        return {"requests": requests, "calls": calls_end, "cpu_s": cpu_end - cpu_start,
                "wall_s": wall_end - wall_start}


def main():
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        handlers=[logging.FileHandler(args.log_file),
                                  logging.StreamHandler(sys.stderr)])
    result = Reference(args).run()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
