"""Interop: a python3-saml (OneLogin) service provider logs citizens in through Varco.

The SP runs in strict mode and wants signed messages and signed assertions;
its AuthnRequests are signed (RSA-SHA256).
"""

from __future__ import annotations

import time

import pytest
from lxml import etree

from browser import Browser, b32decode, expect_saml_post, hotp, login_with_otp_app
from encryption import assert_encrypted_response
from sps import BINDING_POST, BINDING_REDIRECT, RSA_SHA256, OneLoginSP, make_keypair, send

NS = {"ds": "http://www.w3.org/2000/09/xmldsig#"}


def make_sp(varco, tmp_path_factory, host: str) -> OneLoginSP:
    work = tmp_path_factory.mktemp(host)
    key, cert = make_keypair(work, host)
    sp = OneLoginSP(work, f"https://{host}/metadata", f"https://{host}/acs", key, cert)
    out = varco.add_sp(sp.write_metadata())
    assert sp.entity_id in out, f"`varco sp add` printed {out!r}, expected the entityID"
    sp.trust_idp(varco.metadata())
    return sp


@pytest.fixture(scope="module")
def sp(varco, tmp_path_factory) -> OneLoginSP:
    return make_sp(varco, tmp_path_factory, "sp-python3-saml.test")


@pytest.fixture(scope="module")
def sp2(varco, tmp_path_factory) -> OneLoginSP:
    return make_sp(varco, tmp_path_factory, "sp2-python3-saml.test")


def check_auth(varco, auth, citizen) -> None:
    attrs = auth.get_attributes()
    assert attrs.get("fiscalNumber") == [citizen.fiscal_number], attrs
    assert attrs.get("name") == [citizen.given_name], attrs
    assert attrs.get("familyName") == [citizen.family_name], attrs
    assert auth.get_nameid(), "no NameID"
    issuer = etree.fromstring(auth.get_last_response_xml().encode()).findtext(
        "{urn:oasis:names:tc:SAML:2.0:assertion}Issuer"
    )
    assert issuer is not None and issuer.strip() == varco.entity_id


def login(varco, sp: OneLoginSP, browser: Browser, citizen, binding: str, relay_state: str, force_authn=False, req=None,
          check=None):
    """One full login through the login form; returns (request, validated Auth). `check` sees the raw POST first."""
    if req is None:
        req = sp.authn_request(binding, relay_state=relay_state, force_authn=force_authn)
    page = send(browser, req)
    assert page.chain[0][0] == 303, f"the SSO endpoint answered {page.chain} instead of 303 to the login page"
    assert page.visited("/login/"), page.chain
    page = login_with_otp_app(browser, page, citizen.otp_id, citizen.password, citizen.totp.next_code())
    post = expect_saml_post(page, sp.acs)
    assert post.relay_state == relay_state
    if check is not None:
        check(post)
    return req, sp.process_response(post.saml_response, req.id, post.relay_state)


def test_sp_is_listed(varco, sp):
    assert sp.entity_id in varco.cli("sp", "list")


def test_login_http_redirect_signed_request(varco, sp, browser):
    citizen = varco.add_citizen("Mario", "Rossi")
    req = sp.authn_request(BINDING_REDIRECT, relay_state="onelogin-redirect")
    q = req.query()
    assert q["SigAlg"] == RSA_SHA256 and q.get("Signature"), "python3-saml did not sign the Redirect request"
    assert req.url.startswith(varco.sso_location(BINDING_REDIRECT) + "?")

    _, auth = login(varco, sp, browser, citizen, BINDING_REDIRECT, "onelogin-redirect", req=req)
    check_auth(varco, auth, citizen)
    assert auth.get_last_response_in_response_to() == req.id


def test_login_http_post_signed_request(varco, sp, browser):
    citizen = varco.add_citizen("Chiara", "Romano")
    req = sp.authn_request(BINDING_POST, relay_state="onelogin-post")
    assert req.url == varco.sso_location(BINDING_POST)
    assert etree.fromstring(req.xml()).find("ds:Signature", NS) is not None

    _, auth = login(varco, sp, browser, citizen, BINDING_POST, "onelogin-post", req=req)
    check_auth(varco, auth, citizen)


