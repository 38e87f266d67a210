"""A push service on 127.0.0.1 for tests, and a browser's side of a push subscription.

`LocalPushService` receives what the app sends, as a real push service (FCM, Mozilla's,
Apple's) would, and answers with the statuses a test queues. `BrowserKeys` is what a browser
makes when it subscribes: an EC P-256 key pair and a 16-byte auth secret; it decrypts what
arrived (RFC 8291, aes128gcm) with the private key, which never leaves the test.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalPushService:
    """A threaded HTTP server; `answers` are the statuses to give, in order (then 201)."""

    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def start(self) -> LocalPushService:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server name)
                length = int(self.headers.get("Content-Length") or 0)
                service.received.append(
                    Received(
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        self.rfile.read(length),
                    )
                )
                status = service.answers.pop(0) if service.answers else 201
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def endpoint(self, name: str = "device") -> str:
        return f"http://127.0.0.1:{self.port}/push/{name}"


class BrowserKeys:
    """The keys a browser makes for one push subscription."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.p256dh = b64encode(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def subscription(self, endpoint: str) -> dict:
        """What PushSubscription.toJSON() gives the page."""
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": b64encode(self.auth)}}

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def verified_vapid_claims(authorization: str) -> tuple[dict, str]:
    """Check the VAPID JWT's ES256 signature against the key sent beside it (RFC 8292);
    return its claims and that key. Raises InvalidSignature when it does not verify."""
    match = re.fullmatch(r"vapid t=([^,\s]+),\s*k=([^,\s]+)", authorization.strip())
    if not match:
        raise InvalidSignature(f"not a VAPID authorization: {authorization!r}")
    token, key = match.groups()
    header, claims, signature = token.split(".")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(key))
    raw = b64decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    assert json.loads(b64decode(header))["alg"] == "ES256"
    return json.loads(b64decode(claims)), key
