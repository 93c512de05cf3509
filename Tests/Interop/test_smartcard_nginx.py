"""Interop: smart-card login through Debian's nginx in reverse-proxy mode.

nginx (started by the test on free loopback ports, with its own config, pid and
error log in a temporary directory) runs the server block of
docs/nginx/varco-smartcard.conf, terminates TLS with an optional client
certificate and forwards it to Varco from 127.0.0.2, the only address Varco
trusts for the header. The same header sent by anyone else is ignored, logged
and the attempt refused.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

import cardpki
from cardflow import audit_details, curl, start_login
from harness import REPO_ROOT, Varco, free_ports, stop_process_group, varco_binary
from sps import Pysaml2SP, make_keypair

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY_ADDRESS = "127.0.0.2"


def render_server_block(nginx_port: int, varco_port: int, work: Path, bundle: Path) -> str:
    """The documented server block, pointed at this test's ports and files."""
    text = (REPO_ROOT / "docs" / "nginx" / "varco-smartcard.conf").read_text()
    replacements = {
        "listen 443 ssl;": f"listen 127.0.0.1:{nginx_port} ssl;",
        "/etc/ssl/varco/cns.login.example.crt.pem": str(work / "nginx.crt.pem"),
        "/etc/ssl/varco/cns.login.example.key.pem": str(work / "nginx.key.pem"),
        "/etc/varco/card-issuers.pem": str(bundle),
        "proxy_pass https://127.0.0.1:8443;": f"proxy_pass https://127.0.0.1:{varco_port};",
    }
    for old, new in replacements.items():
        assert old in text, f"docs/nginx/varco-smartcard.conf no longer contains {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    pki = cardpki.build(tmp_path_factory.mktemp("cardpki-nginx"))
    cns = pki.issuers["cns"]
    index = pki.write_ocsp_index(cns, [c for c in pki.cards.values() if c.cert.issuer == cns.cert.subject])
    responder = cardpki.OCSPResponder(pki, cns, index, pki.ocsp_port)
    crls = cardpki.CRLServer(pki.root / "crl", pki.crl_port)
    try:
        yield pki
    finally:
        crls.stop()
        responder.stop()


@pytest.fixture(scope="module")
def proxied(pki, tmp_path_factory, request):
    """Varco in reverse-proxy mode behind a live nginx; yields (varco, nginx_port)."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run scripts/setup-deps", pytrace=False)
    work = tmp_path_factory.mktemp("nginx")
    port, demo_port, nginx_port = free_ports(3)
    trust = work / "trust"
    shutil.copytree(pki.trust_dir, trust)
    bundle = work / "card-issuers.pem"
    bundle.write_bytes(b"".join(p.read_bytes() for p in sorted(trust.glob("*/*.pem"))))
    (work / "data").mkdir()
    server = Varco(varco_binary(), work / "data", port, work / "varco.log", demo_sp_port=demo_port,
                   extra_args=["--card-trust-dir", str(trust), "--card-trusted-proxy", PROXY_ADDRESS,
                               "--card-public-url", f"https://127.0.0.1:{nginx_port}"])  # fmt: skip
    request.addfinalizer(server.stop)
    server.start(300, 0.2, 120)

    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-keyout", str(work / "nginx.key.pem"),
                    "-out", str(work / "nginx.crt.pem")], check=True, capture_output=True)  # fmt: skip
    for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / d).mkdir()
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (work / "nginx.conf").write_text(
        f"""{user}worker_processes 1;
