"""Loopback stand-ins for the places temporary AWS credentials come from, for the
test_credentials_* modules.

Every stand-in hands out real session keys of a signature-checking moto (minted with moto's
AssumeRole by `KeyMint`), but announces its own, short expiry (whole seconds, `lifetime` from
now) and registers each key with an `ExpiryCheckingProxy`. The consumer reaches moto only
through that proxy, which refuses (and records) any request signed with a registered key at or
after the key's announced expiry: so a run proves that no call used an expired key.

  * ExpiryCheckingProxy: forwards everything to moto unchanged (Host included, so signatures
    still match); STS AssumeRole answers passing through it get a short expiry too.
  * ContainerEndpoint: the ECS/EKS agent (AWS_CONTAINER_CREDENTIALS_FULL_URI), checking the
    Authorization token.
  * InstanceMetadata: IMDSv2 (token PUT, role name, credentials, region), or IMDSv1 only.
  * SsoPortal: GetRoleCredentials for one bearer token.
  * WebIdentitySts: AssumeRoleWithWebIdentity for the token currently in a file.
  * MintEndpoint: credential_process's backend (credential_process_client.py prints its JSON).

Each counts what it served (`fetches`) and can be told to fail from some fetch on
(`fail_from`).
"""

from __future__ import annotations

import calendar
import http.client
import http.server
import json
import math
import re
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

import boto3

K_REGION = "us-east-1"


def iso(epoch_seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_seconds))


def expiry_in(lifetime: int) -> int:
    """An expiry in whole seconds, at least `lifetime` seconds from now."""
    return math.ceil(time.time()) + lifetime


@dataclass
class Issued:
    key_id: str
    secret: str
    token: str
    expiration: int  # epoch seconds


class KeyMint:
    """Session keys of moto's role `role_name` (allowed everything), one new set per call."""

    def __init__(self, moto_endpoint: str, admin_key: tuple[str, str], role_name: str):
        self.moto_endpoint = moto_endpoint
        self.role_arn = f"arn:aws:iam::123456789012:role/{role_name}"
        kwargs = dict(endpoint_url=moto_endpoint, region_name=K_REGION,
                      aws_access_key_id=admin_key[0], aws_secret_access_key=admin_key[1])
        self._sts = boto3.client("sts", **kwargs)
        self._lock = threading.Lock()
        self._count = 0

    def mint(self, lifetime: int) -> Issued:
        with self._lock:
            self._count += 1
            number = self._count
        answer = self._sts.assume_role(RoleArn=self.role_arn,
                                       RoleSessionName=f"stand-in-{number}")["Credentials"]
        return Issued(answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"],
                      expiry_in(lifetime))


# --------------------------------------------------------------------------------------------
# The proxy in front of moto

