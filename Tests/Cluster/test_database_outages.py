"""The database out of reach: at start Varco says so and keeps trying (no crash loop), and starts serving as soon
as PostgreSQL is there; lost while running, requests get a 503 page (nothing half-issued) and work again once it is
back, without a restart."""

from logins import make_credentials, login, register_sp, send_authn_request
from topology import PgServer, VarcoNode, Workspace, free_ports, helper, poll


def test_unreachable_at_start_then_lost_and_back():
    workspace = Workspace()
    server = PgServer(workspace.path / "pg")
    node = None
    try:
        pg_port, port = free_ports(2)
        url = f"postgres://postgres@127.0.0.1:{pg_port}/varco?sslmode=disable&connect_timeout=2&operation_timeout=3"
        node = VarcoNode("outage", workspace.path, port, f"https://127.0.0.1:{port}", url)
        node.launch()
        poll("Varco reports the unreachable database",
             lambda: "PostgreSQL is not reachable yet" in node.log_tail(20000) and node.log_tail(20000).count("Trying again") >= 2, 60)
        assert node.proc.poll() is None, "Varco must wait for the database, not exit"
        assert f"127.0.0.1:{pg_port}" in node.log_tail(), "the message names the server"

        server.start(port=pg_port)
        server.psql("CREATE DATABASE varco")
        node.wait_ready(90)

        destination = node.public_url + "/sso"
        issuer = register_sp(node, workspace.path, "https://outage-sp.example.it/metadata")
        credentials = make_credentials(node, 2, offset=300)
        login(port, issuer, credentials[0], "before", destination)

        # The database goes away while Varco runs: a 503 page, no Response.
        server.stop("immediate")
        browser = helper.Browser(f"https://127.0.0.1:{port}")
        try:
            status, headers, page = send_authn_request(browser, issuer, destination, "during")
        finally:
            browser.connection.close()
        assert status == 503, status
        assert headers.get("Retry-After") == "5"
        assert "SAMLResponse" not in page
        assert "momentaneamente non disponibile" in page

        # Back again: the same process serves logins without a restart.
        server.start()
        poll("logins work again", lambda: _logs_in(port, issuer, credentials[1], destination), 60, interval=0.5)
        assert node.proc.poll() is None
    finally:
        if node:
            node.stop()
        try:
            server.stop("immediate")
        except Exception:
            pass
        workspace.remove()


def _logs_in(port, issuer, credential, destination) -> bool:
    try:
        login(port, issuer, credential, "after", destination)
        return True
    except Exception:
        return False
