"""Two Varco nodes behind nginx (round robin, no stickiness) on a PostgreSQL primary with a streaming standby.

Under a running login load: kill -9 one node (every login started afterwards succeeds through the other), then
stop the primary and promote the standby (Varco finds the new primary by itself; the time until logins succeed
again is reported and bounded). A session made on one node is honoured by the other, and a node with other
signing keys is refused at start."""

import time

import pytest

from logins import LoginLoad, login, make_credentials, register_sp, sso_reuse
from topology import Nginx, PgServer, VarcoNode, Workspace, free_ports, poll

# Logins must work again this soon after the standby is promoted.
RESUME_BOUND_SECONDS = 30.0


@pytest.fixture
def cluster():
    workspace = Workspace()
    primary = PgServer(workspace.path / "pg-primary")
    standby = PgServer(workspace.path / "pg-standby")
    parts = {"primary": primary, "standby": standby, "nodes": [], "nginx": None, "workspace": workspace.path}
    try:
        primary.start()
        primary.psql("CREATE DATABASE varco")
        standby.start_standby(primary)
        port_a, port_b, port_c, port_nginx = free_ports(4)
        public = f"https://127.0.0.1:{port_nginx}"
        url = (f"postgres://postgres@127.0.0.1:{primary.port},127.0.0.1:{standby.port}/varco"
               "?target_session_attrs=read-write&sslmode=disable&connect_timeout=2&operation_timeout=3")
        node_a = VarcoNode("node-a", workspace.path, port_a, public, url)
        node_b = VarcoNode("node-b", workspace.path, port_b, public, url)
        node_c = VarcoNode("node-c", workspace.path, port_c, public, url)
        parts["nodes"] = [node_a, node_b, node_c]
        node_a.start()
        node_a.copy_keys_to(node_b)
        node_b.start()
        nginx = Nginx(workspace.path, port_nginx, [node_a, node_b], node_a.data_dir / "tls.crt.pem", node_a.data_dir / "tls.key.pem")
        parts["nginx"] = nginx.start()
        parts.update(url=url, public=public, a=node_a, b=node_b, c=node_c)
        yield parts
    finally:
        if parts["nginx"]:
            parts["nginx"].stop()
        for node in parts["nodes"]:
            node.stop()
        for server in (standby, primary):
            try:
                server.stop("immediate")
            except Exception:
                pass
        workspace.remove()


def test_node_kill_and_database_promotion_under_load(cluster):
    a, b, c, nginx = cluster["a"], cluster["b"], cluster["c"], cluster["nginx"]
    primary, standby = cluster["primary"], cluster["standby"]
    destination = cluster["public"] + "/sso"
    issuer = register_sp(a, cluster["workspace"], "https://cluster-sp.example.it/metadata")
    credentials = make_credentials(a, 70, offset=0)

    # A node with keys of its own is refused, saying what to do.
    c.launch()
    poll("node-c exits", lambda: c.proc.poll() is not None, 60)
    assert c.proc.returncode != 0
    assert "differ from the key set recorded in the database" in c.log_tail()

    # A session made on node A is honoured by node B.
    cookies = login(a.port, issuer, credentials.pop(), "on-a", destination)
    assert sso_reuse(b.port, issuer, cookies, "on-b", destination), "node B did not honour node A's session"

    # What the standby must have before the primary goes: everything so far.
    poll("the standby replayed everything", lambda: primary.psql(
        "SELECT count(*) FROM pg_stat_replication WHERE replay_lsn = pg_current_wal_lsn()") == "1", 60)

    load = LoginLoad(nginx.port, issuer, credentials, destination).start()
    try:
        poll("logins before the kill", lambda: load.completed() >= 5, 120)
        killed_at = time.monotonic()
        a.kill()
        poll("logins after the kill", lambda: len(load.since(killed_at)) >= 10, 180)
        after_kill = load.since(killed_at)
        failed = [o for o in after_kill if not o.ok]
        print(f"\nafter kill -9 of node A: started {len(after_kill)}, succeeded {len(after_kill) - len(failed)}, failed {len(failed)}")
        assert not failed, f"logins started after the kill failed: {[o.reason for o in failed]}"

        # Database failover: the primary stops at once, the standby is promoted.
        primary.stop("immediate")
        standby.promote()
        promoted_at = time.monotonic()
        first = poll("a login succeeds after the promotion",
                     lambda: next((o for o in load.since(promoted_at) if o.ok), None), RESUME_BOUND_SECONDS + 30)
        resumed_after = first.ended - promoted_at
        print(f"logins resumed {resumed_after:.1f} s after the promotion")
        poll("logins after the resumption", lambda: len(load.since(first.started)) >= 6, 180)
        after_resume = load.since(first.started)
        failed_after_resume = [o for o in after_resume if not o.ok]
        print(f"after the resumption: started {len(after_resume)}, succeeded {len(after_resume) - len(failed_after_resume)}, "
              f"failed {len(failed_after_resume)}")
        assert resumed_after <= RESUME_BOUND_SECONDS
        assert not failed_after_resume, [o.reason for o in failed_after_resume]
    finally:
        load.stop()
        print(load.summary("whole load"))
    # The session made before both failovers still works on the survivor, now on the promoted database.
    assert sso_reuse(b.port, issuer, cookies, "after-failover", destination)