_CREDENTIAL_RE = re.compile(r"Credential=([^/]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


@dataclass
class SignedRequest:
    key_id: str
    region: str
    service: str
    signed_at: int  # epoch seconds, from X-Amz-Date
    path: str


class ExpiryCheckingProxy:
    """Forwards requests to moto, refusing any signed with a key past its announced expiry.

    `violations` lists such requests; `requests` every signed request seen (key, region,
    service, signing time); `sts_calls` the form of every STS call that went through.
    `sts_lifetime`: when set, AssumeRole answers are rewritten to expire that many seconds from
    now (moto's own sessions last an hour) and their keys registered.
    """

    def __init__(self, moto_endpoint: str, sts_lifetime: int | None = None):
        parsed = urllib.parse.urlsplit(moto_endpoint)
        self._moto = (parsed.hostname, parsed.port)
        self.sts_lifetime = sts_lifetime
        self._lock = threading.Lock()
        self._expiry: dict[str, int] = {}
        self.violations: list[SignedRequest] = []
        self.requests: list[SignedRequest] = []
        self.sts_calls: list[dict[str, str]] = []
        self._server = _start_server(self._handle)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def register(self, issued: Issued) -> None:
        with self._lock:
            self._expiry[issued.key_id] = issued.expiration

    def keys_used(self) -> list[str]:
        """Registered keys that signed at least one request, in first-use order."""
        with self._lock:
            seen: list[str] = []
            for request in self.requests:
                if request.key_id in self._expiry and request.key_id not in seen:
                    seen.append(request.key_id)
            return seen

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _check(self, handler) -> SignedRequest | None:
        match = _CREDENTIAL_RE.search(handler.headers.get("Authorization", ""))
        amz_date = handler.headers.get("X-Amz-Date", "")
        if not match or not amz_date:
            return None
        signed_at = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
        request = SignedRequest(match.group(1), match.group(2), match.group(3), signed_at,
                                handler.path)
        with self._lock:
            self.requests.append(request)
            expiry = self._expiry.get(request.key_id)
            if expiry is not None and signed_at >= expiry:
                self.violations.append(request)
                return request
        return None

    def _handle(self, handler) -> None:
        body = handler.read_body()
        expired = self._check(handler)
        if expired is not None:
            _refuse_expired(handler, expired.service)
            return
        form = {}
        if handler.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            form = dict(urllib.parse.parse_qsl(body.decode()))
            if "Action" in form:
                with self._lock:
                    self.sts_calls.append(form)
        connection = http.client.HTTPConnection(*self._moto, timeout=60)
        try:
            connection.putrequest(handler.command, handler.path, skip_host=True,
                                  skip_accept_encoding=True)
            for name, value in handler.headers.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            data = response.read()
            headers = response.getheaders()
        finally:
            connection.close()
        if form.get("Action") == "AssumeRole" and response.status == 200 and self.sts_lifetime:
            data = self._shorten(data)
        handler.relay(response.status, headers, data)

    def _shorten(self, data: bytes) -> bytes:
        text = data.decode()
        key_id = re.search(r"<AccessKeyId>([^<]+)</AccessKeyId>", text).group(1)
        expiration = expiry_in(self.sts_lifetime)
        self.register(Issued(key_id, "", "", expiration))
        return re.sub(r"<Expiration>[^<]+</Expiration>",
                      f"<Expiration>{iso(expiration)}</Expiration>", text).encode()


def _refuse_expired(handler, service: str) -> None:
    """What AWS answers for an expired session token, in the service's own format."""
    if service == "dynamodb":
        body = json.dumps({"__type": "com.amazon.coral.service#ExpiredTokenException",
                           "message": "The security token included in the request is expired"})
        handler.reply(400, body, "application/x-amz-json-1.0")
    else:
        handler.reply(400, "<Error><Code>ExpiredToken</Code><Message>The provided token has "
                      "expired.</Message></Error>", "application/xml")


# --------------------------------------------------------------------------------------------
# Servers


class _Handler(http.server.BaseHTTPRequestHandler):
    """Hands every request to the server's `route` callable."""

    protocol_version = "HTTP/1.0"

    def log_message(self, *args) -> None:  # quiet
        pass

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def reply(self, status: int, body: str | bytes = b"", content_type: str = "text/plain",
              headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def relay(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        self.send_response_only(status)
        length = None
        for name, value in headers:
            lower = name.lower()
            if lower in ("connection", "transfer-encoding", "keep-alive"):
                continue
            if lower == "content-length":
                length = value
                continue
            self.send_header(name, value)
        self.send_header("Content-Length", length if self.command == "HEAD" and length
                         else str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _dispatch(self) -> None:
        try:
            self.server.route(self)
        except Exception as error:  # a stand-in bug must show up, not hang the consumer
            self.reply(500, f"stand-in failed: {error!r}")

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _dispatch


def _start_server(route) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.route = route
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class StandIn:
    """What every credentials stand-in shares: the mint, the proxy, a fetch count, failures."""

    mint: KeyMint
    proxy: ExpiryCheckingProxy
    lifetime: int = 2
    fail_from: int | None = None  # fetch number (1-based) from which it answers 500
    fetches: int = 0
    issued: list[Issued] = field(default_factory=list)
    issued_at: list[float] = field(default_factory=list)  # time.time() of each set handed out

    def __post_init__(self):
        self._lock = threading.Lock()
        self._server = _start_server(self.route)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def issue(self) -> Issued | None:
        """A new registered set, or None when told to fail now."""
        with self._lock:
            self.fetches += 1
            if self.fail_from is not None and self.fetches >= self.fail_from:
                return None
        issued = self.mint.mint(self.lifetime)
        self.proxy.register(issued)
        with self._lock:
            self.issued.append(issued)
            self.issued_at.append(time.time())
        return issued

    def renewed_in_time(self) -> bool:
        """Every set after the first was fetched before the one it replaced expired."""
        with self._lock:
            return all(at < previous.expiration
                       for at, previous in zip(self.issued_at[1:], self.issued))

    def route(self, handler) -> None:
        raise NotImplementedError


@dataclass
class ContainerEndpoint(StandIn):
    """GET /creds with `Authorization: <token>` (when a token is set) -> the ECS JSON."""

    token: str | None = None

    @property
    def url(self) -> str:
        return self.base_url + "/v1/credentials"

    def route(self, handler) -> None:
        if self.token is not None and handler.headers.get("Authorization") != self.token:
            handler.reply(401, '{"Message":"bad authorization token"}', "application/json")
            return
        issued = self.issue()
        if issued is None:
            handler.reply(500, "agent down")
            return
        handler.reply(200, json.dumps({
            "AccessKeyId": issued.key_id, "SecretAccessKey": issued.secret,
            "Token": issued.token, "Expiration": iso(issued.expiration),
            "RoleArn": self.mint.role_arn}), "application/json")


@dataclass
class InstanceMetadata(StandIn):
    """IMDSv2: PUT /latest/api/token, then GETs carrying the token. `v1_only`: the token call
    is refused with 403 and GETs need no token, as on an instance that predates IMDSv2."""

    role: str = "wc-instance-role"
    region: str = K_REGION
    v1_only: bool = False
    token_puts: int = 0
    region_reads: int = 0

    def __post_init__(self):
        self._tokens: set[str] = set()
        super().__post_init__()

    def route(self, handler) -> None:
        path = handler.path
        if handler.command == "PUT" and path == "/latest/api/token":
            self.token_puts += 1
            if self.v1_only:
                handler.reply(403, "Forbidden")
            elif not handler.headers.get("x-aws-ec2-metadata-token-ttl-seconds"):
                handler.reply(400, "Missing TTL")
            else:
                token = secrets.token_urlsafe(16)
                self._tokens.add(token)
                handler.reply(200, token)
            return
        if not self.v1_only and handler.headers.get("x-aws-ec2-metadata-token") not in self._tokens:
            handler.reply(401, "Unauthorized")
            return
        prefix = "/latest/meta-data/iam/security-credentials/"
        if path == "/latest/meta-data/placement/region":
            self.region_reads += 1
            handler.reply(200, self.region)
        elif path == prefix:
            handler.reply(200, self.role)
        elif path == prefix + self.role:
            issued = self.issue()
            if issued is None:
                handler.reply(500, "Internal Server Error")
                return
            handler.reply(200, json.dumps({
                "Code": "Success", "LastUpdated": iso(int(time.time())), "Type": "AWS-HMAC",
                "AccessKeyId": issued.key_id, "SecretAccessKey": issued.secret,
                "Token": issued.token, "Expiration": iso(issued.expiration)}))
        else:
            handler.reply(404, "Not Found")


@dataclass
class SsoPortal(StandIn):
    """GET /federation/credentials?account_id=&role_name= for one bearer token."""

    bearer: str = ""
    account_id: str = "123456789012"
    role_name: str = "WidgetConsumer"

    def route(self, handler) -> None:
        url = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if handler.headers.get("x-amz-sso_bearer_token") != self.bearer:
            handler.reply(401, '{"message":"Session token not found or invalid"}',
                          "application/json",
                          {"x-amzn-ErrorType": "UnauthorizedException:http://internal/"})
            return
        if url.path != "/federation/credentials" or query != {
                "account_id": self.account_id, "role_name": self.role_name}:
            handler.reply(403, '{"message":"No access"}', "application/json",
                          {"x-amzn-ErrorType": "ForbiddenException:http://internal/"})
            return
        issued = self.issue()
        if issued is None:
            handler.reply(500, '{"message":"portal down"}', "application/json")
            return
        handler.reply(200, json.dumps({"roleCredentials": {
            "accessKeyId": issued.key_id, "secretAccessKey": issued.secret,
            "sessionToken": issued.token, "expiration": issued.expiration * 1000}}),
            "application/json")


@dataclass
class WebIdentitySts(StandIn):
    """AssumeRoleWithWebIdentity, unsigned, for the token currently in `token_file`."""

    token_file: str = ""
    role_arn: str = ""
    calls: list[dict[str, str]] = field(default_factory=list)

    def route(self, handler) -> None:
        form = dict(urllib.parse.parse_qsl(handler.read_body().decode()))
        self.calls.append(form)
        with open(self.token_file) as file:
            current = file.read().strip()
        if form.get("Action") != "AssumeRoleWithWebIdentity" or "Authorization" in handler.headers:
            self._error(handler, 400, "InvalidAction", "only unsigned AssumeRoleWithWebIdentity")
        elif form.get("WebIdentityToken") != current:
            self._error(handler, 400, "InvalidIdentityToken", "the token is not the current one")
        elif form.get("RoleArn") != self.role_arn or not form.get("RoleSessionName"):
            self._error(handler, 403, "AccessDenied", "not authorized for this role")
        else:
            issued = self.issue()
            if issued is None:
                self._error(handler, 503, "ServiceUnavailable", "STS is down")
                return
            handler.reply(200, (
                "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"
                f"<Credentials><AccessKeyId>{issued.key_id}</AccessKeyId>"
                f"<SecretAccessKey>{issued.secret}</SecretAccessKey>"
                f"<SessionToken>{issued.token}</SessionToken>"
                f"<Expiration>{iso(issued.expiration)}</Expiration></Credentials>"
                "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"),
                "text/xml")

    @staticmethod
    def _error(handler, status: int, code: str, message: str) -> None:
        handler.reply(status, f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                      f"<Message>{message}</Message></Error></ErrorResponse>", "text/xml")


@dataclass
class MintEndpoint(StandIn):
    """GET /mint -> credential_process's JSON (Version 1)."""

    def route(self, handler) -> None:
        issued = self.issue()
        if issued is None:
            handler.reply(500, "mint down")
            return
        handler.reply(200, json.dumps({
            "Version": 1, "AccessKeyId": issued.key_id, "SecretAccessKey": issued.secret,
            "SessionToken": issued.token, "Expiration": iso(issued.expiration)}),
            "application/json")
