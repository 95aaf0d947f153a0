#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 proxy for the integration tests (Python stdlib only).

It sits between the consumer and moto. The consumer is pointed at the proxy
(`--endpoint-url http://127.0.0.1:PROXY_PORT`); the proxy forwards each request to the upstream
server byte for byte (path, query, headers and body unchanged, so a SigV4 signature made for the
proxy's host:port stays valid as long as the upstream does not check signatures) and relays the
answer, unless the seeded random draw for that request picks a fault:

  slowdown      503 SlowDown (S3 XML) / 503 ServiceUnavailable (JSON APIs)
  internal      500 InternalError (S3 XML) / 500 InternalServerError (JSON APIs)
  throttle      429 TooManyRequests (S3 XML) / 400 ThrottlingException or
                ProvisionedThroughputExceededException (JSON APIs, i.e. X-Amz-Target present)
  reset_before  the connection is reset (RST) without forwarding the request
  reset_after   the request is forwarded and applied upstream, then the connection is reset
                without an answer: the write happened but the client cannot know
  slow          the answer is delayed by `slow_delay` seconds (then relayed intact)
  truncate      the request is forwarded; the answer announces a Content-Length larger than
                the body it sends, then the connection is closed
  bad_request   a permanent refusal: 400 InvalidArgument (S3 XML) / 400 ValidationException
                (JSON APIs); not part of --rate, meant for one resource chosen with --match
  deny          what a caller without permission gets: 403 AccessDenied (S3 XML), a 200
                DeleteResult with an AccessDenied <Error> for every key (S3 DeleteObjects,
                as S3 checks each key), 400 AccessDeniedException (JSON APIs); not part of
                --rate. (moto's IAM checks skip DeleteObjects, hence this.)
  wrong_region  what S3 answers for a bucket that lives in another region: 301
                PermanentRedirect with the bucket's region (`bucket_region`) in the
                x-amz-bucket-region header, and no body for a HEAD; not part of --rate

Every request that matches `match` (a regex searched in "METHOD /path?query", default: all)
and `match_target` (a regex searched in the X-Amz-Target header of the JSON APIs, such as
"PutItem"; default: any) draws one number from a random.Random(seed); the configured shares,
taken in the order above, decide the fault. The same seed and the same order of requests give
the same faults. While `hold` is set, matching requests wait (counted, not yet answered) until
it is cleared.

Control endpoints (S3 bucket names cannot start with '_', so these never clash):
  GET  /__fault/stats   counts: requests, forwarded, injected faults by kind, calls by operation
  GET  /__fault/log     one record per request: operation, bucket/key or target, fault, and
                        answer_bytes (the size of the answer's body) once it was forwarded
  POST /__fault/config  JSON object of FaultConfig fields to change (e.g. {"rate": 0.3})
  POST /__fault/reset   clears counts and log

Command line (prints "fault-proxy listening on http://127.0.0.1:PORT" once ready; on SIGINT or
SIGTERM prints the stats as JSON and exits):
  fault_proxy.py --upstream http://127.0.0.1:5000 [--port 0] [--seed 1] [--rate 0.1]
                 [--slowdown P] [--internal P] [--throttle P] [--reset-before P]
                 [--reset-after P] [--slow P] [--truncate P] [--bad-request P]
                 [--slow-delay S] [--match REGEX]
`--rate R` spreads R evenly over the seven transient kinds; a per-kind option overrides its
share.

In a test: `with FaultProxy(upstream, FaultConfig.even(0.1, seed=7)) as proxy:` runs it on a
background thread; `proxy.endpoint`, `proxy.stats()`, `proxy.log()`, `proxy.configure(...)`.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import json
import random
import re
import signal
import socket
import struct
import sys
import threading
import urllib.parse
from xml.etree import ElementTree
from xml.sax.saxutils import escape as xml_escape

TRANSIENT_KINDS = ("slowdown", "internal", "throttle", "reset_before", "reset_after", "slow",
                   "truncate")
FAULT_KINDS = TRANSIENT_KINDS + ("bad_request", "deny", "wrong_region")

K_MAX_HEAD_BYTES = 64 * 1024
K_STREAM_LIMIT = 1024 * 1024
K_UPSTREAM_TIMEOUT_S = 60.0
K_CONTROL_PREFIX = "/__fault/"
K_HOLD_POLL_S = 0.01


@dataclasses.dataclass
class FaultConfig:
    """The share (0..1) of matching requests that get each fault; the rest pass intact."""

    slowdown: float = 0.0
    internal: float = 0.0
    throttle: float = 0.0
    reset_before: float = 0.0
    reset_after: float = 0.0
    slow: float = 0.0
    truncate: float = 0.0
    bad_request: float = 0.0
    deny: float = 0.0
    wrong_region: float = 0.0
    bucket_region: str = "eu-west-1"  # the region a `wrong_region` answer names
    slow_delay: float = 0.5  # seconds an answer is held back by a `slow` fault
    seed: int = 1
    match: str = ""  # regex searched in "METHOD /path?query"; empty: every request
    # While true, matching requests are held (after being counted, before their fault or
    # forwarding) until it is set back to false: a test can do something while the client
    # waits, for exactly as long as that takes.
    hold: bool = False
    match_target: str = ""  # regex searched in the X-Amz-Target header (JSON APIs); empty: any

    @classmethod
    def even(cls, rate: float, **overrides) -> "FaultConfig":
        """`rate` spread evenly over the transient fault kinds."""
        shares = {kind: rate / len(TRANSIENT_KINDS) for kind in TRANSIENT_KINDS}
        shares.update(overrides)
        return cls(**shares)

    def total(self) -> float:
        return sum(getattr(self, kind) for kind in FAULT_KINDS)

    def validate(self) -> None:
        for kind in FAULT_KINDS:
            if not 0.0 <= getattr(self, kind) <= 1.0:
                raise ValueError(f"share of {kind} must be within 0..1")
        if self.total() > 1.0 + 1e-9:
            raise ValueError(f"fault shares add up to {self.total():.3f}, more than 1")
        if self.slow_delay < 0:
            raise ValueError("slow_delay must not be negative")
        re.compile(self.match)
        re.compile(self.match_target)


# ------------------------------------------------------------------------------------------
# Requests as the proxy sees them


@dataclasses.dataclass
class Request:
    head: bytes  # request line + headers, up to and including the blank line
    body: bytes
    method: str
    target: str  # path?query exactly as sent
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str:
        lowered = name.lower()
        return next((v for n, v in self.headers if n.lower() == lowered), "")

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> dict[str, str]:
        query = self.target.split("?", 1)[1] if "?" in self.target else ""
        return dict(urllib.parse.parse_qsl(query, keep_blank_values=True))

    @property
    def is_json_api(self) -> bool:
        """DynamoDB and SQS (JSON protocol) name the operation in X-Amz-Target."""
        return bool(self.header("X-Amz-Target"))

    def wants_close(self) -> bool:
        return self.header("Connection").lower() == "close"


def parse_head(head: bytes) -> tuple[str, str, list[tuple[str, str]]]:
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise ValueError(f"bad request line {lines[0]!r}")
    headers = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return parts[0], parts[1], headers


def describe_operation(request: Request) -> dict:
    """What the request does, in AWS terms: {"operation", "bucket", "key"} or {"operation",
    "target"}; used for counting calls per operation and resource."""
    target = request.header("X-Amz-Target")
    if target:
        record = {"operation": target.rsplit(".", 1)[-1], "target": target}
        try:
            body = json.loads(request.body or b"{}")
            for field in ("TableName", "QueueUrl"):
                if isinstance(body, dict) and field in body:
                    record["resource"] = body[field]
        except ValueError:
            pass
        return record
    parts = request.path.lstrip("/").split("/", 1)
    bucket = urllib.parse.unquote(parts[0])
    key = urllib.parse.unquote(parts[1]) if len(parts) > 1 else ""
    record = {"operation": s3_operation(request, bucket, key), "bucket": bucket, "key": key}
    if record["operation"] == "DeleteObjects":
        record["keys"] = delete_request_keys(request.body)
    return record


def delete_request_keys(body: bytes) -> list[str]:
    """The keys a DeleteObjects request names ([] when its body is not XML)."""
    try:
        return [element.text or "" for element in ElementTree.fromstring(body).iter()
                if element.tag.rsplit("}", 1)[-1] == "Key"]
    except ElementTree.ParseError:
        return []


def s3_operation(request: Request, bucket: str, key: str) -> str:
    method, query = request.method, request.query
    if not bucket:
        return "ListBuckets" if method == "GET" else f"{method} /"
    if key:
        if method == "PUT":
            return "CopyObject" if request.header("x-amz-copy-source") else "PutObject"
        return {"GET": "GetObject", "HEAD": "HeadObject", "DELETE": "DeleteObject"}.get(
            method, f"{method} object")
    if method == "POST" and "delete" in query:
        return "DeleteObjects"
    if method == "GET":
        return "ListObjectsV2" if query.get("list-type") == "2" else "ListObjects"
    return {"HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(
        method, f"{method} bucket")


# ------------------------------------------------------------------------------------------
# Canned error answers


def s3_error(status: int, reason: str, code: str, message: str, request_id: str) -> bytes:
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>").encode()
    return http_answer(status, reason, "application/xml", body, request_id)


def json_error(status: int, reason: str, error_type: str, message: str,
               request_id: str) -> bytes:
    body = json.dumps({"__type": error_type, "message": message}).encode()
    return http_answer(status, reason, "application/x-amz-json-1.0", body, request_id)


def http_answer(status: int, reason: str, content_type: str, body: bytes,
                request_id: str, extra_headers: str = "") -> bytes:
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nx-amz-request-id: {request_id}\r\n"
            f"x-amzn-RequestId: {request_id}\r\n{extra_headers}\r\n")
    return head.encode() + body


def wrong_region(request: Request, request_id: str, bucket_region: str) -> bytes:
    """S3's answer for a bucket in another region (a HEAD answer announces no body)."""
    header = f"x-amz-bucket-region: {bucket_region}\r\n"
    if request.method == "HEAD":
        return (f"HTTP/1.1 301 Moved Permanently\r\nContent-Length: 0\r\n"
                f"x-amz-request-id: {request_id}\r\n{header}\r\n").encode()
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PermanentRedirect</Code>'
            "<Message>The bucket you are attempting to access must be addressed using the "
            "specified endpoint. Please send all future requests to this endpoint.</Message>"
            f"<RequestId>{request_id}</RequestId></Error>").encode()
    return http_answer(301, "Moved Permanently", "application/xml", body, request_id, header)


def canned_error(kind: str, request: Request, request_id: str, sequence: int) -> bytes:
    dynamodb = request.header("X-Amz-Target").startswith("DynamoDB")
    if kind == "slowdown":
        if request.is_json_api:
            return json_error(503, "Service Unavailable", "ServiceUnavailable",
                              "Service is unable to handle request.", request_id)
        return s3_error(503, "Slow Down", "SlowDown", "Please reduce your request rate.",
                        request_id)
    if kind == "internal":
        if request.is_json_api:
            return json_error(500, "Internal Server Error",
                              "com.amazonaws.dynamodb.v20120810#InternalServerError"
                              if dynamodb else "InternalFailure",
                              "Internal server error", request_id)
        return s3_error(500, "Internal Server Error", "InternalError",
                        "We encountered an internal error. Please try again.", request_id)
    if kind == "deny":
        return denial(request, request_id)
    if kind == "bad_request":
        if request.is_json_api:
            return json_error(400, "Bad Request", "com.amazonaws.dynamodb.v20120810#"
                              "ValidationException" if dynamodb else "ValidationException",
                              "Injected permanent validation error", request_id)
        return s3_error(400, "Bad Request", "InvalidArgument",
                        "Injected permanent error for this request", request_id)
    # throttle
    if request.is_json_api:
        if dynamodb and sequence % 2 == 0:
            error_type = "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"
        else:
            error_type = ("com.amazonaws.dynamodb.v20120810#ThrottlingException" if dynamodb
                          else "ThrottlingException")
        return json_error(400, "Bad Request", error_type, "Rate of requests exceeds the "
                          "allowed throughput.", request_id)
    return s3_error(429, "Too Many Requests", "TooManyRequests",
                    "Please reduce your request rate.", request_id)


def denial(request: Request, request_id: str) -> bytes:
    if request.is_json_api:
        return json_error(400, "Bad Request", "AccessDeniedException",
                          "User is not authorized to perform this action", request_id)
    if request.method == "POST" and "delete" in request.query:
        keys = delete_request_keys(request.body)
        errors = "".join(f"<Error><Key>{xml_escape(key)}</Key><Code>AccessDenied</Code>"
                         "<Message>Access Denied</Message></Error>" for key in keys)
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.'
                f'amazonaws.com/doc/2006-03-01/">{errors}</DeleteResult>').encode()
        return http_answer(200, "OK", "application/xml", body, request_id)
    return s3_error(403, "Forbidden", "AccessDenied", "Access Denied", request_id)


