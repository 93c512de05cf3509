"""AgID's spid-sp-test 1.2.18 against a live Varco acting as a SPID and a CIE service provider.

Varco is started with the explicit test setting `--spid-test-idp-metadata` (and its CIE twin) naming
the metadata of spid-sp-test's own fake identity provider, exported with `spid_sp_test --idp-metadata`.
Then the tool checks Varco's SPID metadata, the AuthnRequest behind `/spid/login?idp=...`, and posts
its 111 crafted responses to the AssertionConsumerService (`--profile spid-sp-public --extra -tr`);
the same for CIE (`--profile cie-sp-public`). Every check must pass. Each negative response must end in
an HTTP error page with no session and an audit entry; the tool checks the status, this file the rest.

spid-sp-test lives in its own virtualenv (.venv-spid, made by scripts/setup-deps): its pins clash
with the suite's.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from harness import REPO_ROOT, Varco, free_ports, varco_binary

TOOL = REPO_ROOT / ".venv-spid" / "bin" / "spid_sp_test"
FAKE_IDP = "https://localhost:8443"


def tool_env(varco: Varco | None = None) -> dict[str, str]:
    """spid-sp-test fetches the login URL without TLS checks but posts its responses with them: it
    must trust Varco's self-signed certificate (and only that), through requests' CA bundle variable."""
    drop = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "IDP_ENTITYID", "IDP_CERT_PATH")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    if varco is not None:
        env["REQUESTS_CA_BUNDLE"] = str(varco.data_dir / "tls.crt.pem")
    return env


@pytest.fixture(scope="module")
def spid_varco(tmp_path_factory, request) -> Varco:
    if not TOOL.exists():
        pytest.fail("spid-sp-test is missing: run scripts/setup-deps (it creates .venv-spid)", pytrace=False)
    base = tmp_path_factory.mktemp("spid")
    exported = subprocess.run([str(TOOL), "--idp-metadata"], capture_output=True, text=True, env=tool_env(), timeout=120)
    assert exported.returncode == 0, exported.stderr
    idp_metadata = base / "spid-sp-test-idp.xml"
    idp_metadata.write_text(exported.stdout)
    last = None
    for attempt in range(3):
        port, demo_port = free_ports(2)
        data_dir = base / f"data-{attempt}"
        data_dir.mkdir()
        server = Varco(varco_binary(), data_dir, port, base / f"server-{attempt}.log", demo_sp_port=demo_port,
                       extra_args=("--spid-test-idp-metadata", str(idp_metadata),
                                   "--cie-test-idp-metadata", str(idp_metadata)))
        request.addfinalizer(server.stop)
        try:
            server.start(300, 0.2, 120)
        except RuntimeError as e:
            server.stop()
            last = e
            if "in use" in server.log_tail().lower():
                continue
            raise
        return server
    raise RuntimeError(f"could not start varco: {last}")


def run_tool(varco: Varco, kind: str, profile: str, out: Path) -> tuple[int, dict, str]:
    report = out / f"{kind}-report.json"
    cmd = [
        str(TOOL),
        "--metadata-url", f"{varco.base_url}/{kind}/metadata",
        "--authn-url", f"{varco.base_url}/{kind}/login?idp={FAKE_IDP}",
        "--profile", profile, "--extra", "-tr",
        "--debug", "ERROR", "-rf", "json", "-o", str(report),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, env=tool_env(varco), timeout=600, cwd=out)
    data = json.loads(report.read_text()) if report.exists() else {}
    return done.returncode, data, done.stdout + done.stderr


def failures(report: dict) -> list[str]:
    """Every failed check in a spid-sp-test JSON report, as 'section: test: message'."""
    failed = []

    def walk(node, path):
        if isinstance(node, dict):
            if "result" in node and node.get("result") not in ("success", True):
                failed.append(f"{path}: {node.get('test') or node.get('description') or ''} {node.get('value') or ''}".strip())
                return
            for key, value in node.items():
                walk(value, f"{path}/{key}" if path else key)
        elif isinstance(node, list):
            for item in node:
                walk(item, path)

    walk(report, "")
    return failed


def count_checks(report: dict) -> int:
    total = 0

    def walk(node):
        nonlocal total
        if isinstance(node, dict):
            if "result" in node:
                total += 1
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(report)
    return total


def counts(varco: Varco) -> dict[str, int]:
    """Archived upstream responses (accepted, refused), SSO sessions and refused-login audit entries."""
    db = sqlite3.connect(f"file:{varco.data_dir / 'varco.sqlite'}?mode=ro", uri=True)
    try:
        one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "accepted": one("SELECT COUNT(*) FROM upstream_responses WHERE json LIKE '%\"outcome\":\"accepted\"%'"),
            "refused": one("SELECT COUNT(*) FROM upstream_responses WHERE json NOT LIKE '%\"outcome\":\"accepted\"%'"),
            "sessions": one("SELECT COUNT(*) FROM sessions"),
            "audit_refused": one("SELECT COUNT(*) FROM audit WHERE kind = 'loginFailed' AND json LIKE '%response refused%'"),
        }
    finally:
        db.close()


@pytest.mark.parametrize(("kind", "profile"), [("spid", "spid-sp-public"), ("cie", "cie-sp-public")])
def test_spid_sp_test_reports_no_failure(spid_varco, tmp_path, kind, profile):
    before = counts(spid_varco)
    code, report, output = run_tool(spid_varco, kind, profile, tmp_path)
    failed = failures(report)
    print(f"spid-sp-test {profile}: {count_checks(report)} checks, {len(failed)} failed")
    assert report, "spid-sp-test wrote no report:\n" + output[-4000:]
    assert code == 0 and not failed, "spid-sp-test failures:\n" + "\n".join(failed) + "\n" + output[-4000:]
    after = {k: after_v - before[k] for k, after_v in counts(spid_varco).items()}
    responses = report["test"]["sp"]["response"]["SpidSpResponseCheck"]
    # Every response was archived; the refused ones (the negative cases) left an audit entry and no session:
    # sessions were created only by accepted responses.
    assert after["accepted"] + after["refused"] == len(responses)
    assert after["refused"] >= 100 and after["audit_refused"] == after["refused"]
    assert after["sessions"] == after["accepted"]


SCC = REPO_ROOT / ".venv-spid" / "bin" / "spid-compliant-certificates"


@pytest.mark.parametrize("kind", ["spid", "cie"])
def test_generated_certificate_passes_agid_validator(tmp_path, kind):
    """`varco spid certificate` makes a certificate that AgID's spid-compliant-certificates accepts (public sector)."""
    made = subprocess.run(
        [str(varco_binary()), "spid", "certificate", "--kind", kind, "--data-dir", str(tmp_path / "data"),
         "--public-url", "https://login.regione.example"],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    cert = tmp_path / "sp.crt.pem"
    cert.write_text(made.stdout)
    checked = subprocess.run([str(SCC), "validator", "--sector", "public", "--crt-file", str(cert)],
                             capture_output=True, text=True, timeout=120, env=tool_env())
    report = checked.stdout + checked.stderr
    # The validator exits 0 even when checks fail: each failure is a line tagged E (in red).
    errors = [line for line in report.splitlines() if "\x1b[31mE" in line or line.startswith("[E]")]
    assert checked.returncode == 0 and not errors, "\n".join(errors) or report[-4000:]
    assert "policy 1.3.76.16.4.2.1 must be present (now: True)" in report
