"""S3 behaviours our client relies on, checked against a benchmark server.

Each check returns (name, what S3 does, what the server did, same-as-S3). The last check runs
widget-consumer itself against the server, so it covers our client's requests as sent
(path-style addressing, ListObjectsV2 paging, DeleteObjects with Content-MD5, If-None-Match).
"""

import base64
import hashlib
import json
import re
import urllib.error
import urllib.request

import botocore.auth
import botocore.awsrequest
import botocore.credentials

import measure
from servers import aws_environment

BUCKET = "compat"


def signed(server, method, path, body=b"", headers=None):
    """Sends one SigV4-signed request; returns (status, body text)."""
    env = aws_environment()
    # urllib would call any body a form (x-www-form-urlencoded), which servers then parse.
    headers = {"Content-Type": "application/octet-stream", **(headers or {})}
    request = botocore.awsrequest.AWSRequest(method=method, url=server.endpoint + path,
                                             data=body, headers=headers)
    credentials = botocore.credentials.Credentials(env["AWS_ACCESS_KEY_ID"],
                                                   env["AWS_SECRET_ACCESS_KEY"])
    botocore.auth.S3SigV4Auth(credentials, "s3", env["AWS_REGION"]).add_auth(request)
    prepared = request.prepare()
    http = urllib.request.Request(prepared.url, data=body or None, method=method,
                                  headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(http, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def error_code(text):
    match = re.search(r"<Code>([^<]*)</Code>", text)
    return match.group(1) if match else "-"


def check_list_order(server):
    keys = ["a", "B", "_", "0", "~"]
    for key in keys:
        signed(server, "PUT", f"/{BUCKET}/order/{key}", b"x")
    status, text = signed(server, "GET", f"/{BUCKET}?list-type=2&prefix=order/")
    listed = [k.removeprefix("order/") for k in re.findall(r"<Key>([^<]*)</Key>", text)]
    expected = sorted(keys)  # byte order, as S3 lists
    return ("ListObjectsV2 key order", " ".join(expected), " ".join(listed) or f"HTTP {status}",
            listed == expected)


def check_list_start_after(server):
    status, text = signed(server, "GET",
                          f"/{BUCKET}?list-type=2&prefix=order/&start-after=order/B&max-keys=2")
    listed = [k.removeprefix("order/") for k in re.findall(r"<Key>([^<]*)</Key>", text)]
    truncated = "<IsTruncated>true</IsTruncated>" in text
    expected = sorted(k for k in ["a", "B", "_", "0", "~"] if k > "B")[:2]
    observed = f"{' '.join(listed)}, truncated={truncated}" if status == 200 else f"HTTP {status}"
    return ("ListObjectsV2 start-after + max-keys=2", f"{' '.join(expected)}, truncated=True",
            observed, listed == expected and truncated)


def check_if_none_match(server):
    signed(server, "PUT", f"/{BUCKET}/exists", b"first")
    status, text = signed(server, "PUT", f"/{BUCKET}/exists", b"second",
                          {"If-None-Match": "*"})
    _, stored = signed(server, "GET", f"/{BUCKET}/exists")
    observed = f"HTTP {status} {error_code(text)}, object now '{stored}'"
    return ("PutObject If-None-Match: * on an existing key",
            "HTTP 412 PreconditionFailed, object unchanged", observed,
            status == 412 and stored == "first")


def delete_objects_body(keys):
    items = "".join(f"<Object><Key>{key}</Key></Object>" for key in keys)
    return f"<Delete><Quiet>true</Quiet>{items}</Delete>".encode()


def check_delete_objects(server, content_md5_ok):
    key = "batch-good" if content_md5_ok else "batch-bad"
    signed(server, "PUT", f"/{BUCKET}/{key}", b"x")
    body = delete_objects_body([key])
    digest = hashlib.md5(body if content_md5_ok else b"other").digest()
    status, text = signed(server, "POST", f"/{BUCKET}?delete", body,
                          {"Content-MD5": base64.b64encode(digest).decode(),
                           "Content-Type": "application/xml"})
    remaining, _ = signed(server, "HEAD", f"/{BUCKET}/{key}")
    observed = f"HTTP {status} {error_code(text)}, object {'kept' if remaining == 200 else 'gone'}"
    if content_md5_ok:
        return ("DeleteObjects with a correct Content-MD5", "HTTP 200, object gone", observed,
                status == 200 and remaining == 404)
    return ("DeleteObjects with a wrong Content-MD5", "HTTP 400 BadDigest, object kept", observed,
            status == 400 and remaining == 200)


def check_missing_key(server):
    status, text = signed(server, "GET", f"/{BUCKET}/never-written")
    head, _ = signed(server, "HEAD", f"/{BUCKET}/never-written")
    observed = f"GET {status} {error_code(text)}, HEAD {head}"
    return ("GetObject / HeadObject of a missing key", "GET 404 NoSuchKey, HEAD 404", observed,
            status == 404 and error_code(text) == "NoSuchKey" and head == 404)


# One widget taken through every outcome; the consumer must report these, in order.
CONSUMER_SCRIPT = [
    ("create", {"label": "one"}, "created"),
    ("create", {"label": "two"}, "replaced"),
    ("update", {"widgetId": "w-none"}, "missing"),
    ("update", {"label": "three"}, "updated"),
    ("delete", {}, "deleted"),
    ("delete", {}, "missing"),
]


def check_consumer(server, work):
    requests = work / "requests"
    requests.mkdir(parents=True, exist_ok=True)
    for number, (kind, fields, _) in enumerate(CONSUMER_SCRIPT):
        request = {"type": kind, "requestId": f"r{number}", "widgetId": "w-compat",
                   "owner": "Compat Check", **fields}
        (requests / f"{1000000000000 + number}").write_text(json.dumps(request))
    row = measure.Row("compat", "directory → S3", 1)
    measure.run_consumer(row, ["--endpoint-url", server.endpoint, "--requests-dir", requests,
                               "-wb", BUCKET], work, len(CONSUMER_SCRIPT))
    log = (work / "consumer.out").read_text()
    # In key order: requests of different widgets may be applied in any order.
    outcomes = [outcome for _, outcome in
                sorted(re.findall(r" INFO (\d{13}) \S+ \S+ (\S+) [\d.]+ ms", log))]
    expected = [outcome for _, _, outcome in CONSUMER_SCRIPT]
    return ("widget-consumer outcomes, in key order (create, create, update of another, missing "
            "widget, update, delete, delete)",
            " ".join(expected), " ".join(outcomes) or "no request lines", outcomes == expected)


def check(server, work):
    """Runs every check against server; returns a list of (name, S3, observed, same)."""
    signed(server, "PUT", f"/{BUCKET}")
    return [check_list_order(server), check_list_start_after(server),
            check_if_none_match(server), check_delete_objects(server, True),
            check_delete_objects(server, False), check_missing_key(server),
            check_consumer(server, work)]
