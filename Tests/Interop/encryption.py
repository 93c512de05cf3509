"""What an encrypted SAML Response must look like on the wire, whatever SP decrypts it."""

from __future__ import annotations

import base64

from lxml import etree

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "xenc": "http://www.w3.org/2001/04/xmlenc#",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
RSA_OAEP_MGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"


def assert_encrypted_response(saml_response_b64: str, secret: str) -> None:
    """The Response posted to the ACS carries one EncryptedAssertion (AES-256-GCM content, RSA-OAEP key transport)
    and no clear Assertion; `secret` (e.g. the fiscal number) appears nowhere in clear."""
    raw = base64.b64decode(saml_response_b64)
    assert secret.encode() not in raw, "a released attribute travels in clear"
    root = etree.fromstring(raw)
    assert root.tag == "{%s}Response" % NS["samlp"]
    assert root.findall(".//saml:Assertion", NS) == [], "a clear Assertion is in the Response"
    sealed = root.findall("saml:EncryptedAssertion", NS)
    assert len(sealed) == 1, etree.tostring(root)[:2000]
    data = sealed[0].findall("xenc:EncryptedData", NS)
    assert len(data) == 1
    assert data[0].find("xenc:EncryptionMethod", NS).get("Algorithm") == AES256_GCM
    key = data[0].findall("ds:KeyInfo/xenc:EncryptedKey", NS)
    assert len(key) == 1, "the content key must travel in an EncryptedKey inside KeyInfo"
    assert key[0].find("xenc:EncryptionMethod", NS).get("Algorithm") == RSA_OAEP_MGF1P
    assert root.find("ds:Signature", NS) is not None, "the Response must stay signed"