# ------------------------------------------------------------------------------------------
# The proxy


class Stats:
    """What the proxy did; read and reset from any thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.forwarded = 0
            self.injected = collections.Counter()
            self.calls = collections.Counter()  # operation -> requests
            self.faults_by_operation = collections.Counter()
            self.records: list[dict] = []

    def record(self, record: dict) -> None:
        with self._lock:
            self.requests += 1
            self.calls[record["operation"]] += 1
            if record["fault"]:
                self.injected[record["fault"]] += 1
                self.faults_by_operation[record["operation"]] += 1
            self.records.append(record)

    def count_forwarded(self, record: dict, answer_bytes: int) -> None:
        """The request of `record` was forwarded, and its answer's body had that many bytes
        (kept in the record as answer_bytes)."""
        with self._lock:
            self.forwarded += 1
            record["answer_bytes"] = answer_bytes

    def snapshot(self) -> dict:
        with self._lock:
            return {"requests": self.requests, "forwarded": self.forwarded,
                    "injected": {k: self.injected.get(k, 0) for k in FAULT_KINDS},
                    "injected_total": sum(self.injected.values()),
                    "calls": dict(self.calls),
                    "faults_by_operation": dict(self.faults_by_operation)}

    def log(self) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self.records]


class FaultProxy:
    """The proxy; use as a context manager (background thread) or `serve_forever()`."""

    def __init__(self, upstream: str, config: FaultConfig | None = None, port: int = 0,
                 host: str = "127.0.0.1"):
        parsed = urllib.parse.urlsplit(upstream)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"upstream must be http://host:port, got {upstream!r}")
        self.upstream_host = parsed.hostname
        self.upstream_port = parsed.port or 80
        self.host = host
        self.port = port
        self.config = config or FaultConfig()
        self.config.validate()
        self.stats = Stats()
        self._rng = random.Random(self.config.seed)
        self._decide_lock = threading.Lock()
        self._sequence = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None
        self._clients: set[asyncio.StreamWriter] = set()

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- configuration and results, callable from any thread

    def configure(self, **changes) -> None:
        """Changes FaultConfig fields; a new `seed` restarts the random sequence."""
        with self._decide_lock:
            updated = dataclasses.replace(self.config, **changes)
            updated.validate()
            self.config = updated
            if "seed" in changes:
                self._rng = random.Random(updated.seed)

    def log(self) -> list[dict]:
        return self.stats.log()

    def snapshot(self) -> dict:
        return self.stats.snapshot()

    def _matches(self, config: FaultConfig, request: Request) -> bool:
        if config.match and not re.search(config.match, f"{request.method} {request.target}"):
            return False
        return not config.match_target or bool(re.search(config.match_target,
                                                         request.header("X-Amz-Target")))

    def _held(self, request: Request) -> bool:
        config = self.config
        return config.hold and self._matches(config, request)

    def _decide(self, request: Request) -> tuple[str, int]:
        """The fault for this request ("" for none) and its sequence number."""
        with self._decide_lock:
            self._sequence += 1
            config = self.config
            if not self._matches(config, request):
                return "", self._sequence
            draw = self._rng.random()
            edge = 0.0
            for kind in FAULT_KINDS:
                edge += getattr(config, kind)
                if draw < edge:
                    return kind, self._sequence
            return "", self._sequence

    # --- life cycle

    async def _start(self) -> None:
        self._stopped = asyncio.Event()
        self._server = await asyncio.start_server(self._serve_client, self.host, self.port,
                                                  limit=K_STREAM_LIMIT)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _run(self) -> None:
        await self._start()
        self._ready.set()
        await self._stopped.wait()
        await self._shut_down()

    async def _shut_down(self) -> None:
        self._server.close()
        for writer in list(self._clients):
            writer.transport.abort()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> "FaultProxy":
        self._thread = threading.Thread(target=self._thread_main, name="fault-proxy",
                                        daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fault proxy did not start")
        return self

    def _thread_main(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._run())
        finally:
            self._loop.close()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self._loop and self._stopped and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread:
            self._thread.join(10)

    def serve_forever(self, on_ready) -> None:
        """Runs on this thread until SIGINT/SIGTERM; `on_ready()` once listening."""
        async def main():
            await self._start()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, self._stopped.set)
            on_ready()
            await self._stopped.wait()
            await self._shut_down()

        asyncio.run(main())

    # --- one client connection

    async def _serve_client(self, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> None:
        self._clients.add(writer)
        try:
            while True:
                request = await read_request(reader, writer)
                if request is None:
                    break
                keep_open = await self._handle(request, writer)
                if not keep_open or request.wants_close():
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError,
                asyncio.LimitOverrunError, asyncio.TimeoutError):
            pass
        except asyncio.CancelledError:
            pass  # shutting down; returning normally keeps Python 3.11's stream callback quiet
        finally:
            self._clients.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _handle(self, request: Request, writer: asyncio.StreamWriter) -> bool:
        """Answers one request; False when the connection must not be used again."""
        if request.path.startswith(K_CONTROL_PREFIX):
            writer.write(self._control(request))
            await writer.drain()
            return True
        fault, sequence = self._decide(request)
        if fault == "truncate" and request.method == "HEAD":
            fault = "reset_after"  # a HEAD answer has no body to cut short
        record = describe_operation(request)
        record.update(method=request.method, sequence=sequence, fault=fault)
        self.stats.record(record)
        request_id = f"FAULTPROXY{sequence:08d}"
        while self._held(request):
            await asyncio.sleep(K_HOLD_POLL_S)

        if fault == "wrong_region":
            writer.write(wrong_region(request, request_id, self.config.bucket_region))
            await writer.drain()
            return True
        if fault in ("slowdown", "internal", "throttle", "bad_request", "deny"):
            writer.write(canned_error(fault, request, request_id, sequence))
            await writer.drain()
            return True
        if fault == "reset_before":
            reset(writer)
            return False
        if fault == "slow":
            await asyncio.sleep(self.config.slow_delay)
        answer = await self._forward(request)
        self.stats.count_forwarded(record, len(answer.body))
        if fault == "reset_after":
            reset(writer)
            return False
        if fault == "truncate":
            writer.write(answer.truncated())
            await writer.drain()
            writer.close()
            return False
        writer.write(answer.to_bytes())
        await writer.drain()
        return True

    async def _forward(self, request: Request) -> "Answer":
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.upstream_host, self.upstream_port,
                                    limit=K_STREAM_LIMIT), K_UPSTREAM_TIMEOUT_S)
        try:
            writer.write(with_connection_close(request.head) + request.body)
            await writer.drain()
            return await asyncio.wait_for(read_answer(reader, request.method),
                                          K_UPSTREAM_TIMEOUT_S)
        finally:
            writer.close()

    def _control(self, request: Request) -> bytes:
        command = request.path[len(K_CONTROL_PREFIX):]
        try:
            if command == "stats":
                payload = self.snapshot()
            elif command == "log":
                payload = self.log()
            elif command == "config" and request.method == "POST":
                self.configure(**json.loads(request.body or b"{}"))
                payload = dataclasses.asdict(self.config)
            elif command == "reset" and request.method == "POST":
                self.stats.reset()
                payload = {"reset": True}
            else:
                return http_answer(404, "Not Found", "application/json",
                                   b'{"error":"unknown control command"}', "control")
        except (TypeError, ValueError) as error:
            body = json.dumps({"error": str(error)}).encode()
            return http_answer(400, "Bad Request", "application/json", body, "control")
        return http_answer(200, "OK", "application/json", json.dumps(payload).encode(),
                           "control")


def reset(writer: asyncio.StreamWriter) -> None:
    """Closes with an RST, as a crashed server or a dropped connection would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


