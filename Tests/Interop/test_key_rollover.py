"""Signing-key rollover through the command line, with a pysaml2 service and an authlib client logging in at every
step: `varco keys generate-next` (both keys published in the SAML metadata and the JWKS, the old one signs),
`varco keys activate` (the new one signs, the old one stays published), `varco keys retire`. Varco is never
restarted: after each step it gets SIGHUP (what `systemctl reload` sends) and puts the new key files in use; the test
waits for its log line saying so. The services reload the IdP metadata and the JWKS at each step, and the pysaml2
service also checks an assertion signed by the new key while it still holds the metadata of the step before.
This test runs its own Varco (a fresh data directory on free loopback ports), stopped at the end whatever happens.
"""

from __future__ import annotations

import os
import re
import signal
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet
from lxml import etree

from browser import Browser, expect_saml_post, login_with_otp_app, new_session
from harness import Varco, free_ports, varco_binary
from sps import BINDING_REDIRECT, Pysaml2SP, make_keypair, send
from test_oidc_authlib import REDIRECT_URI, login_and_get_redirect

MD = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#"}


@pytest.fixture
def own_varco(tmp_path):
    port, demo_port = free_ports(2)
    data = tmp_path / "data"
    data.mkdir()
    server = Varco(varco_binary(), data, port, tmp_path / "server.log", demo_sp_port=demo_port)
    tries = int(os.environ.get("VARCO_READY_TRIES", "300"))
    interval = float(os.environ.get("VARCO_READY_INTERVAL", "0.2"))

    def reload():
        """SIGHUP, then wait (bounded) for the log line saying the changed key files are in use."""
        applied = "signing keys changed in the data directory are now in use"
        seen = server.log_path.read_text(errors="replace").count(applied)
        os.kill(server.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 30
        while server.log_path.read_text(errors="replace").count(applied) == seen:
            assert server.proc.poll() is None, server.log_tail()
            assert time.monotonic() < deadline, "the new keys were not put in use after SIGHUP\n" + server.log_tail()
            time.sleep(0.05)

    server.reload = reload
    try:
        server.start(tries, interval)
        yield server
    finally:
        server.stop()


def idp_certificates(varco) -> list[str]:
    doc = etree.fromstring(varco.metadata())
    return ["".join(c.text.split()) for c in doc.xpath("md:IDPSSODescriptor/md:KeyDescriptor//ds:X509Certificate", namespaces=MD)]


def saml_login(varco, sp: Pysaml2SP, trusted_metadata: bytes) -> None:
    sp.trust_idp(trusted_metadata)
    citizen = varco.add_citizen("Rita", "Longo")
    browser = Browser()
    req = sp.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="rollover")
    page = login_with_otp_app(browser, send(browser, req), citizen.otp_id, citizen.password, citizen.totp.next_code())
    _, attrs = sp.process_response(expect_saml_post(page, sp.acs).saml_response, req.id, "rollover")
    assert attrs.get("fiscalNumber") == [citizen.fiscal_number]


def oidc_login(varco, client_id: str, secret: str) -> str:
    meta = new_session().get(f"{varco.base_url}/.well-known/openid-configuration", timeout=30).json()
    keys = KeySet.import_key_set(new_session().get(meta["jwks_uri"], timeout=30).json())
    session = OAuth2Session(client_id, secret, scope="openid profile", redirect_uri=REDIRECT_URI, code_challenge_method="S256")
    session.verify = False
    session.trust_env = False
    verifier = generate_token(48)
    url, state = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=generate_token(16))
    callback = login_and_get_redirect(varco, Browser(), url, varco.add_citizen("Ugo", "Serra"))
    assert parse_qs(urlsplit(callback).query)["state"] == [state]
    token = session.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    decoded = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    assert decoded.claims["aud"] == client_id
    return decoded.header["kid"]


def jwks_kids(varco) -> set[str]:
    return {k["kid"] for k in new_session().get(f"{varco.base_url}/oidc/jwks", timeout=30).json()["keys"]}


def test_rollover_through_the_cli_keeps_saml_and_oidc_logins_working(own_varco, tmp_path_factory):
    varco = own_varco
    work = tmp_path_factory.mktemp("rollover-sp")
    key, cert = make_keypair(work, "rollover-sp.test")
    sp = Pysaml2SP(work, "https://rollover-sp.test/metadata", "https://rollover-sp.test/acs", key, cert)
    varco.add_sp(sp.write_metadata())
    out = varco.cli("client", "add", "--redirect-uri", REDIRECT_URI, "--name", "rollover RP")
    client_id, secret = re.search(r"client_id: (\S+)", out).group(1), re.search(r"client_secret: (\S+)", out).group(1)

    # Before: one SAML certificate, two OIDC keys.
    original = idp_certificates(varco)
    assert len(original) == 1
    original_kids = jwks_kids(varco)
    saml_login(varco, sp, varco.metadata())
    first_kid = oidc_login(varco, client_id, secret)

    # 1. The next keys are published; the old ones still sign.
    pid = varco.proc.pid
    varco.cli("keys", "generate-next")
    varco.reload()
    both = varco.metadata()
    assert idp_certificates(varco)[0] == original[0] and len(idp_certificates(varco)) == 2
    assert original_kids < jwks_kids(varco) and len(jwks_kids(varco)) == 4
    saml_login(varco, sp, both)
    assert oidc_login(varco, client_id, secret) == first_kid

    # 2. The next keys sign; the pysaml2 service still holds the metadata of step 1 and accepts the new signature.
    varco.cli("keys", "activate")
    varco.reload()
    certificates = idp_certificates(varco)
    assert len(certificates) == 2 and certificates[0] != original[0] and original[0] in certificates
    saml_login(varco, sp, both)
    second_kid = oidc_login(varco, client_id, secret)
    assert second_kid != first_kid and first_kid in jwks_kids(varco)

    # 3. The previous keys are retired.
    varco.cli("keys", "retire")
    varco.reload()
    assert idp_certificates(varco) == [certificates[0]]
    assert first_kid not in jwks_kids(varco) and len(jwks_kids(varco)) == 2
    saml_login(varco, sp, varco.metadata())
    assert oidc_login(varco, client_id, secret) == second_kid

    listing = varco.cli("keys", "list")
    assert "\tnext\t" not in listing and "\tprevious\t" not in listing and listing.count("\tactive\t") == 3
    refused = varco.cli_result("keys", "retire")
    assert refused.returncode != 0 and "nothing to retire" in refused.stderr
    assert varco.proc.pid == pid and varco.proc.poll() is None  # one process throughout: no restart