pid {work / 'nginx.pid'};
error_log {work / 'error.log'} info;
events {{ worker_connections 64; }}
http {{
    access_log {work / 'access.log'};
    client_body_temp_path {work / 'client_body'};
    proxy_temp_path {work / 'proxy'};
    fastcgi_temp_path {work / 'fastcgi'};
    uwsgi_temp_path {work / 'uwsgi'};
    scgi_temp_path {work / 'scgi'};
{render_server_block(nginx_port, port, work, bundle)}
}}
"""
    )
    check = subprocess.run([NGINX, "-t", "-p", str(work), "-c", str(work / "nginx.conf"), "-e", str(work / "error.log")],
                           capture_output=True, text=True)  # fmt: skip
    assert check.returncode == 0, f"nginx -t refused the configuration:\n{check.stderr}"
    log = open(work / "nginx.out", "ab")
    proc = subprocess.Popen(
        [NGINX, "-p", str(work), "-c", str(work / "nginx.conf"), "-e", str(work / "error.log"), "-g", "daemon off;"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    request.addfinalizer(lambda: (stop_process_group(proc, grace=5), log.close()))
    cardpki.wait_for_port(nginx_port, proc)
    server.nginx_port = nginx_port
    server.nginx_dir = work
    return server


@pytest.fixture(scope="module")
def sp(proxied, tmp_path_factory) -> Pysaml2SP:
    work = tmp_path_factory.mktemp("sp-nginx")
    key, cert = make_keypair(work, "sp-nginx.test")
    sp = Pysaml2SP(work, "https://sp-nginx.test/metadata", "https://sp-nginx.test/acs", key, cert)
    proxied.add_sp(sp.write_metadata())
    sp.trust_idp(proxied.metadata())
    return sp


def through_nginx(proxied, sp, pki, card_name, relay_state="nginx", headers=None):
    req, browser, card_url = start_login(proxied, sp, relay_state)
    assert card_url.startswith(f"https://127.0.0.1:{proxied.nginx_port}/"), card_url
    card = pki.cards.get(card_name)
    step = curl(card_url, browser, card.cert_path if card else None, card.key_path if card else None, headers=headers)
    return req, browser, card_url, step


@pytest.mark.parametrize("card_name", ["cns_good", "cie_good"])
def test_card_login_through_nginx(proxied, sp, pki, card_name):
    req, _, _, step = through_nginx(proxied, sp, pki, card_name, relay_state=card_name)
    post = step.page.saml_post()
    assert step.status == 200 and post is not None, f"[{step.status}] {step.html[:3000]}"
    _, attrs = sp.process_response(post.saml_response, req.id, card_name)
    assert attrs.get("fiscalNumber") == [f"TINIT-{pki.cards[card_name].cf}"], attrs
    # audited with the citizen's address as nginx forwarded it, not the proxy's own
    entries = [json.loads(detail) for kind, detail in audit_details(proxied.data_dir, "accepted") if kind == "loginSucceeded"]
    mine = [e for e in entries if e.get("subject") == pki.cards[card_name].cf]
    assert mine and mine[0].get("clientAddress") == "127.0.0.1", entries


@pytest.mark.parametrize("card_name,reason", [
    ("cns_revoked", "revoked"), ("cie_revoked", "revoked"), ("cns_expired", "expired"),
    ("cns_signature", "signatureCertificate"), ("cns_wrong_ku", "wrongKeyUsage"), ("cns_invalid_cf", "invalidCodiceFiscale"),
    ("cns_ocsp_down", "revocationUnavailable"),
])  # fmt: skip
def test_bad_card_through_nginx(proxied, sp, pki, card_name, reason):
    _, _, _, step = through_nginx(proxied, sp, pki, card_name)
    assert step.status == 403 and step.reason == reason, f"[{step.status}] {step.html[:2000]}"


def test_no_certificate_through_nginx(proxied, sp, pki):
    _, _, _, step = through_nginx(proxied, sp, pki, "none")
    assert step.status == 403 and step.reason == "noCertificate", step.html[:2000]


def test_client_cannot_inject_the_header_through_nginx(proxied, sp, pki):
    """nginx replaces a client's own ssl-client-cert header: without a card the login is refused."""
    forged = quote(pki.cards["cns_good"].cert_path.read_text().split("-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n")
    _, _, _, step = through_nginx(proxied, sp, pki, "none", headers={"ssl-client-cert": forged})
    assert step.status == 403 and step.reason == "noCertificate", step.html[:2000]


def test_header_from_an_untrusted_address_is_ignored_and_logged(proxied, sp, pki):
    """The header sent straight to Varco (from 127.0.0.1, not the proxy's 127.0.0.2) is refused and audited."""
    forged = quote(pki.cards["cns_good"].cert_path.read_text())
    _, browser, card_url = start_login(proxied, sp, "inject")
    direct = card_url.replace(f"https://127.0.0.1:{proxied.nginx_port}", proxied.base_url)
    step = curl(direct, browser, headers={"ssl-client-cert": forged})
    assert step.status == 403 and step.reason == "untrustedProxyHeader", step.html[:2000]
    assert step.page.saml_post() is None
    entries = audit_details(proxied.data_dir, "untrustedProxyHeader")
    assert entries and entries[0][0] == "loginFailed", entries
    assert "not a configured proxy" in proxied.log_tail()
