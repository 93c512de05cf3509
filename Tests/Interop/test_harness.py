"""Self-tests of the interop harness that need no running IdP: TOTP, fiscal
codes, HTML form parsing, the SP libraries' metadata and signed AuthnRequests,
and the server fixture's start/stop handling (with a stand-in server)."""

from __future__ import annotations

import base64
import datetime
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree

import browser as b
from harness import Varco, cf_check_char, codice_fiscale, free_port
from sps import BINDING_POST, BINDING_REDIRECT, RSA_SHA256, OneLoginSP, Pysaml2SP, make_keypair
from xmlcheck import assert_schema_valid, assert_verifies

# --------------------------------------------------------------------------- TOTP

RFC6238_SECRET_SHA1 = b"12345678901234567890"


@pytest.mark.parametrize(
    "t, expected",
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_rfc6238_vectors(t, expected):
    secret = base64.b32encode(RFC6238_SECRET_SHA1).decode()
    assert b.totp(secret, for_time=t, digits=8) == expected
    assert b.totp(secret, for_time=t) == expected[-6:]


def test_totp_accepts_unpadded_lowercase_secret():
    assert b.totp("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", for_time=59, digits=8) == "94287082"


def test_totp_device_never_reuses_a_step():
    dev = b.TotpDevice("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    now = 1111111109.0
    first = dev.next_code(now)
    second = dev.next_code(now)  # same instant: must be the next step's code
    assert first == b.totp(dev.secret, now)
    assert second == b.totp(dev.secret, now + 30)
    assert dev.next_code(now + 120) == b.totp(dev.secret, now + 120)


# --------------------------------------------------------------------------- codice fiscale


def test_codice_fiscale():
    assert codice_fiscale("Rossi", "Mario", datetime.date(1980, 1, 1), False, "H501") == "RSSMRA80A01H501U"
    assert cf_check_char("RSSMRA80A01H501") == "U"
    # four consonants in the given name: first, third and fourth
    assert codice_fiscale("Bianchi", "Gianfranco", datetime.date(1975, 12, 31), False, "F205")[:6] == "BNCGFR"
    assert codice_fiscale("Fo", "Ada", datetime.date(2001, 5, 9), True, "L219")[:11] == "FOXDAA01E49"


# --------------------------------------------------------------------------- HTML


LOGIN_PAGE = """<!doctype html><html><body>
<form method="post" action="/login/tx1/otp-app">
  <input type="hidden" name="csrf" value="tok&amp;en">
  <input name="otp_id" autocomplete="username"><input type="password" name="password">
  <input name="code" inputmode="numeric"><input type="checkbox" name="remember">
  <button type="submit">Entra</button></form>
<a href="/login/tx1/otp-app">App</a></body></html>"""

AUTO_SUBMIT = """<html><body onload="document.forms[0].submit()">
<form method="POST" action="https://sp.test/acs">
<input type="hidden" name="SAMLResponse" value="PHNhbWxwOlJlc3BvbnNlLz4="/>
<input type="hidden" name="RelayState" value="a&amp;b"/></form></body></html>"""


class _Resp:
    def __init__(self, url, text):
        self.url, self.text, self.status_code = url, text, 200
        self.headers = {"Content-Type": "text/html; charset=utf-8"}


def test_page_parsing():
    page = b.Page.parse(_Resp("https://idp.test/login/tx1/otp-app", LOGIN_PAGE), [])
    form = page.form(action_suffix="/otp-app")
    assert form.action == "https://idp.test/login/tx1/otp-app"
    assert form.method == "post"
    assert form.hidden() == {"csrf": "tok&en"}
    assert set(form.fields) == {"csrf", "otp_id", "password", "code"}
    assert page.link("/otp-app") == "https://idp.test/login/tx1/otp-app"
    assert page.saml_post() is None

    post = b.Page.parse(_Resp("https://idp.test/login/tx1/otp-app", AUTO_SUBMIT), []).saml_post()
    assert post.acs == "https://sp.test/acs"
    assert post.relay_state == "a&b"
    assert post.xml() == b"<samlp:Response/>"


# --------------------------------------------------------------------------- SP libraries

IDP_ENTITY = "https://127.0.0.1:1/metadata"
IDP_SSO = "https://127.0.0.1:1/sso"


@pytest.fixture(scope="module")
def idp_metadata(tmp_path_factory) -> tuple[bytes, Path, Path]:
    """Minimal IdP metadata, so that the SPs can build requests offline."""
    work = tmp_path_factory.mktemp("idp")
    key, cert = make_keypair(work, "idp.test")
    body = "".join(l for l in cert.read_text().splitlines() if "CERTIFICATE" not in l)
    xml = f"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"
  xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{IDP_ENTITY}">
 <md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
  <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
  <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
  <md:SingleSignOnService Binding="{BINDING_REDIRECT}" Location="{IDP_SSO}"/>
  <md:SingleSignOnService Binding="{BINDING_POST}" Location="{IDP_SSO}"/>
 </md:IDPSSODescriptor></md:EntityDescriptor>""".encode()
    assert_schema_valid(xml, "saml-schema-metadata-2.0.xsd")
    return xml, key, cert


@pytest.fixture(scope="module")
def pysaml2_sp(tmp_path_factory, idp_metadata) -> Pysaml2SP:
    work = tmp_path_factory.mktemp("pysaml2")
    key, cert = make_keypair(work, "sp-pysaml2.test")
    sp = Pysaml2SP(work, "https://sp-pysaml2.test/metadata", "https://sp-pysaml2.test/acs", key, cert)
    sp.trust_idp(idp_metadata[0])
    return sp


@pytest.fixture(scope="module")
def onelogin_sp(tmp_path_factory, idp_metadata) -> OneLoginSP:
    work = tmp_path_factory.mktemp("python3-saml")
    key, cert = make_keypair(work, "sp-python3-saml.test")
    sp = OneLoginSP(work, "https://sp-python3-saml.test/metadata", "https://sp-python3-saml.test/acs", key, cert)
    sp.trust_idp(idp_metadata[0])
    return sp


MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"


@pytest.mark.parametrize("which", ["pysaml2_sp", "onelogin_sp"])
def test_sp_metadata(request, which):
    sp = request.getfixturevalue(which)
    xml = sp.metadata()
    assert_schema_valid(xml, "saml-schema-metadata-2.0.xsd")
    doc = etree.fromstring(xml)
    assert doc.get("entityID") == sp.entity_id
    spsso = doc.find(f"{MD}SPSSODescriptor")
    assert spsso.get("AuthnRequestsSigned") == "true"
    assert spsso.get("WantAssertionsSigned") == "true"
    acs = spsso.find(f"{MD}AssertionConsumerService")
    assert acs.get("Location") == sp.acs and acs.get("Binding") == BINDING_POST
    names = [a.get("Name") for a in spsso.iter(f"{MD}RequestedAttribute")]
    assert names == ["fiscalNumber", "name", "familyName"]
    assert {a.get("NameFormat") for a in spsso.iter(f"{MD}RequestedAttribute")} == {
        "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
    }
    assert [k.get("use") for k in spsso.findall(f"{MD}KeyDescriptor")] == ["signing"]


def _verify_redirect_signature(req, cert_pem: str) -> bool:
    """Checks the HTTP-Redirect binding signature (over the raw query string)."""
    from onelogin.saml2.utils import OneLogin_Saml2_Utils

    raw = dict(p.split("=", 1) for p in urlsplit(req.url).query.split("&"))
    signed = "&".join(f"{k}={raw[k]}" for k in ("SAMLRequest", "RelayState", "SigAlg") if k in raw)
    return OneLogin_Saml2_Utils.validate_binary_sign(
        signed, base64.b64decode(unquote(raw["Signature"])), cert_pem, RSA_SHA256
    )


@pytest.mark.parametrize("which", ["pysaml2_sp", "onelogin_sp"])
def test_signed_redirect_request(request, which):
    sp = request.getfixturevalue(which)
    if which == "pysaml2_sp":
        req = sp.authn_request(IDP_ENTITY, BINDING_REDIRECT, relay_state="rs", force_authn=True)
    else:
        req = sp.authn_request(BINDING_REDIRECT, relay_state="rs", force_authn=True)
    assert req.url.startswith(IDP_SSO + "?")
    q = req.query()
    assert q["SigAlg"] == RSA_SHA256 and q["RelayState"] == "rs"
    cert_pem = Path(sp.cert).read_text() if which == "pysaml2_sp" else sp.cert_pem
    assert _verify_redirect_signature(req, cert_pem)
    doc = etree.fromstring(req.xml())
    assert doc.get("ID") == req.id
    assert doc.get("Destination") == IDP_SSO
    assert doc.get("ForceAuthn") == "true"
    assert doc.get("AssertionConsumerServiceURL") == sp.acs
    assert doc.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is None  # signed in the query instead
    assert_schema_valid(req.xml(), "saml-schema-protocol-2.0.xsd")


@pytest.mark.parametrize("which", ["pysaml2_sp", "onelogin_sp"])
def test_signed_post_request(request, which, tmp_path):
    sp = request.getfixturevalue(which)
    if which == "pysaml2_sp":
        req = sp.authn_request(IDP_ENTITY, BINDING_POST, relay_state="rs")
    else:
        req = sp.authn_request(BINDING_POST, relay_state="rs")
    assert req.url == IDP_SSO
    assert req.form["RelayState"] == "rs"
    xml = req.xml()
    assert_schema_valid(xml, "saml-schema-protocol-2.0.xsd")
    doc = etree.fromstring(xml)
    assert doc.get("ID") == req.id and doc.get("ForceAuthn") in (None, "false")
    sig = doc.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    assert sig is not None
    assert sig.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureMethod").get("Algorithm") == RSA_SHA256
    cert_pem = Path(sp.cert).read_text() if which == "pysaml2_sp" else sp.cert_pem
    assert_verifies(xml, cert_pem, "authnrequest", tmp_path)


# --------------------------------------------------------------------------- the server fixture

STAND_IN = """\
#!{python}
# Stand-in for `varco serve`: answers GET /metadata over HTTPS and keeps a child
# process, so that stopping must take the whole process group down.
import http.server, os, ssl, subprocess, sys
args = sys.argv[1:]
assert args[0] == "serve", args
port = int(args[args.index("--port") + 1]); data = args[args.index("--data-dir") + 1]
mode = os.environ.get("STAND_IN_MODE", "ok")
if mode == "crash":
    print("fatal: cannot open database", flush=True); sys.exit(3)
child = subprocess.Popen(["sleep", "300"])
open(os.path.join(data, "child.pid"), "w").write(str(child.pid))
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 200 if mode == "ok" else 503
        self.send_response(code); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
srv = http.server.HTTPServer(("127.0.0.1", port), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain({cert!r}, {key!r})
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
"""


@pytest.fixture
def stand_in(tmp_path) -> Path:
    key, cert = make_keypair(tmp_path, "127.0.0.1")
    path = tmp_path / "fake-varco"
    path.write_text(STAND_IN.format(python=sys.executable, cert=str(cert), key=str(key)))
    path.chmod(0o755)
    return path


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_gone(pid: int, tries: int = 100) -> bool:
    for _ in range(tries):
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def _server(stand_in: Path, tmp_path: Path) -> Varco:
    data = tmp_path / "data"
    data.mkdir()
    return Varco(stand_in, data, free_port(), tmp_path / "server.log")


def test_fixture_starts_and_kills_process_group(stand_in, tmp_path, monkeypatch):
    monkeypatch.setenv("STAND_IN_MODE", "ok")
    server = _server(stand_in, tmp_path)
    try:
        server.start(tries=100, interval=0.1)
        assert b.new_session().get(server.metadata_url, timeout=5).status_code == 200
        child = int((server.data_dir / "child.pid").read_text())
        leader = server.proc.pid
        assert _alive(child) and _alive(leader)
    finally:
        server.stop()
    assert _wait_gone(leader) and _wait_gone(child), "server or its child survived stop()"
    server.stop()  # idempotent


def test_fixture_reports_a_crash_with_the_log(stand_in, tmp_path, monkeypatch):
    monkeypatch.setenv("STAND_IN_MODE", "crash")
    server = _server(stand_in, tmp_path)
    with pytest.raises(RuntimeError, match="cannot open database"):
        try:
            server.start(tries=100, interval=0.1)
        finally:
            server.stop()


def test_fixture_gives_up_after_bounded_tries(stand_in, tmp_path, monkeypatch):
    monkeypatch.setenv("STAND_IN_MODE", "unready")
    server = _server(stand_in, tmp_path)
    started = time.monotonic()
    try:
        with pytest.raises(RuntimeError, match=r"not ready after 20 tries"):
            server.start(tries=20, interval=0.1)
        assert time.monotonic() - started < 60
    finally:
        server.stop()
    pid_file = server.data_dir / "child.pid"
    if pid_file.exists():
        assert _wait_gone(int(pid_file.read_text()))