def test_single_sign_on_same_sp(varco, sp, browser):
    citizen = varco.add_citizen("Marco", "Ricci")
    login(varco, sp, browser, citizen, BINDING_REDIRECT, "first")

    req = sp.authn_request(BINDING_POST, relay_state="second")
    page = send(browser, req)
    assert not page.visited("/login/"), f"SSO session not used: {page.chain}"
    post = expect_saml_post(page, sp.acs)
    check_auth(varco, sp.process_response(post.saml_response, req.id, post.relay_state), citizen)


def test_single_sign_on_second_sp(varco, sp, sp2, browser):
    citizen = varco.add_citizen("Sara", "Colombo")
    login(varco, sp, browser, citizen, BINDING_POST, "at-sp1")

    req = sp2.authn_request(BINDING_REDIRECT, relay_state="at-sp2")
    page = send(browser, req)
    assert not page.visited("/login/"), f"SSO session not used at the second SP: {page.chain}"
    post = expect_saml_post(page, sp2.acs)
    check_auth(varco, sp2.process_response(post.saml_response, req.id, post.relay_state), citizen)


def test_force_authn_shows_login_again(varco, sp, browser):
    citizen = varco.add_citizen("Franco", "Greco")
    login(varco, sp, browser, citizen, BINDING_REDIRECT, "first")

    req, auth = login(varco, sp, browser, citizen, BINDING_REDIRECT, "forced", force_authn=True)
    assert etree.fromstring(req.xml()).get("ForceAuthn") == "true"
    check_auth(varco, auth, citizen)


def test_other_browser_gets_no_sso(varco, sp, browser):
    """An SSO session belongs to its browser: a fresh one sees the login page."""
    citizen = varco.add_citizen("Elena", "Gallo")
    login(varco, sp, browser, citizen, BINDING_REDIRECT, "first")

    page = send(Browser(), sp.authn_request(BINDING_REDIRECT, relay_state="elsewhere"))
    assert page.chain[0][0] == 303 and page.visited("/login/"), page.chain
    assert page.saml_post() is None


def test_wrong_code_is_refused(varco, sp, browser):
    citizen = varco.add_citizen("Nicola", "Conti")
    page = send(browser, sp.authn_request(BINDING_REDIRECT, relay_state="wrong"))
    wrong = hotp(b32decode(citizen.totp.secret), int(time.time() // 30) + 10)  # far outside the drift window
    page = login_with_otp_app(browser, page, citizen.otp_id, citizen.password, wrong)
    assert page.saml_post() is None, "a wrong TOTP code logged the citizen in"


def test_replayed_code_is_refused(varco, sp):
    """A code that logged in once does not log in again, not even from another browser."""
    citizen = varco.add_citizen("Laura", "Mancini")
    code = citizen.totp.next_code()
    first = Browser()
    page = send(first, sp.authn_request(BINDING_REDIRECT, relay_state="once"))
    expect_saml_post(login_with_otp_app(first, page, citizen.otp_id, citizen.password, code), sp.acs)

    second = Browser()
    page = send(second, sp.authn_request(BINDING_REDIRECT, relay_state="twice"))
    page = login_with_otp_app(second, page, citizen.otp_id, citizen.password, code)
    assert page.saml_post() is None, "a used TOTP code was accepted again"


# --------------------------------------------------------------------------- assertion encryption


@pytest.fixture(scope="module")
def encrypting_sp(varco, tmp_path_factory) -> OneLoginSP:
    """A python3-saml SP with security.wantAssertionsEncrypted (its metadata then carries an encryption key),
    registered with `--encrypt-assertions`."""
    host = "sp-encrypted-python3-saml.test"
    work = tmp_path_factory.mktemp(host)
    key, cert = make_keypair(work, host)
    sp = OneLoginSP(work, f"https://{host}/metadata", f"https://{host}/acs", key, cert, want_assertions_encrypted=True)
    metadata = sp.write_metadata()
    assert b'use="encryption"' in metadata.read_bytes(), "python3-saml did not publish its encryption key"
    out = varco.cli("sp", "add", str(metadata), "--encrypt-assertions").strip()
    assert sp.entity_id in out, out
    sp.trust_idp(varco.metadata())
    return sp


def test_encrypted_assertion_login(varco, encrypting_sp, browser):
    citizen = varco.add_citizen("Marco", "Cifrato")
    _, auth = login(varco, encrypting_sp, browser, citizen, BINDING_POST, "python3-saml-encrypt",
                    check=lambda post: assert_encrypted_response(post.saml_response, citizen.fiscal_number))
    check_auth(varco, auth, citizen)
