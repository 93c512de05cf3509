"""XML checks with independent tools: the OASIS SAML 2.0 schemas shipped with
python3-saml, and the xmlsec1 command-line verifier."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import onelogin.saml2
from lxml import etree

NS = {
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
}
BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

SCHEMAS = Path(onelogin.saml2.__file__).resolve().parent / "schemas"
ID_ATTRS = {
    "metadata": ["urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor"],
    "response": ["urn:oasis:names:tc:SAML:2.0:protocol:Response", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"],
    "authnrequest": ["urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest"],
}


@lru_cache(maxsize=None)
def schema(name: str) -> etree.XMLSchema:
    """One of the OASIS XSDs; they import each other by relative path, so no
    network access is needed."""
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def assert_schema_valid(xml: bytes, name: str) -> None:
    s = schema(name)
    doc = etree.fromstring(xml)
    if not s.validate(doc):
        errors = "\n".join(f"line {e.line}: {e.message}" for e in s.error_log)
        raise AssertionError(f"not valid against {name}:\n{errors}")


def xmlsec1_verify(xml: bytes, cert_pem: str, kind: str, workdir: Path) -> subprocess.CompletedProcess:
    """`xmlsec1 --verify` of the first signature in `xml` with the key of `cert_pem`."""
    doc = workdir / f"{kind}.xml"
    cert = workdir / f"{kind}-signer.crt"
    doc.write_bytes(xml)
    cert.write_text(cert_pem)
    cmd = [xmlsec1(), "--verify"]
    for node in ID_ATTRS[kind]:
        cmd += ["--id-attr:ID", node]
    cmd += ["--pubkey-cert-pem", str(cert), str(doc)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def assert_verifies(xml: bytes, cert_pem: str, kind: str, workdir: Path) -> None:
    r = xmlsec1_verify(xml, cert_pem, kind, workdir)
    assert r.returncode == 0, f"xmlsec1 --verify failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"


def assert_rejected(xml: bytes, cert_pem: str, kind: str, workdir: Path) -> None:
    r = xmlsec1_verify(xml, cert_pem, kind, workdir)
    assert r.returncode != 0, f"xmlsec1 accepted a tampered {kind}:\n{r.stdout}\n{r.stderr}"



def signing_certificate_pem(metadata: bytes) -> str:
    """PEM of the first signing (or unqualified) certificate in the IdP's KeyDescriptors."""
    doc = etree.fromstring(metadata)
    certs = doc.xpath(
        "md:IDPSSODescriptor/md:KeyDescriptor[not(@use) or @use='signing']/ds:KeyInfo/ds:X509Data/ds:X509Certificate/text()",
        namespaces=NS,
    )
    assert certs, "no signing certificate in the IdP metadata"
    return pem_from_base64(certs[0])


def pem_from_base64(b64: str) -> str:
    body = "".join(b64.split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def xmlsec1() -> str:
    path = shutil.which("xmlsec1")
    assert path, "the xmlsec1 command is missing (scripts/setup-deps installs it)"
    return path
