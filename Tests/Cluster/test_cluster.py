"""Two Varco nodes behind nginx (round robin, no stickiness) on a PostgreSQL primary with a streaming standby.

Under a running login load: kill -9 one node (every login started afterwards succeeds through the other), then
stop the primary and promote the standby (Varco finds the new primary by itself; the time until logins succeed
again is reported and bounded). A session made on one node is honoured by the other, and a node with other
signing keys is refused at start."""

import time

import pytest

from logins import LoginLoad, login, make_credentials, register_sp, sso_reuse
from topology import Topology, poll

# Logins must work again this soon after the standby is promoted.
RESUME_BOUND_SECONDS = 30.0


@pytest.fixture
def cluster():
    topology = Topology()
    try:
        yield topology.start()
    finally:
        topology.stop()


def test_node_kill_and_database_promotion_under_load(cluster):
    a, b, c, nginx = cluster.a, cluster.b, cluster.c, cluster.nginx
    primary, standby = cluster.primary, cluster.standby
    destination = cluster.public_url + "/sso"
    issuer = register_sp(a, cluster.workspace.path, "https://cluster-sp.example.it/metadata")
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
