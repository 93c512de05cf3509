"""Interop: smart-card login (TS-CNS / CIE) over Varco's own card listener.

A test PKI (cardpki.py) with CNS-like and CIE-like issuers, a real OCSP
responder (`openssl ocsp`) and a CRL over HTTP, all on loopback. curl presents
each card; a pysaml2 SP checks the assertion. Every bad card is refused with
its own reason, an Italian message, an audit entry and no session.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import cardpki
from cardflow import audit_details, curl, start_login
from harness import Varco, free_ports, varco_binary
from sps import Pysaml2SP, make_keypair


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    pki = cardpki.build(tmp_path_factory.mktemp("cardpki"))
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
def card_varco(pki, tmp_path_factory, request):
    """A Varco with smart-card login on its own listener, trusting the test PKI (hard-fail revocation)."""
    base = tmp_path_factory.mktemp("varco-card")
    trust = base / "trust"
    shutil.copytree(pki.trust_dir, trust)
    port, demo_port, card_port = free_ports(3)
    server = Varco(varco_binary(), base / "data", port, base / "server.log", demo_sp_port=demo_port,
                   extra_args=["--card-trust-dir", str(trust), "--card-port", str(card_port)])  # fmt: skip
    (base / "data").mkdir()
    request.addfinalizer(server.stop)
    server.start(300, 0.2, 120)
    server.card_port = card_port
    server.trust = trust
    return server


@pytest.fixture(scope="module")
def sp(card_varco, tmp_path_factory) -> Pysaml2SP:
    work = tmp_path_factory.mktemp("sp-card")
    key, cert = make_keypair(work, "sp-card.test")
    sp = Pysaml2SP(work, "https://sp-card.test/metadata", "https://sp-card.test/acs", key, cert)
    card_varco.add_sp(sp.write_metadata())
    sp.trust_idp(card_varco.metadata())
    return sp


def login_with(card_varco, sp, pki, card_name, relay_state="card"):
    req, browser, card_url = start_login(card_varco, sp, relay_state)
    assert card_url.startswith(f"https://127.0.0.1:{card_varco.card_port}/"), card_url
    card = pki.cards[card_name]
    return req, browser, curl(card_url, browser, card.cert_path, card.key_path)


@pytest.mark.parametrize("card_name", ["cns_good", "cns_omocodia", "cie_good"])
def test_card_login_reaches_the_service_with_the_holders_codice_fiscale(card_varco, sp, pki, card_name):
    req, browser, step = login_with(card_varco, sp, pki, card_name, relay_state=card_name)
    post = step.page.saml_post()
    assert step.status == 200 and post is not None, f"[{step.status}] {step.html[:3000]}"
    assert post.acs == sp.acs
    resp, attrs = sp.process_response(post.saml_response, req.id, card_name)
    cf = pki.cards[card_name].cf
    assert attrs.get("fiscalNumber") == [f"TINIT-{cf}"], attrs
    if card_name == "cie_good":  # a new citizen, created from the certificate
        assert attrs.get("name") == ["LAURA"] and attrs.get("familyName") == ["BIANCHI"], attrs
    if card_name == "cns_good":  # the demo citizen, matched by codice fiscale
        assert attrs.get("name") == ["Mario"], attrs
    entries = audit_details(card_varco.data_dir, f"smartcard {'CIE' if card_name.startswith('cie') else 'CNS'}")
    assert any(kind == "loginSucceeded" and cf in detail for kind, detail in entries), entries


BAD_CARDS = [
    ("cns_expired", "expired", "scaduto"),
    ("cns_not_yet_valid", "notYetValid", "non è ancora valido"),
    ("cns_revoked", "revoked", "revocato"),
    ("cie_revoked", "revoked", "revocato"),
    ("rogue", "unknownIssuer", "ente non riconosciuto"),
    ("cie_no_intermediate", "missingIntermediate", "ente intermedio"),
    ("cns_wrong_policy", "wrongPolicy", "policy"),
    ("cns_malformed_cn", "malformedSubject", "formato previsto"),
    ("cns_invalid_cf", "invalidCodiceFiscale", "codice fiscale"),
    ("cns_ocsp_down", "revocationUnavailable", "revocata"),
]


@pytest.mark.parametrize("card_name,reason,italian", BAD_CARDS, ids=[c[0] for c in BAD_CARDS])
def test_bad_card_is_refused_with_its_reason(card_varco, sp, pki, card_name, reason, italian):
    _, browser, step = login_with(card_varco, sp, pki, card_name)
    assert step.status == 403, f"[{step.status}] {step.html[:2000]}"
    assert step.reason == reason, step.html[:2000]
    assert italian in step.html, step.html[:2000]
    assert step.page.saml_post() is None
    assert "varco_session" not in step.html
    # the page offers the other methods (the login page of the same transaction)
    assert any(re.search(r"/login/[^/]+$", link) for link in step.page.links), step.page.links
    entries = audit_details(card_varco.data_dir, f"refused, {reason}")
    assert any(kind == "loginFailed" for kind, _ in entries), entries


@pytest.mark.parametrize("card_name", ["cns_wrong_ku", "cns_signature"])
def test_certificate_without_digital_signature_fails_the_handshake(card_varco, sp, pki, card_name):
    """BoringSSL (under SwiftNIO SSL) refuses, in the handshake itself, a client key whose certificate lacks
    digitalSignature: a signature certificate cannot even sign the handshake. No page, no session. (Behind nginx
    these get their own page: test_smartcard_nginx.py.)"""
    _, browser, card_url = start_login(card_varco, sp, card_name)
    card = pki.cards[card_name]
    with pytest.raises(AssertionError, match=r"curl failed \((35|56)\).*alert"):
        curl(card_url, browser, card.cert_path, card.key_path)


def test_no_certificate_is_refused(card_varco, sp):
    _, browser, card_url = start_login(card_varco, sp, "none")
    step = curl(card_url, browser)
    assert step.status == 403 and step.reason == "noCertificate", step.html[:2000]
    assert "non ha presentato alcun certificato" in step.html


def test_english_message(card_varco, sp, pki):
    _, browser, card_url = start_login(card_varco, sp, "en")
    transaction = card_url.split("/login/")[1].split("/")[0]
    browser.get(f"{card_varco.base_url}/login/{transaction}?lang=en")  # sets the language cookie
    card = pki.cards["cns_expired"]
    step = curl(card_url, browser, card.cert_path, card.key_path)
    assert step.status == 403 and "has expired" in step.html, step.html[:2000]


def test_trust_directory_is_reloaded_without_restart(card_varco, sp, pki, tmp_path_factory):
    """A new issuer copied into the trust directory is trusted at the next login."""
    work = tmp_path_factory.mktemp("newca")
    fresh = cardpki.CardPKI(work, pki.ocsp_port, pki.crl_port)
    issuer = cardpki.make_ca("Regione Nuova - CA Cittadini")
    card = fresh.card("new_card", issuer, "RSSMRA80A01H501U/6120016461039008.abc=")
    _, browser, card_url = start_login(card_varco, sp, "reload")
    step = curl(card_url, browser, card.cert_path, card.key_path)
    assert step.reason == "missingIntermediate" or step.reason == "unknownIssuer", step.html[:2000]
    (card_varco.trust / "cns" / "nuova.pem").write_bytes(cardpki._pem(issuer.cert))
    try:
        _, browser, card_url = start_login(card_varco, sp, "reload2")
        step = curl(card_url, browser, card.cert_path, card.key_path)
        # trusted now; it names no revocation source, so hard-fail refuses it for that reason, not for trust
        assert step.reason == "revocationUnavailable", step.html[:2000]
    finally:
        (card_varco.trust / "cns" / "nuova.pem").unlink()


def acceptable_ca_names(port: int) -> str:
    out = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}"], input="", capture_output=True,
                         text=True, timeout=30)  # fmt: skip
    start = out.stdout.find("Acceptable client certificate CA names")
    assert start >= 0, out.stdout[:3000]
    return out.stdout[start:out.stdout.find("Requested", start)]


def test_card_listener_sends_the_trusted_issuers_as_ca_list(card_varco, pki, tmp_path_factory):
    names = acceptable_ca_names(card_varco.card_port)
    assert "Regione Test - CA Cittadini" in names and "National root CA" in names, names
    assert "Regione Falsa" not in names
    # the list follows the trust directory without a restart
    issuer = cardpki.make_ca("Regione Aggiunta - CA Cittadini")
    (card_varco.trust / "cns" / "aggiunta.pem").write_bytes(cardpki._pem(issuer.cert))
    try:
        assert "Regione Aggiunta - CA Cittadini" in acceptable_ca_names(card_varco.card_port)
    finally:
        (card_varco.trust / "cns" / "aggiunta.pem").unlink()
