"""Processes of a Varco deployment on loopback ports: PostgreSQL servers (scripts/pg-server), Varco nodes and
nginx. Every process is started by these helpers and stopped by them, also when a test fails."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
import helper  # noqa: E402  (bench/helper.py: AuthnRequests, TOTP codes, codici fiscali, SP metadata)

# Files every node must share (see docs/cluster.md); the TLS pair is copied too, so nginx trusts one certificate.
KEY_FILES = ["saml-signing.key.pem", "saml-signing.crt.pem", "oidc-rs256.key.pem", "oidc-es256.key.pem", "pairwise.secret",
             "tls.key.pem", "tls.crt.pem"]


def free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def poll(what: str, condition, timeout: float = 60.0, interval: float = 0.1):
    """Calls `condition` until it returns something true, which is returned; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # the condition may fail while a process starts
            last = error
        time.sleep(interval)
    raise AssertionError(f"gave up waiting: {what} (last error: {last!r})")


def varco_binary() -> Path:
    path = Path(os.environ.get("VARCO_BIN", REPO / ".build" / "debug" / "varco"))
    if not path.exists():
        subprocess.run(["swift", "build", "--product", "varco"], cwd=REPO, check=True)
    return path


def https_status(port: int, path: str = "/metadata", timeout: float = 2.0) -> int:
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=helper.tls_context(), timeout=timeout)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


class Workspace:
    """A temporary directory readable by the 'postgres' user (PostgreSQL runs as that user under root)."""

    def __init__(self):
        self.path = Path(tempfile.mkdtemp(prefix="varco-cluster-"))
        os.chmod(self.path, 0o755)

    def remove(self):
        shutil.rmtree(self.path, ignore_errors=True)


