"""Service providers built with real SAML libraries (pysaml2 and python3-saml).

Each SP produces its own metadata with its library, creates signed
AuthnRequests for the HTTP-Redirect and HTTP-POST bindings, and validates the
IdP's Response with its library. The SPs never listen anywhere: their ACS URL
is only a name, and the tests hand the SAMLResponse from the IdP's auto-submit
form to the library directly.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from browser import Form, Page, _PageParser

ATTRIBUTES = ("fiscalNumber", "name", "familyName")
NAMEID_TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
ATTRNAME_BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
BINDING_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
BINDING_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


@dataclass
class OutgoingRequest:
    """An AuthnRequest as the browser carries it to the IdP."""

    id: str
    binding: str
    url: str  # HTTP-Redirect: the full URL with the query; HTTP-POST: the form action
    form: dict[str, str] | None = None  # HTTP-POST: the form fields (SAMLRequest, RelayState)

    def xml(self) -> bytes:
        """The AuthnRequest XML (inflated for the Redirect binding)."""
        import zlib
        from urllib.parse import parse_qs

        if self.binding == BINDING_POST:
            return base64.b64decode(self.form["SAMLRequest"])
        q = parse_qs(urlsplit(self.url).query)
        return zlib.decompress(base64.b64decode(q["SAMLRequest"][0]), -15)

    def query(self) -> dict[str, str]:
        from urllib.parse import parse_qs

        return {k: v[0] for k, v in parse_qs(urlsplit(self.url).query).items()}


def make_keypair(directory: Path, cn: str) -> tuple[Path, Path]:
    """An RSA-2048 key and a self-signed certificate for an SP, made with openssl."""
    key = directory / f"{cn}.key.pem"
    cert = directory / f"{cn}.crt.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "30",
         "-subj", f"/CN={cn}", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


def _post_form_fields(html: str) -> tuple[str, dict[str, str]]:
    p = _PageParser()
    p.feed(html)
    p.close()
    forms: list[Form] = p.forms
    assert forms, f"no form in the library's POST binding page:\n{html}"
    return forms[0].action, dict(forms[0].fields)


# --------------------------------------------------------------------------- pysaml2


class Pysaml2SP:
    def __init__(self, workdir: Path, entity_id: str, acs: str, key: Path, cert: Path,
                 encryption: tuple[Path, Path] | None = None):
        """`encryption`: a (key, certificate) pair to publish as KeyDescriptor use="encryption" and decrypt with."""
        self.workdir = workdir
        self.entity_id = entity_id
        self.acs = acs
        self.key = key
        self.cert = cert
        self.encryption = encryption
        self.idp_metadata_path: Path | None = None
        self._client = None

    def _config_dict(self, with_idp: bool) -> dict:
        from saml2 import BINDING_HTTP_POST

        conf = {
            "entityid": self.entity_id,
            "key_file": str(self.key),
            "cert_file": str(self.cert),
            "xmlsec_binary": shutil.which("xmlsec1"),
            "metadata_key_usage": "signing",
            "accepted_time_diff": 60,
            "allow_unknown_attributes": True,
            "attribute_map_dir": str(Path(__file__).resolve().parent / "pysaml2_attributemaps"),
            "name": "Interop test SP (pysaml2)",
            "description": "Interop test SP (pysaml2)",
            "service": {
                "sp": {
                    "endpoints": {"assertion_consumer_service": [(self.acs, BINDING_HTTP_POST)]},
                    "authn_requests_signed": True,
                    "want_response_signed": True,
                    "want_assertions_signed": True,
                    "allow_unsolicited": False,
                    "name_id_format": [NAMEID_TRANSIENT],
                    "name_id_format_allow_create": False,
                    "required_attributes": list(ATTRIBUTES),
                    "requested_attribute_name_format": ATTRNAME_BASIC,
                    "signing_algorithm": RSA_SHA256,
                    "digest_algorithm": SHA256,
                }
            },
        }
        if self.encryption is not None:
            key, cert = self.encryption
            conf["encryption_keypairs"] = [{"key_file": str(key), "cert_file": str(cert)}]
            conf["metadata_key_usage"] = "both"  # "signing" alone leaves the encryption certificate out of the metadata
        if with_idp:
            conf["metadata"] = {"local": [str(self.idp_metadata_path)]}
        return conf

    def config(self, with_idp: bool = True):
        from saml2.config import SPConfig

        c = SPConfig()
        c.load(self._config_dict(with_idp))
        return c

    def metadata(self) -> bytes:
        """The SP's metadata, as pysaml2 generates it."""
        from saml2.metadata import create_metadata_string

        return create_metadata_string(None, config=self.config(with_idp=False), valid=24)

    def write_metadata(self) -> Path:
        path = self.workdir / "sp-pysaml2-metadata.xml"
        path.write_bytes(self.metadata())
        return path

    def trust_idp(self, idp_metadata: bytes) -> None:
        self.idp_metadata_path = self.workdir / "idp-metadata.xml"
        self.idp_metadata_path.write_bytes(idp_metadata)
        from saml2.client import Saml2Client

        self._client = Saml2Client(config=self.config())

    @property
    def client(self):
        assert self._client is not None, "call trust_idp() first"
        return self._client

    def authn_request(self, idp_entity_id: str, binding: str, relay_state: str = "", force_authn: bool = False) -> OutgoingRequest:
        from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT

        kwargs = {"attribute_consuming_service_index": "1"}
        if force_authn:
            kwargs["force_authn"] = "true"
        lib_binding = {BINDING_REDIRECT: BINDING_HTTP_REDIRECT, BINDING_POST: BINDING_HTTP_POST}[binding]
        req_id, info = self.client.prepare_for_authenticate(
            entityid=idp_entity_id,
            relay_state=relay_state,
            binding=lib_binding,
            sign=True,
            sigalg=RSA_SHA256,
            digest_alg=SHA256,
            nameid_format=NAMEID_TRANSIENT,
            **kwargs,
        )
        if binding == BINDING_REDIRECT:
            location = dict(info["headers"])["Location"]
            return OutgoingRequest(req_id, binding, location)
        action, fields = _post_form_fields(info["data"])
        return OutgoingRequest(req_id, binding, action, fields)

    def process_response(self, saml_response_b64: str, request_id: str, relay_state: str = ""):
        """Validates the Response with pysaml2; returns (response, attributes)."""
        from saml2 import BINDING_HTTP_POST

        resp = self.client.parse_authn_request_response(
            saml_response_b64, BINDING_HTTP_POST, outstanding={request_id: relay_state or "/"}
        )
        assert resp is not None, "pysaml2 returned no response"
        return resp, raw_attributes(resp)


