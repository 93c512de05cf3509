"""Interop: a pysaml2 service provider logs citizens in through Varco."""

from __future__ import annotations

import pytest
from lxml import etree

from browser import Browser, expect_saml_post, login_with_otp_app
from encryption import assert_encrypted_response
from sps import BINDING_POST, BINDING_REDIRECT, RSA_SHA256, Pysaml2SP, make_keypair, send

NS = {"ds": "http://www.w3.org/2000/09/xmldsig#", "samlp": "urn:oasis:names:tc:SAML:2.0:protocol"}


def make_sp(varco, tmp_path_factory, host: str) -> Pysaml2SP:
    work = tmp_path_factory.mktemp(host)
    key, cert = make_keypair(work, host)
    sp = Pysaml2SP(work, f"https://{host}/metadata", f"https://{host}/acs", key, cert)
    out = varco.add_sp(sp.write_metadata())
    assert sp.entity_id in out, f"`varco sp add` printed {out!r}, expected the entityID"
    sp.trust_idp(varco.metadata())
    return sp


@pytest.fixture(scope="module")
def sp(varco, tmp_path_factory) -> Pysaml2SP:
    return make_sp(varco, tmp_path_factory, "sp-pysaml2.test")


@pytest.fixture(scope="module")
def sp2(varco, tmp_path_factory) -> Pysaml2SP:
    return make_sp(varco, tmp_path_factory, "sp2-pysaml2.test")


def check_assertion(sp: Pysaml2SP, varco, resp, attrs, citizen) -> None:
    assert resp.assertion.issuer.text.strip() == varco.entity_id
    assert attrs.get("fiscalNumber") == [citizen.fiscal_number], attrs
    assert attrs.get("name") == [citizen.given_name], attrs
    assert attrs.get("familyName") == [citizen.family_name], attrs
    audiences = [a.text.strip() for c in resp.assertion.conditions.audience_restriction for a in c.audience]
    assert sp.entity_id in audiences


def login(varco, sp: Pysaml2SP, browser: Browser, citizen, binding: str, relay_state: str, force_authn=False, req=None):
    """One full login through the login form; returns (request, response, attributes)."""
    if req is None:
        req = sp.authn_request(varco.entity_id, binding, relay_state=relay_state, force_authn=force_authn)
    page = send(browser, req)
    assert page.chain[0][0] == 303, f"the SSO endpoint answered {page.chain} instead of 303 to the login page"
    assert page.visited("/login/"), page.chain
    page = login_with_otp_app(browser, page, citizen.otp_id, citizen.password, citizen.totp.next_code())
    post = expect_saml_post(page, sp.acs)
    assert post.relay_state == relay_state
    resp, attrs = sp.process_response(post.saml_response, req.id, relay_state)
    return req, resp, attrs


def test_sp_is_listed(varco, sp):
    assert sp.entity_id in varco.cli("sp", "list")


def test_login_http_redirect_signed_request(varco, sp, browser):
    citizen = varco.add_citizen("Mario", "Rossi")
    req = sp.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="pysaml2-redirect")
    q = req.query()
    assert q["SigAlg"] == RSA_SHA256 and q.get("Signature"), "pysaml2 did not sign the Redirect request"
    assert req.url.startswith(varco.sso_location(BINDING_REDIRECT) + "?")

    _, resp, attrs = login(varco, sp, browser, citizen, BINDING_REDIRECT, "pysaml2-redirect", req=req)
    check_assertion(sp, varco, resp, attrs, citizen)
    assert resp.in_response_to == req.id


def test_login_http_post_signed_request(varco, sp, browser):
    citizen = varco.add_citizen("Anna", "Verdi")
    req = sp.authn_request(varco.entity_id, BINDING_POST, relay_state="pysaml2-post")
    assert req.url == varco.sso_location(BINDING_POST)
    xml = etree.fromstring(req.xml())
    assert xml.find("ds:Signature", NS) is not None, "pysaml2 did not sign the POST request"

    _, resp, attrs = login(varco, sp, browser, citizen, BINDING_POST, "pysaml2-post", req=req)
    check_assertion(sp, varco, resp, attrs, citizen)


