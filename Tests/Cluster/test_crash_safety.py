"""kill -9 of Varco in the middle of a login load, on SQLite and on PostgreSQL: after a restart, every login whose
answer reached the browser is still there: its session works, its credential change (the TOTP step and last login
it recorded) and its audit entry are stored, and the SQLite file passes integrity_check.

Also: SIGTERM under load stops the server cleanly (status 0, the store closed after the requests drained)."""

import json
import signal
import sqlite3
import time

import pytest

from logins import LoginLoad, make_credentials, register_sp, sso_reuse
from topology import PgServer, VarcoNode, Workspace, free_ports, poll


@pytest.fixture(params=["sqlite", "postgres"])
def node(request):
    workspace = Workspace()
    server = None
    node = None
    try:
        database = None
        if request.param == "postgres":
            server = PgServer(workspace.path / "pg").start()
            server.psql("CREATE DATABASE varco")
            database = f"postgres://postgres@127.0.0.1:{server.port}/varco?sslmode=disable"
        (port,) = free_ports(1)
        node = VarcoNode(f"crash-{request.param}", workspace.path, port, f"https://127.0.0.1:{port}", database)
        node.server = server
        node.workspace = workspace.path
        yield node.start()
    finally:
        if node:
            node.stop()
        if server:
            server.stop("immediate")
        workspace.remove()


def stored_credential(node, otp_id: str) -> dict:
    if node.server:
        return json.loads(node.server.psql(f"SELECT json::text FROM otp_credentials WHERE id = '{otp_id}'", "varco"))
    with sqlite3.connect(node.data_dir / "varco.sqlite") as db:
        return json.loads(db.execute("SELECT json FROM otp_credentials WHERE id = ?", (otp_id,)).fetchone()[0])


def audited_logins(node, cf: str) -> int:
    if node.server:
        return int(node.server.psql(f"SELECT count(*) FROM audit WHERE kind = 'loginSucceeded' AND subject = '{cf}'", "varco"))
    with sqlite3.connect(node.data_dir / "varco.sqlite") as db:
        return db.execute("SELECT count(*) FROM audit WHERE kind = 'loginSucceeded' AND subject = ?", (cf,)).fetchone()[0]


def test_kill_during_logins_loses_nothing_committed(node):
    destination = node.public_url + "/sso"
    issuer = register_sp(node, node.workspace, "https://crash-sp.example.it/metadata")
    credentials = make_credentials(node, 30, offset=100)
    load = LoginLoad(node.port, issuer, credentials, destination).start()
    try:
        poll("logins before the kill", lambda: load.completed() >= 8, 120)
        node.kill()
    finally:
        load.stop()
    committed = [o for o in load.outcomes if o.ok]
    print(f"\n{node.name}: {load.summary('load until kill -9')}")
    assert len(committed) >= 8

    node.start()
    for outcome in committed:
        assert sso_reuse(node.port, issuer, outcome.cookies, "after-restart", destination), \
            f"the session of {outcome.credential.otp_id} is gone"
        credential = stored_credential(node, outcome.credential.otp_id)
        assert credential.get("lastTOTPStep") is not None and credential.get("lastLogin") is not None, \
            f"the credential change of {outcome.credential.otp_id} is gone"
        assert audited_logins(node, outcome.credential.cf) >= 1, f"the audit entry of {outcome.credential.cf} is gone"
    if not node.server:
        node.stop()
        with sqlite3.connect(node.data_dir / "varco.sqlite") as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_sigterm_drains_requests_and_exits(node):
    destination = node.public_url + "/sso"
    issuer = register_sp(node, node.workspace, "https://drain-sp.example.it/metadata")
    credentials = make_credentials(node, 12, offset=200)
    load = LoginLoad(node.port, issuer, credentials, destination).start()
    try:
        poll("logins before SIGTERM", lambda: load.completed() >= 3, 120)
        node.proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        poll("the node exits", lambda: node.proc.poll() is not None, 30)
        print(f"\n{node.name}: exited {node.proc.returncode} {time.monotonic() - started:.1f} s after SIGTERM")
    finally:
        load.stop()
    assert node.proc.returncode == 0, node.log_tail()
    assert "Varco stopped: requests drained, closing the store" in node.log_tail()
    # Every answer the stopping server gave was a whole one: a login either went on or found the door closed
    # (connection refused or closed between requests), never an error page or a 5xx from a half-stopped server.
    errors = [o for o in load.outcomes if not o.ok and not o.reason.startswith("connection")]
    assert not errors, [o.reason for o in errors]
