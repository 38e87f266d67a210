"""The production shape on one machine: nginx terminating TLS in front of two gunicorn nodes.

`make bench` measures LearnLoop in this shape and the fault test
`tests/faults/test_two_app_nodes.py` stops one node of it under load; both start it from here,
so what is measured and what is tested are the same thing. docs/scaling.md describes it as the
way to grow past one machine: the two nodes could as well be two machines.

    browser --HTTPS--> nginx :port --HTTP--> gunicorn node A (127.0.0.1:a)
                                       \\--> gunicorn node B (127.0.0.1:b)

nginx balances the nodes round robin and fails over passively: a request that meets a refused
connection, a timeout or a 502 from one node is sent again to the other
(`proxy_next_upstream error timeout http_502`), and a node that keeps failing is left out for
a few seconds (`max_fails`, `fail_timeout`). Sessions live in the database and Redis, so either
node can serve anyone.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/bin/nginx")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_binary() -> str | None:
    """Debian's nginx, or None when it is not installed (scripts/test.sh and `make bench`
    install it with apt-get first)."""
    found = shutil.which("nginx")
    if found:
        return found
    return next((path for path in NGINX_CANDIDATES if os.access(path, os.X_OK)), None)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made with openssl, valid for a day."""
    cert, key = folder / "tls.crt", folder / "tls.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    key.chmod(0o600)
    return cert, key


def nginx_config(folder: Path, port: int, nodes: list[int], cert: Path, key: Path) -> Path:
    """Write nginx.conf for HTTPS on `port` in front of the gunicorn `nodes` (ports)."""
    servers = "\n".join(
        f"        server 127.0.0.1:{node} max_fails=1 fail_timeout=5s;" for node in nodes
    )
    temp = folder / "temp"
    temp.mkdir(exist_ok=True)
    text = f"""
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    client_max_body_size 3m;
    upstream learnloop {{
{servers}
        keepalive 32;
        # Idle connections to a node are dropped by nginx before the node drops them
        # (gunicorn's --keep-alive below is longer): otherwise nginx may send a request down
        # a connection the node is closing, and a POST, which nginx must not send twice,
        # fails with 502.
        keepalive_timeout 4s;
    }}
    server {{
        listen 127.0.0.1:{port} ssl http2;
        server_name localhost;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:tls:1m;
        location / {{
            proxy_pass http://learnloop;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            proxy_next_upstream error timeout http_502;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""
    path = folder / "nginx.conf"
    path.write_text(text)
    return path


def production_env(database_url: str, base_url: str, redis_url: str | None = None, **extra):
    """LEARNLOOP_ENV=production with every setting production insists on: secure `__Host-`
    cookies, HSTS, the proxy's X-Forwarded-* headers trusted from one hop (nginx)."""
    from cryptography.fernet import Fernet

    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_URL"}}
    env.update(
        LEARNLOOP_ENV="production",
        DATABASE_URL=database_url,
        APP_BASE_URL=base_url,
        SECRET_KEY="shape-" + os.urandom(24).hex(),
        TOTP_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        TRUSTED_PROXIES="1",
        FLASK_APP="wsgi",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


# Longer than nginx's keepalive_timeout for its upstream connections (see nginx_conf).
NODE_KEEP_ALIVE_SECONDS = 10


def start_gunicorn(
    env: dict, port: int, *, workers: int = 2, threads: int = 4, log: Path | None = None
) -> subprocess.Popen:
    """One app node: gunicorn with gthread workers on 127.0.0.1:`port` (its own session, so
    stopping it stops its workers and nothing else)."""
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (the node keeps it)
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers),
         "--worker-class", "gthread", "--threads", str(threads),
         "--keep-alive", str(NODE_KEEP_ALIVE_SECONDS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True,
    )  # fmt: skip


def wait_until_answers(url: str, timeout: float = 60, context: ssl.SSLContext | None = None):
    """Poll `url` until it answers 200; raise if it never does."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3, context=context) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError) as error:
            last = error
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s ({last})")


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20):
    """Stop a process we started (and its own process group: gunicorn's workers)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class Shape:
    """A running shape: the HTTPS address, the certificate to trust, and the app nodes."""

    base: str
    cert: Path
    folder: Path
    nodes: list[subprocess.Popen] = field(default_factory=list)
    node_ports: list[int] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def node_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.node_ports[index]}"


@contextmanager
def production_shape(
    folder: Path,
    database_url: str,
    *,
    redis_url: str | None = None,
    nodes: int = 2,
    workers: int = 1,
    threads: int = 4,
    extra_env: dict | None = None,
):
    """Start nginx (TLS) in front of `nodes` gunicorn nodes; yield a Shape; stop them all."""
    nginx = nginx_binary()
    if nginx is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)  # nginx's workers (nobody) read nothing here but must pass through
    cert, key = self_signed_certificate(folder)
    port = free_port()
    base = f"https://127.0.0.1:{port}"
    env = production_env(database_url, base, redis_url, **(extra_env or {}))
    ports = [free_port() for _ in range(nodes)]
    shape = Shape(base=base, cert=cert, folder=folder, node_ports=ports)
    with ExitStack() as stack:
        for index, node_port in enumerate(ports):
            process = start_gunicorn(
                env, node_port, workers=workers, threads=threads,
                log=folder / f"node-{index}.log",
            )  # fmt: skip
            stack.callback(stop_process, process)
            shape.nodes.append(process)
        for node_port in ports:
            wait_until_answers(f"http://127.0.0.1:{node_port}/healthz")
        config = nginx_config(folder, port, ports, cert, key)
        shape.nginx = subprocess.Popen(
            [nginx, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config),
             "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=open(folder / "nginx.out", "ab"),  # noqa: SIM115
            start_new_session=True,
        )  # fmt: skip
        stack.callback(stop_process, shape.nginx, signal.SIGQUIT)
        wait_until_answers(base + "/healthz", context=shape.ssl_context())
        yield shape