def test_single_sign_on_same_sp(varco, sp, browser):
    citizen = varco.add_citizen("Luca", "Bianchi")
    login(varco, sp, browser, citizen, BINDING_REDIRECT, "first")

    req = sp.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="second")
    page = send(browser, req)
    assert not page.visited("/login/"), f"SSO session not used: {page.chain}"
    post = expect_saml_post(page, sp.acs)
    resp, attrs = sp.process_response(post.saml_response, req.id, "second")
    check_assertion(sp, varco, resp, attrs, citizen)


def test_single_sign_on_second_sp(varco, sp, sp2, browser):
    citizen = varco.add_citizen("Giulia", "Neri")
    login(varco, sp, browser, citizen, BINDING_REDIRECT, "at-sp1")

    req = sp2.authn_request(varco.entity_id, BINDING_POST, relay_state="at-sp2")
    page = send(browser, req)
    assert not page.visited("/login/"), f"SSO session not used at the second SP: {page.chain}"
    post = expect_saml_post(page, sp2.acs)
    resp, attrs = sp2.process_response(post.saml_response, req.id, "at-sp2")
    check_assertion(sp2, varco, resp, attrs, citizen)


def test_force_authn_shows_login_again(varco, sp, browser):
    citizen = varco.add_citizen("Paolo", "Esposito")
    login(varco, sp, browser, citizen, BINDING_REDIRECT, "first")

    # the same browser, with a live SSO session, but ForceAuthn="true":
    # the login form again, and a code of the next time step.
    req, resp, attrs = login(varco, sp, browser, citizen, BINDING_REDIRECT, "forced", force_authn=True)
    assert etree.fromstring(req.xml()).get("ForceAuthn") == "true"
    check_assertion(sp, varco, resp, attrs, citizen)


# --------------------------------------------------------------------------- assertion encryption


@pytest.fixture(scope="module")
def encrypting_sp(varco, tmp_path_factory) -> Pysaml2SP:
    """A pysaml2 SP with a separate encryption key pair (KeyDescriptor use="encryption"), registered with
    `--encrypt-assertions`; pysaml2 decrypts with the xmlsec1 binary."""
    host = "sp-encrypted-pysaml2.test"
    work = tmp_path_factory.mktemp(host)
    key, cert = make_keypair(work, host)
    encryption = make_keypair(work, f"encryption.{host}")
    sp = Pysaml2SP(work, f"https://{host}/metadata", f"https://{host}/acs", key, cert, encryption=encryption)
    metadata = sp.write_metadata()
    assert b'use="encryption"' in metadata.read_bytes(), "pysaml2 did not publish its encryption key"
    out = varco.cli("sp", "add", str(metadata), "--encrypt-assertions").strip()
    assert sp.entity_id in out, out
    sp.trust_idp(varco.metadata())
    return sp


def test_encrypted_assertion_login(varco, encrypting_sp, browser):
    citizen = varco.add_citizen("Lucia", "Cifrata")
    req = encrypting_sp.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="pysaml2-encrypt")
    page = send(browser, req)
    page = login_with_otp_app(browser, page, citizen.otp_id, citizen.password, citizen.totp.next_code())
    post = expect_saml_post(page, encrypting_sp.acs)
    assert_encrypted_response(post.saml_response, citizen.fiscal_number)
    resp, attrs = encrypting_sp.process_response(post.saml_response, req.id, "pysaml2-encrypt")
    check_assertion(encrypting_sp, varco, resp, attrs, citizen)
    assert resp.in_response_to == req.id


def test_encryption_is_refused_for_metadata_without_an_encryption_key(varco, tmp_path_factory):
    host = "sp-noenc-pysaml2.test"
    work = tmp_path_factory.mktemp(host)
    key, cert = make_keypair(work, host)
    sp = Pysaml2SP(work, f"https://{host}/metadata", f"https://{host}/acs", key, cert)
    config = sp._config_dict(with_idp=False)
    assert "encryption_keypairs" not in config
    metadata = sp.workdir / "signing-only.xml"
    # Keep only the signing KeyDescriptor: a KeyDescriptor without `use` would serve encryption too.
    xml = etree.fromstring(sp.metadata())
    md = "urn:oasis:names:tc:SAML:2.0:metadata"
    for descriptor in xml.iter("{%s}KeyDescriptor" % md):
        descriptor.set("use", "signing")
    metadata.write_bytes(etree.tostring(xml))
    result = varco.cli_result("sp", "add", str(metadata), "--encrypt-assertions")
    assert result.returncode != 0
    assert "no encryption certificate" in result.stderr + result.stdout
    assert sp.entity_id not in varco.cli("sp", "list")