class PgServer:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = 0

    def _run(self, *args: str) -> str:
        result = subprocess.run([str(REPO / "scripts" / "pg-server"), *args], capture_output=True, text=True, timeout=180)
        if result.returncode != 0:
            raise RuntimeError(f"pg-server {' '.join(args)} failed: {result.stderr}\n{self.log_tail()}")
        return result.stdout.strip()

    def start(self, port: int | None = None) -> "PgServer":
        self._run("start", str(self.directory), *([str(port)] if port else []))
        self.port = int((self.directory / "port").read_text())
        return self

    def start_standby(self, primary: "PgServer") -> "PgServer":
        self._run("start-standby", str(self.directory), str(primary.port))
        self.port = int((self.directory / "port").read_text())
        return self

    def promote(self):
        self._run("promote", str(self.directory))

    def stop(self, mode: str = "fast"):
        self._run("stop", str(self.directory), mode)

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(["psql", "-X", "-A", "-t", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                                 "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr}")
        return result.stdout.strip()

    def log_tail(self, limit: int = 3000) -> str:
        log = self.directory / "server.log"
        return log.read_text(errors="replace")[-limit:] if log.exists() else ""


class VarcoNode:
    def __init__(self, name: str, workspace: Path, port: int, public_url: str, database: str | None):
        self.name = name
        self.data_dir = workspace / name
        self.data_dir.mkdir(exist_ok=True)
        self.port = port
        self.public_url = public_url
        self.database = database
        self.log_path = workspace / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict:
        env = dict(os.environ)
        env.pop("VARCO_DATABASE", None)
        if self.database:
            env["VARCO_DATABASE"] = self.database
        return env

    def launch(self, *extra: str) -> subprocess.Popen:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(varco_binary()), "serve", "--data-dir", str(self.data_dir), "--port", str(self.port),
             "--public-url", self.public_url, *extra],
            cwd=REPO, env=self.env(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return self.proc

    def start(self, *extra: str, timeout: float = 120) -> "VarcoNode":
        self.launch(*extra)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 120):
        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}\n{self.log_tail()}")
            return https_status(self.port) == 200
        try:
            poll(f"{self.name} answers", ready, timeout)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.log_tail()}") from None

    def kill(self):
        """kill -9: no chance to finish anything."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def cli(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run([str(varco_binary()), *args, "--data-dir", str(self.data_dir)], cwd=REPO, env=self.env(),
                                input=stdin, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise AssertionError(f"varco {' '.join(args)} exited {result.returncode}: {result.stderr}{result.stdout}")
        return result.stdout

    def copy_keys_to(self, other: "VarcoNode"):
        for name in KEY_FILES:
            shutil.copy2(self.data_dir / name, other.data_dir / name)

    def log_tail(self, limit: int = 4000) -> str:
        try:
            return f"--- {self.name} log ---\n" + self.log_path.read_text(errors="replace")[-limit:]
        except OSError:
            return f"(no log for {self.name})"


class Nginx:
    """Round robin over the nodes, no stickiness, TLS with the nodes' certificate. A node that refuses connections
    is skipped (a request not yet sent may go to the next node, even a POST)."""

    def __init__(self, workspace: Path, port: int, nodes: list[VarcoNode], certificate: Path, key: Path):
        self.directory = workspace / "nginx"
        self.directory.mkdir(exist_ok=True)
        self.port = port
        servers = "\n".join(f"        server 127.0.0.1:{node.port} max_fails=1 fail_timeout=5s;" for node in nodes)
        d = self.directory
        user = "user root root;" if os.geteuid() == 0 else ""
        (d / "nginx.conf").write_text(f"""
{user}
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    upstream varco {{
{servers}
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {certificate};
        ssl_certificate_key {key};
        location / {{
            proxy_pass https://varco;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto https;
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
        }}
    }}
}}
""")
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        log = open(self.directory / "stderr.log", "ab")
        self.proc = subprocess.Popen(["nginx", "-c", str(self.directory / "nginx.conf"), "-p", str(self.directory)],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        poll("nginx answers", lambda: https_status(self.port) == 200, 30)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


class Topology:
    """Two Varco nodes behind nginx on a PostgreSQL primary with a streaming-replication standby, all on loopback
    ports in one temporary directory. `start()` brings everything up (node B gets node A's key files); `stop()`
    stops whatever was started, in reverse order, and removes the directory."""

    def __init__(self, demo: bool = False):
        self.workspace = Workspace()
        self.primary = PgServer(self.workspace.path / "pg-primary")
        self.standby = PgServer(self.workspace.path / "pg-standby")
        self.nodes: list[VarcoNode] = []
        self.nginx: Nginx | None = None
        self.demo = demo

    def start(self) -> "Topology":
        self.primary.start()
        self.primary.psql("CREATE DATABASE varco")
        self.standby.start_standby(self.primary)
        port_a, port_b, port_c, port_nginx, port_demo = free_ports(5)
        self.public_url = f"https://127.0.0.1:{port_nginx}"
        self.database_url = (f"postgres://postgres@127.0.0.1:{self.primary.port},127.0.0.1:{self.standby.port}/varco"
                             "?target_session_attrs=read-write&sslmode=disable&connect_timeout=2&operation_timeout=3")
        self.a = VarcoNode("node-a", self.workspace.path, port_a, self.public_url, self.database_url)
        self.b = VarcoNode("node-b", self.workspace.path, port_b, self.public_url, self.database_url)
        # A third node, not started here, for tests of a node with other keys.
        self.c = VarcoNode("node-c", self.workspace.path, port_c, self.public_url, self.database_url)
        self.nodes = [self.a, self.b, self.c]
        self.a.start(*(["--demo", "--demo-sp-port", str(port_demo)] if self.demo else []))
        self.a.copy_keys_to(self.b)
        self.b.start()
        self.nginx = Nginx(self.workspace.path, port_nginx, [self.a, self.b],
                           self.a.data_dir / "tls.crt.pem", self.a.data_dir / "tls.key.pem").start()
        self.demo_port = port_demo
        return self

    def stop(self):
        if self.nginx:
            self.nginx.stop()
        for node in self.nodes:
            node.stop()
        for server in (self.standby, self.primary):
            try:
                server.stop("immediate")
            except Exception:
                pass
        self.workspace.remove()


def _interrupt(*_):
    raise KeyboardInterrupt


def main():
    """scripts/cluster: start the topology, print where everything is, stop it all on Ctrl-C or SIGTERM."""
    topology = Topology(demo="--demo" in sys.argv)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        topology.start()
        print(f"Varco (through nginx, round robin): {topology.public_url}/")
        print(f"  node A https://127.0.0.1:{topology.a.port}   node B https://127.0.0.1:{topology.b.port}")
        print(f"  PostgreSQL primary 127.0.0.1:{topology.primary.port}, standby 127.0.0.1:{topology.standby.port}")
        print(f"  VARCO_DATABASE='{topology.database_url}'")
        if topology.demo:
            print(f"  demo services (on node A): http://127.0.0.1:{topology.demo_port}/fse/")
        print(f"  logs and data: {topology.workspace.path}   Ctrl-C stops everything")
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        topology.stop()


if __name__ == "__main__":
    main()
