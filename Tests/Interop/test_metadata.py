"""Varco's IdP metadata and Responses, checked with independent tools:
the OASIS SAML 2.0 XML schemas (as shipped with python3-saml) and the
xmlsec1 command-line verifier."""

from __future__ import annotations

import pytest
from lxml import etree

from browser import Browser, expect_saml_post, login_with_otp_app
from sps import BINDING_POST, BINDING_REDIRECT, OneLoginSP, make_keypair, send
from xmlcheck import NS, assert_rejected, assert_schema_valid, assert_verifies, signing_certificate_pem


# --------------------------------------------------------------------------- metadata


@pytest.fixture(scope="module")
def metadata(varco) -> bytes:
    return varco.metadata()


def test_metadata_is_served_as_saml_metadata(varco):
    r = Browser().session.get(varco.metadata_url, timeout=30)
    assert r.status_code == 200
    assert r.headers.get("Content-Type", "").split(";")[0].strip() == "application/samlmetadata+xml"


def test_metadata_is_schema_valid(metadata):
    assert_schema_valid(metadata, "saml-schema-metadata-2.0.xsd")


def test_metadata_describes_the_idp(varco, metadata):
    doc = etree.fromstring(metadata)
    assert doc.tag == "{urn:oasis:names:tc:SAML:2.0:metadata}EntityDescriptor"
    assert doc.get("entityID") == varco.entity_id
    idp = doc.find("md:IDPSSODescriptor", NS)
    assert idp is not None
    assert "urn:oasis:names:tc:SAML:2.0:protocol" in idp.get("protocolSupportEnumeration", "").split()
    bindings = {e.get("Binding"): e.get("Location") for e in idp.findall("md:SingleSignOnService", NS)}
    assert BINDING_REDIRECT in bindings and BINDING_POST in bindings, bindings
    for location in bindings.values():
        assert location.startswith(varco.base_url + "/"), location
    assert signing_certificate_pem(metadata)


def test_metadata_signature_verifies_with_xmlsec1(metadata, tmp_path):
    doc = etree.fromstring(metadata)
    sig = doc.find("ds:Signature", NS)
    assert sig is not None, "the metadata is not signed"
    ref = sig.find("ds:SignedInfo/ds:Reference", NS)
    assert ref.get("URI") == "#" + doc.get("ID"), "the signature does not cover the EntityDescriptor"
    assert_verifies(metadata, signing_certificate_pem(metadata), "metadata", tmp_path)


def test_tampered_metadata_fails_xmlsec1(metadata, tmp_path):
    doc = etree.fromstring(metadata)
    sso = doc.find("md:IDPSSODescriptor/md:SingleSignOnService", NS)
    sso.set("Location", "https://attacker.invalid/sso")
    assert_rejected(etree.tostring(doc), signing_certificate_pem(metadata), "metadata", tmp_path)


def test_cli_metadata_for_a_public_url(varco, metadata, tmp_path):
    public_url = "https://idp.varco.test"
    out = varco.cli("metadata", "--public-url", public_url).encode()
    assert_schema_valid(out, "saml-schema-metadata-2.0.xsd")
    doc = etree.fromstring(out)
    assert doc.get("entityID") == f"{public_url}/metadata"
    for location in doc.xpath("md:IDPSSODescriptor/md:SingleSignOnService/@Location", namespaces=NS):
        assert location.startswith(public_url + "/"), location
    # same data directory, so the same signing key as the running server
    cert = signing_certificate_pem(out)
    assert cert == signing_certificate_pem(metadata)
    assert_verifies(out, cert, "metadata", tmp_path)


# --------------------------------------------------------------------------- a Response


@pytest.fixture(scope="module")
def response_xml(varco, tmp_path_factory) -> bytes:
    """The SAML Response of a real login at a python3-saml SP (not validated by
    the library here, so that these checks stand on their own)."""
    work = tmp_path_factory.mktemp("sp-xmlsec")
    key, cert = make_keypair(work, "sp-xmlsec.test")
    sp = OneLoginSP(work, "https://sp-xmlsec.test/metadata", "https://sp-xmlsec.test/acs", key, cert, sign_metadata=False)
    varco.add_sp(sp.write_metadata())
    sp.trust_idp(varco.metadata())
    citizen = varco.add_citizen("Rosa", "Marino")
    browser = Browser()
    req = sp.authn_request(BINDING_REDIRECT, relay_state="xmlsec")
    page = send(browser, req)
    page = login_with_otp_app(browser, page, citizen.otp_id, citizen.password, citizen.totp.next_code())
    return expect_saml_post(page, sp.acs).xml()


def test_response_is_schema_valid(response_xml):
    assert_schema_valid(response_xml, "saml-schema-protocol-2.0.xsd")


def test_response_signature_verifies_with_xmlsec1(response_xml, metadata, tmp_path):
    doc = etree.fromstring(response_xml)
    assert doc.find("ds:Signature", NS) is not None, "the Response is not signed"
    # xmlsec1 verifies the first signature in document order: the Response's
    assert_verifies(response_xml, signing_certificate_pem(metadata), "response", tmp_path)


def test_assertion_signature_verifies_with_xmlsec1(response_xml, metadata, tmp_path):
    doc = etree.fromstring(response_xml)
    assertion = doc.find("saml:Assertion", NS)
    assert assertion is not None, "no (unencrypted) Assertion in the Response"
    assert assertion.find("ds:Signature", NS) is not None, "the Assertion is not signed"
    # drop the Response's signature so that the Assertion's is the first one
    outer = doc.find("ds:Signature", NS)
    if outer is not None:
        doc.remove(outer)
    assert_verifies(etree.tostring(doc), signing_certificate_pem(metadata), "response", tmp_path)


def test_tampered_assertion_fails_xmlsec1(response_xml, metadata, tmp_path):
    doc = etree.fromstring(response_xml)
    outer = doc.find("ds:Signature", NS)
    if outer is not None:
        doc.remove(outer)
    value = doc.find("saml:Assertion/saml:AttributeStatement/saml:Attribute/saml:AttributeValue", NS)
    assert value is not None, "no attribute in the Assertion"
    value.text = "TINIT-XXXXXXXXXXXXXXXX"
    assert_rejected(etree.tostring(doc), signing_certificate_pem(metadata), "response", tmp_path)