def without_header(head: bytes, lowered_name: bytes) -> bytes:
    lines = head[:-4].split(b"\r\n")
    kept = [lines[0]] + [line for line in lines[1:]
                         if line.split(b":", 1)[0].strip().lower() != lowered_name]
    return b"\r\n".join(kept) + b"\r\n\r\n"


def with_connection_close(head: bytes) -> bytes:
    """The request head with its Connection header (hop-by-hop, never signed) set to close,
    so that one upstream connection carries one request."""
    return without_header(head, b"connection")[:-2] + b"Connection: close\r\n\r\n"


async def read_request(reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter) -> Request | None:
    """The next request on a client connection, or None at a clean end of stream."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        if error.partial.strip():
            raise
        return None
    if len(head) > K_MAX_HEAD_BYTES:
        raise ValueError("request head too large")
    method, target, headers = parse_head(head)
    request = Request(head, b"", method, target, headers)
    if request.header("Expect").lower() == "100-continue":
        # Answered here, so the client sends its body at once; Expect is never signed.
        request.head = without_header(head, b"expect")
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()
    if request.header("Transfer-Encoding").lower() == "chunked":
        request.body = await read_chunked(reader, keep_framing=True)
    else:
        length = int(request.header("Content-Length") or 0)
        request.body = await reader.readexactly(length) if length else b""
    return request


async def read_chunked(reader: asyncio.StreamReader, keep_framing: bool) -> bytes:
    """A chunked body: the raw bytes (to forward as is) or the decoded payload."""
    raw, payload = bytearray(), bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        raw += size_line
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while True:  # trailers up to the blank line
                line = await reader.readuntil(b"\r\n")
                raw += line
                if line == b"\r\n":
                    return bytes(raw if keep_framing else payload)
        chunk = await reader.readexactly(size + 2)
        raw += chunk
        payload += chunk[:-2]


@dataclasses.dataclass
class Answer:
    """An upstream answer, its body decoded from whatever framing it came in."""

    status_line: bytes
    headers: list[bytes]  # raw header lines minus framing and connection headers
    body: bytes
    head_only: bool  # answer to HEAD (or 1xx/204/304): Content-Length is kept, no body
    original_length: bytes | None  # the upstream Content-Length line of a head-only answer

    def _head(self, content_length: int | None) -> bytes:
        lines = [self.status_line] + self.headers
        if self.head_only:
            if self.original_length is not None:
                lines.append(self.original_length)
        else:
            lines.append(b"Content-Length: %d" % content_length)
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def to_bytes(self) -> bytes:
        return self._head(len(self.body)) + (b"" if self.head_only else self.body)

    def truncated(self) -> bytes:
        """Announces more than it sends: half the body, and a Content-Length past its end."""
        return self._head(len(self.body) + 1 + len(self.body) // 2) + \
            self.body[: len(self.body) // 2]


async def read_answer(reader: asyncio.StreamReader, method: str) -> Answer:
    while True:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        status = int(lines[0].split(b" ")[1])
        if not 100 <= status < 200:
            break
    framing = {}
    kept = []
    for line in lines[1:]:
        name = line.split(b":", 1)[0].strip().lower()
        if name in (b"content-length", b"transfer-encoding", b"connection", b"keep-alive"):
            framing[name] = line
        else:
            kept.append(line)
    head_only = method == "HEAD" or status in (204, 304)
    if head_only:
        body = b""
    elif b"transfer-encoding" in framing and b"chunked" in framing[b"transfer-encoding"].lower():
        body = await read_chunked(reader, keep_framing=False)
    elif b"content-length" in framing:
        body = await reader.readexactly(int(framing[b"content-length"].split(b":", 1)[1]))
    else:
        body = await reader.read()
    return Answer(lines[0], kept, body, head_only, framing.get(b"content-length"))


# ------------------------------------------------------------------------------------------
# Command line


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, FaultConfig]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="http://host:port of the real server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.0,
                        help="total share of faulty answers, spread evenly over the "
                        "transient kinds")
    for kind in FAULT_KINDS:
        parser.add_argument("--" + kind.replace("_", "-"), type=float, default=None,
                            help=f"share of {kind} faults (overrides --rate's share)")
    parser.add_argument("--slow-delay", type=float, default=0.5, help="seconds")
    parser.add_argument("--match", default="", help='regex on "METHOD /path?query"')
    args = parser.parse_args(argv)
    overrides = {k: getattr(args, k) for k in FAULT_KINDS if getattr(args, k) is not None}
    config = FaultConfig.even(args.rate, seed=args.seed, slow_delay=args.slow_delay,
                              match=args.match, **overrides)
    try:
        config.validate()
    except ValueError as error:
        parser.error(str(error))
    return args, config


def main(argv: list[str]) -> int:
    args, config = parse_args(argv)
    proxy = FaultProxy(args.upstream, config, port=args.port, host=args.host)

    def ready():
        print(f"fault-proxy listening on {proxy.endpoint}", flush=True)

    proxy.serve_forever(ready)
    print(json.dumps(proxy.snapshot(), indent=1, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
