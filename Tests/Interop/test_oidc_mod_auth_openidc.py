"""OpenID Connect interop: Apache 2 with mod_auth_openidc as the relying party.

The test starts its own Apache (`apache2 -f CONF -DFOREGROUND`, own PidFile and
ErrorLog in a temporary directory, no system service) on a free loopback port.
It protects /protected/ with `AuthType openid-connect`, configured from Varco's
discovery document, and a tiny CGI there prints the OIDC_CLAIM_* variables that
mod_auth_openidc passes. A requests-driven browser logs in on Varco's pages.
Apache is stopped at the end, whatever happened.
Needs: Debian's apache2 and libapache2-mod-auth-openidc.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from browser import Browser
from harness import free_port, stop_process_group

APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")

pytestmark = pytest.mark.skipif(
    not (Path(APACHE).exists() and (MODULES / "mod_auth_openidc.so").exists()),
    reason="apache2 and libapache2-mod-auth-openidc are not installed (scripts/setup-deps installs them)",
)

CGI = """#!/usr/bin/python3
import json, os
print("Content-Type: application/json")
print()
print(json.dumps({k: v for k, v in os.environ.items() if k.startswith("OIDC_") or k == "REMOTE_USER"}))
"""

CONF = """
ServerRoot "{root}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{root}/httpd.pid"
ErrorLog "{root}/error.log"
LogLevel warn auth_openidc:info
DefaultRuntimeDir "{root}"
Mutex file:{root}
LoadModule mpm_prefork_module {modules}/mod_mpm_prefork.so
LoadModule authn_core_module {modules}/mod_authn_core.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule authz_user_module {modules}/mod_authz_user.so
LoadModule alias_module {modules}/mod_alias.so
LoadModule cgi_module {modules}/mod_cgi.so
LoadModule auth_openidc_module {modules}/mod_auth_openidc.so
{user}
StartServers 1
MinSpareServers 1
MaxSpareServers 2
DocumentRoot "{root}/htdocs"

OIDCProviderMetadataURL {discovery}
OIDCSSLValidateServer Off
OIDCClientID {client_id}
OIDCClientSecret {client_secret}
OIDCRedirectURI {redirect_uri}
OIDCCryptoPassphrase {passphrase}
OIDCScope "openid profile"
OIDCPKCEMethod S256
OIDCPassClaimsAs environment
OIDCProviderAuthRequestMethod GET
OIDCDefaultLoggedOutURL http://127.0.0.1:{port}/loggedout

ScriptAlias /protected/claims "{root}/cgi/claims"
ScriptAlias /loggedout "{root}/cgi/claims"
<Location /protected/>
    AuthType openid-connect
    Require valid-user
</Location>
<Directory "{root}/cgi">
    Require all granted
</Directory>
"""


class Apache:
    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, conf: str) -> None:
        (self.root / "htdocs").mkdir()
        (self.root / "cgi").mkdir()
        script = self.root / "cgi" / "claims"
        script.write_text(CGI)
        script.chmod(0o755)
        (self.root / "httpd.conf").write_text(conf)
        self._log = open(self.root / "stdout.log", "ab")
        self.proc = subprocess.Popen([APACHE, "-f", str(self.root / "httpd.conf"), "-DFOREGROUND"], stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"apache2 exited {self.proc.returncode}\n{self.log_tail()}")
            try:
                requests.get(f"{self.base_url}/loggedout", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"apache2 did not answer\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process_group(self.proc)
            self.proc = None
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def log_tail(self, limit: int = 6000) -> str:
        text = ""
        for name in ("stdout.log", "error.log"):
            try:
                text += f"--- apache {name} ---\n" + (self.root / name).read_text(errors="replace")[-limit:]
            except OSError:
                pass
        return text


def register_client(varco, redirect_uri: str, extra: list[str]) -> tuple[str, str]:
    out = varco.cli("client", "add", "--redirect-uri", redirect_uri, "--name", "mod_auth_openidc", *extra)
    return re.search(r"client_id: (\S+)", out).group(1), re.search(r"client_secret: (\S+)", out).group(1)


@pytest.fixture
def apache(varco, request):
    # Apache's children run as www-data when the test runs as root: the files must be readable to them.
    root = Path(tempfile.mkdtemp(prefix="varco-apache-"))
    root.chmod(0o755)
    apache = Apache(root, free_port())
    redirect_uri = f"{apache.base_url}/protected/redirect_uri"
    extra = ["--post-logout-redirect-uri", f"{apache.base_url}/loggedout",
             "--backchannel-logout-uri", f"{redirect_uri}?logout=backchannel"] if request.param else []
    client_id, secret = register_client(varco, redirect_uri, extra)
    user = "User www-data\nGroup www-data" if os.geteuid() == 0 else ""
    conf = CONF.format(root=root, port=apache.port, modules=MODULES, user=user, discovery=f"{varco.base_url}/.well-known/openid-configuration",
                       client_id=client_id, client_secret=secret, redirect_uri=redirect_uri, passphrase=os.urandom(16).hex())
    try:
        apache.start(conf)
        yield apache
    except BaseException:
        print(apache.log_tail())
        raise
    finally:
        apache.stop()
        shutil.rmtree(root, ignore_errors=True)


def log_in(browser: Browser, apache: Apache, citizen) -> dict:
    """Opens the protected page, logs in on Varco's pages, follows the way back; returns the claims the CGI saw."""
    login_page = browser.get(f"{apache.base_url}/protected/claims")
    assert "/login/" in urlsplit(login_page.url).path, f"{login_page.url} [{login_page.status}]\n{login_page.text[:2000]}"
    otp_page = browser.get(login_page.link("/otp-app"))
    form = otp_page.form(action_suffix="/otp-app")
    data = dict(form.fields, otp_id=citizen.otp_id, password=citizen.password, code=citizen.totp.next_code())
    page = browser.post(form.action, data)
    assert page.status == 200 and page.url.startswith(f"{apache.base_url}/protected/claims"), f"{page.url} [{page.status}]\n{page.text[:2000]}"
    return json.loads(page.text)


