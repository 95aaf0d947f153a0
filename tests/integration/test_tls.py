"""TLS peers are verified (issue 6, security): an HTTPS endpoint whose certificate no trusted
authority signed ends the run with exit 1 and a message naming the bucket and the certificate
problem, after no request was taken, and it is not retried as if it were a network hiccup.

The server is Python's own HTTPS server with a self-signed certificate made by the openssl
command for this test; it answers every request with an empty bucket listing, so a consumer
that skipped verification would start consuming (and this test would see exit 0 at the idle
timeout instead)."""

import http.server
import ssl
import subprocess
import threading
import unittest

import wc_harness as h

K_EMPTY_LISTING = (b'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult>'
                   b"<Name>wc-req</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>"
                   b"</ListBucketResult>")


class EmptyBucketHandler(http.server.BaseHTTPRequestHandler):
    def answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):  # noqa: N802 (http.server's naming)
        self.answer(b"")

    def do_GET(self):  # noqa: N802
        self.answer(K_EMPTY_LISTING)

    def log_message(self, *args):
        pass


class SelfSignedEndpoint(h.ConsumerTestCase):
    def setUp(self):
        self.work = self.workdir()
        cert, key = self.work.root / "cert.pem", self.work.root / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=60)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EmptyBucketHandler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.endpoint = f"https://127.0.0.1:{self.server.server_address[1]}"

    def test_a_self_signed_certificate_is_refused_with_exit_1_naming_the_bucket(self):
        result = h.run_consumer(
            ["-rb", "wc-req", "--widgets-dir", self.work.root / "store", *h.idle_timeout_args(),
             "--endpoint-url", self.endpoint] + self.work.log_dir_args(),
            self.work, h.consumer_env(self.work), timeout=60)

        self.assert_exit(result, 1)
        self.assertIn("wc-req", result.output)
        self.assertRegex(result.output.lower(), r"certificate",
                         "the message should say the certificate was the problem")
        self.assertNotRegex(result.output, r"(?i)retrying",
                            "a certificate problem is not transient: no retries")


if __name__ == "__main__":
    unittest.main()