def raw_attributes(resp) -> dict[str, list[str]]:
    """Attribute name -> values from a validated pysaml2 AuthnResponse, independent
    of pysaml2's attribute-name converters."""
    out: dict[str, list[str]] = {}
    for statement in resp.assertion.attribute_statement:
        for attr in statement.attribute:
            out[attr.name] = [(v.text or "").strip() for v in attr.attribute_value]
    return out


# --------------------------------------------------------------------------- python3-saml


class OneLoginSP:
    def __init__(self, workdir: Path, entity_id: str, acs: str, key: Path, cert: Path, sign_metadata: bool = True,
                 want_assertions_encrypted: bool = False):
        self.want_assertions_encrypted = want_assertions_encrypted
        self.workdir = workdir
        self.entity_id = entity_id
        self.acs = acs
        self.key_pem = key.read_text()
        self.cert_pem = cert.read_text()
        self.sign_metadata = sign_metadata
        self.idp_metadata: bytes | None = None

    def settings_dict(self, sso_binding: str = BINDING_REDIRECT) -> dict:
        idp = {}
        if self.idp_metadata is not None:
            from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

            parsed = OneLogin_Saml2_IdPMetadataParser.parse(
                self.idp_metadata.decode(), required_sso_binding=sso_binding
            )
            idp = parsed["idp"]
        return {
            "strict": True,
            "debug": False,
            "sp": {
                "entityId": self.entity_id,
                "assertionConsumerService": {"url": self.acs, "binding": BINDING_POST},
                "attributeConsumingService": {
                    "index": "1",
                    "serviceName": "Interop test SP (python3-saml)",
                    "serviceDescription": "Interop test SP (python3-saml)",
                    "requestedAttributes": [
                        {"name": a, "nameFormat": ATTRNAME_BASIC, "isRequired": True} for a in ATTRIBUTES
                    ],
                },
                "NameIDFormat": NAMEID_TRANSIENT,
                "x509cert": self.cert_pem,
                "privateKey": self.key_pem,
            },
            "idp": idp,
            "security": {
                "authnRequestsSigned": True,
                "wantAssertionsSigned": True,
                "wantMessagesSigned": True,
                "wantNameId": True,
                "requestedAuthnContext": False,
                "signMetadata": False,
                "signatureAlgorithm": RSA_SHA256,
                "digestAlgorithm": SHA256,
                "rejectDeprecatedAlgorithm": True,
                "wantAssertionsEncrypted": self.want_assertions_encrypted,
            },
        }

    def settings(self, sso_binding: str = BINDING_REDIRECT):
        from onelogin.saml2.settings import OneLogin_Saml2_Settings

        return OneLogin_Saml2_Settings(self.settings_dict(sso_binding), sp_validation_only=self.idp_metadata is None)

    def metadata(self) -> bytes:
        from onelogin.saml2.metadata import OneLogin_Saml2_Metadata

        settings = self.settings()
        md = settings.get_sp_metadata()
        errors = settings.validate_metadata(md)
        assert not errors, f"python3-saml rejects its own metadata: {errors}"
        if self.sign_metadata:
            md = OneLogin_Saml2_Metadata.sign_metadata(md, self.key_pem, self.cert_pem, RSA_SHA256, SHA256)
        return md if isinstance(md, bytes) else md.encode()

    def write_metadata(self) -> Path:
        path = self.workdir / "sp-python3-saml-metadata.xml"
        path.write_bytes(self.metadata())
        return path

    def trust_idp(self, idp_metadata: bytes) -> None:
        self.idp_metadata = idp_metadata

    def request_data(self, post_data: dict | None = None) -> dict:
        """The request as python3-saml sees it arrive at the ACS."""
        u = urlsplit(self.acs)
        return {
            "https": "on" if u.scheme == "https" else "off",
            "http_host": u.hostname,
            "server_port": str(u.port or (443 if u.scheme == "https" else 80)),
            "script_name": u.path,
            "get_data": {},
            "post_data": post_data or {},
        }

    def auth(self, post_data: dict | None = None, sso_binding: str = BINDING_REDIRECT):
        from onelogin.saml2.auth import OneLogin_Saml2_Auth

        return OneLogin_Saml2_Auth(self.request_data(post_data), old_settings=self.settings(sso_binding))

    def authn_request(self, binding: str, relay_state: str = "", force_authn: bool = False) -> OutgoingRequest:
        if binding == BINDING_REDIRECT:
            auth = self.auth(sso_binding=BINDING_REDIRECT)
            url = auth.login(return_to=relay_state or None, force_authn=force_authn)
            return OutgoingRequest(auth.get_last_request_id(), binding, url)

        # python3-saml 1.16 has no POST-binding login(): build the same
        # AuthnRequest, sign it with an enveloped XML signature (as the
        # HTTP-POST binding requires) and put it in a form.
        from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
        from onelogin.saml2.utils import OneLogin_Saml2_Utils

        settings = self.settings(BINDING_POST)
        req = OneLogin_Saml2_Authn_Request(settings, force_authn=force_authn)
        signed = OneLogin_Saml2_Utils.add_sign(
            req.get_xml(), self.key_pem, self.cert_pem, sign_algorithm=RSA_SHA256, digest_algorithm=SHA256
        )
        fields = {"SAMLRequest": base64.b64encode(signed).decode()}
        if relay_state:
            fields["RelayState"] = relay_state
        return OutgoingRequest(req.get_id(), binding, settings.get_idp_sso_url(), fields)

    def process_response(self, saml_response_b64: str, request_id: str, relay_state: str | None = None):
        """Validates the Response with python3-saml (strict); returns the Auth object."""
        post = {"SAMLResponse": saml_response_b64}
        if relay_state is not None:
            post["RelayState"] = relay_state
        auth = self.auth(post)
        auth.process_response(request_id=request_id)
        errors = auth.get_errors()
        assert not errors, f"python3-saml rejected the Response: {errors}: {auth.get_last_error_reason()}"
        assert auth.is_authenticated()
        return auth


# --------------------------------------------------------------------------- driving the IdP


def send(browser, req: OutgoingRequest) -> Page:
    """The browser carries the AuthnRequest to the IdP (following redirects)."""
    if req.binding == BINDING_REDIRECT:
        return browser.get(req.url)
    return browser.post(req.url, req.form)


def authn_request_element(req: OutgoingRequest):
    return etree.fromstring(req.xml())