def fiscal_number_claim(claims: dict) -> str | None:
    for name, value in claims.items():
        if name.startswith("OIDC_CLAIM_") and name.endswith("fiscal_number"):
            return value
    return None


@pytest.mark.parametrize("apache", [False], indirect=True)
def test_login_shows_the_claims(varco, apache, browser):
    citizen = varco.add_citizen(given_name="Giulia", family_name="Bianchi")
    claims = log_in(browser, apache, citizen)
    assert claims.get("OIDC_CLAIM_given_name") == "Giulia", claims
    assert fiscal_number_claim(claims) == citizen.fiscal_number, claims
    assert claims.get("REMOTE_USER"), claims
    # the session cookie of mod_auth_openidc now opens the page without going to Varco
    again = browser.get(f"{apache.base_url}/protected/claims")
    assert again.status == 200 and all(not url.startswith(varco.base_url) for _, url in again.chain), again.chain


@pytest.mark.parametrize("apache", [True], indirect=True)
def test_rp_initiated_logout_reaches_varco_and_ends_the_sso_session(varco, apache, browser):
    citizen = varco.add_citizen(given_name="Paolo", family_name="Russo")
    claims = log_in(browser, apache, citizen)
    assert claims.get("OIDC_CLAIM_given_name") == "Paolo", claims

    logout_url = f"{apache.base_url}/protected/redirect_uri?" + urlencode({"logout": f"{apache.base_url}/loggedout"})
    page = browser.get(logout_url)
    visited = [url for _, url in page.chain]
    assert any(url.startswith(f"{varco.base_url}/oidc/logout?") for url in visited), page.chain
    logout_request = parse_qs(urlsplit(next(u for u in visited if u.startswith(f"{varco.base_url}/oidc/logout?"))).query)
    assert logout_request.get("id_token_hint") and logout_request.get("post_logout_redirect_uri") == [f"{apache.base_url}/loggedout"]
    assert page.status == 200 and page.url.startswith(f"{apache.base_url}/loggedout"), page.chain
    assert "varco_session" not in browser.session.cookies.get_dict()

    # Both sessions are gone: the protected page sends the browser to Varco's login pages again.
    again = browser.get(f"{apache.base_url}/protected/claims")
    assert "/login/" in urlsplit(again.url).path, again.chain


@pytest.mark.parametrize("apache", [True], indirect=True)
def test_back_channel_logout_ends_the_apache_session(varco, apache, browser):
    citizen = varco.add_citizen(given_name="Sara", family_name="Colombo")
    log_in(browser, apache, citizen)
    # Log out at Varco only: mod_auth_openidc learns it through the back channel.
    ask = browser.get(f"{varco.base_url}/oidc/logout")
    page = browser.submit(ask.form(action_suffix="/oidc/logout", has_field="confirm"))
    assert page.status == 200 and "varco_session" not in browser.session.cookies.get_dict(), page.chain
    deadline = time.monotonic() + 15
    while True:
        r = browser.session.get(f"{apache.base_url}/protected/claims", allow_redirects=False, timeout=10)
        if r.status_code in (302, 303) and r.headers.get("Location", "").startswith(varco.base_url):
            break
        assert time.monotonic() < deadline, f"the Apache session survived the back-channel logout\n{apache.log_tail()}"
        time.sleep(0.3)
