"""The administration console and REST API against a live Varco.

- A real Chromium signs in to /admin as the demo administrator (the demo citizen, granted the admin role by
  the demo seed), registers a new pysaml2 service provider by uploading its metadata, and that service then
  completes a login; disabling the service from the console (with its confirmation step) makes the next login
  end on a clear error page. Screenshots of each console page go to VARCO_SCREENSHOTS (default: pytest's
  temporary directory).
- schemathesis, run against the live OpenAPI document (/admin/api/openapi.json), finds no 5xx and no response
  that breaks the document; a token of the auditor role changes nothing.
- `varco admin grant` gives a citizen a role from the command line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from browser import Browser, TotpDevice, expect_saml_post, login_with_otp_app, new_session
from sps import BINDING_REDIRECT, Pysaml2SP, make_keypair, send

pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
DEMO_CF = "RSSMRA80A01H501U"
DEMO_OTP_ID = "8038000030"
DEMO_PASSWORD = "Demo-Varco-2026"
DEMO_TOTP = TotpDevice("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")


@pytest.fixture
def chromium():
    if not Path(CHROMEDRIVER).exists():
        pytest.fail("chromium-driver is not installed: run scripts/setup-deps", pytrace=False)
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--ignore-certificate-errors", "--window-size=1100,1200", "--lang=it-IT"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("VARCO_SCREENSHOTS", tmp_path / "screenshots")) / "admin"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def api_token(varco, role: str, name: str) -> str:
    return varco.cli("admin-token", "add", name, "--role", role, "--days", "1").strip()


def api(varco, token: str):
    session = new_session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def sign_in(varco, chromium, wait, shots):
    chromium.get(varco.base_url + "/admin/")
    chromium.save_screenshot(str(shots / "01-signin.png"))
    chromium.find_element(By.ID, "admin-signin").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.method[href$='/otp-app']"))).click()
    wait.until(EC.presence_of_element_located((By.ID, "otp_id"))).send_keys(DEMO_OTP_ID)
    chromium.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    chromium.find_element(By.ID, "code").send_keys(DEMO_TOTP.next_code())
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "nav.admin-nav")))
    assert chromium.current_url == varco.base_url + "/admin/"


def test_console_registers_a_pysaml2_service_that_logs_in_and_disabling_it_stops_the_next_login(
        varco, chromium, shots, tmp_path_factory):
    work = tmp_path_factory.mktemp("console-sp")
    key, cert = make_keypair(work, "console-sp.test")
    sp = Pysaml2SP(work, "https://console-sp.test/metadata", "https://console-sp.test/acs", key, cert)
    metadata_file = sp.write_metadata()
    wait = WebDriverWait(chromium, 20)

    sign_in(varco, chromium, wait, shots)
    assert DEMO_CF in chromium.find_element(By.CSS_SELECTOR, "nav.admin-nav").text
    chromium.save_screenshot(str(shots / "02-services.png"))

    chromium.find_element(By.LINK_TEXT, "Registra un servizio").click()
    wait.until(EC.presence_of_element_located((By.ID, "metadata_file"))).send_keys(str(metadata_file))
    chromium.find_element(By.ID, "display_name").send_keys("Servizio di prova")
    chromium.save_screenshot(str(shots / "03-register.png"))
    chromium.find_element(By.ID, "register").click()
    state = wait.until(EC.presence_of_element_located((By.ID, "service-state")))
    assert state.text == "attivo"
    assert chromium.find_element(By.ID, "service-id").text == sp.entity_id
    chromium.save_screenshot(str(shots / "04-service.png"))

    # The new service completes a login (a citizen of its own, through the plain HTTP client).
    sp.trust_idp(varco.metadata())
    citizen = varco.add_citizen("Carla", "Fontana")
    browser = Browser()
    req = sp.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="console")
    page = login_with_otp_app(browser, send(browser, req), citizen.otp_id, citizen.password, citizen.totp.next_code())
    post = expect_saml_post(page, sp.acs)
    _, attrs = sp.process_response(post.saml_response, req.id, "console")
    assert attrs.get("fiscalNumber") == [citizen.fiscal_number]

    # Disabling asks for confirmation; then the next login ends on a clear error page.
    chromium.find_element(By.ID, "disable").click()
    question = wait.until(EC.presence_of_element_located((By.ID, "question")))
    assert "Servizio di prova" in question.text
    chromium.save_screenshot(str(shots / "05-confirm-disable.png"))
    chromium.find_element(By.ID, "confirm").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "service-state"), "disattivato"))

    refused = send(Browser(), sp.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="after"))
    assert refused.status in (400, 403), refused.chain
    assert "disattivato" in refused.text and refused.saml_post() is None

    for path, name in (("/admin/audit", "06-audit.png"), ("/admin/roles", "07-roles.png"), ("/admin/keys", "08-keys.png"),
                       ("/admin/clients/new", "09-client-new.png"), ("/admin/audit?lang=en", "10-audit-en.png")):
        chromium.get(varco.base_url + path)
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "nav.admin-nav")))
        chromium.save_screenshot(str(shots / name))
    assert "relyingPartyChanged" in chromium.page_source and "Audit log" in chromium.page_source


def test_cli_grants_a_role_and_the_api_lists_it(varco):
    citizen = varco.add_citizen("Elena", "Galli")
    varco.cli("admin", "grant", citizen.cf, "auditor")
    assert citizen.cf in varco.cli("admin", "list")
    again = varco.cli_result("admin", "grant", citizen.cf, "auditor")
    assert again.returncode != 0 and "already holds" in again.stderr
    grants = api(varco, api_token(varco, "auditor", "lister")).get(varco.base_url + "/admin/api/v1/roles", timeout=30).json()
    assert {"codice_fiscale": citizen.cf, "role": "auditor"}.items() <= next(g for g in grants if g["codice_fiscale"] == citizen.cf).items()


def schemathesis(varco, token: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE")}
    command = [str(Path(sys.executable).with_name("schemathesis")), "run", varco.base_url + "/admin/api/openapi.json",
               "--url", varco.base_url + "/admin/api/v1", "--header", f"Authorization: Bearer {token}", "--tls-verify", "false",
               "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
               "--max-examples", os.environ.get("VARCO_SCHEMATHESIS_EXAMPLES", "25"), "--seed", "8", "--workers", "1",
               "--phases", "examples,coverage,fuzzing", "--report", "junit", "--report-dir", str(tmp_path), *extra]
    # Run in the test's temporary directory: schemathesis and hypothesis keep their databases in the working directory.
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL, cwd=tmp_path)


def snapshot(session, varco) -> dict:
    return {path: session.get(varco.base_url + "/admin/api/v1" + path, timeout=30).json()
            for path in ("/saml-services", "/oidc-clients", "/roles", "/tokens")}


def test_schemathesis_finds_no_server_error_and_no_response_outside_the_document(varco, tmp_path):
    # The key rollover steps change the shared data directory's key files (the auditor run below covers their 403;
    # the in-process AdminAPITests cover what they do).
    result = schemathesis(varco, api_token(varco, "admin", "schemathesis"), tmp_path, "--exclude-path-regex", "^/keys/")
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]


def test_an_auditor_token_changes_nothing(varco, tmp_path):
    admin = api(varco, api_token(varco, "admin", "watcher"))
    auditor_token = api_token(varco, "auditor", "auditor-fuzz")
    before = snapshot(admin, varco)
    result = schemathesis(varco, auditor_token, tmp_path, "--include-method", "POST", "--include-method", "PATCH",
                          "--include-method", "PUT", "--include-method", "DELETE")
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert snapshot(admin, varco) == before
    auditor = api(varco, auditor_token)
    key = before["/saml-services"][0]["key"]
    for method, path, body in (("PATCH", f"/saml-services/{key}", {"enabled": False}), ("DELETE", f"/saml-services/{key}", None),
                               ("POST", "/roles", {"codice_fiscale": DEMO_CF, "role": "auditor"}),
                               ("POST", "/tokens", {"name": "x", "role": "admin"}),
                               ("POST", "/oidc-clients", {"redirect_uris": ["https://rp.test/cb"]})):
        answer = auditor.request(method, varco.base_url + "/admin/api/v1" + path, json=body, timeout=30)
        assert answer.status_code == 403, (method, path, answer.status_code, answer.text)
        assert answer.headers["Content-Type"] == "application/problem+json"
    assert snapshot(admin, varco) == before


class MetadataServer:
    """A loopback HTTP server answering every GET with `body` (changed by the test between refreshes)."""

    def __init__(self):
        import http.server
        import threading

        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                if server.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", server.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", server.content_type)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.body = b""
        self.redirect_to = ""
        self.content_type = "application/samlmetadata+xml"
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/metadata.xml"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def metadata_server():
    server = MetadataServer()
    try:
        yield server
    finally:
        server.stop()


def test_metadata_by_url_is_refreshed_and_keeps_the_last_good_copy(varco, metadata_server, tmp_path_factory):
    from sps import OneLoginSP

    work = tmp_path_factory.mktemp("remote-sp")
    key, cert = make_keypair(work, "remote-sp.test")
    entity = "https://remote-sp.test/metadata"
    first = OneLoginSP(work, entity, "https://remote-sp.test/acs", key, cert, sign_metadata=True)
    second = OneLoginSP(work, entity, "https://remote-sp.test/acs2", key, cert, sign_metadata=True)
    other_key, other_cert = make_keypair(work, "intruder.test")
    forged = OneLoginSP(work, entity, "https://evil.test/acs", other_key, other_cert, sign_metadata=True)

    admin = api(varco, api_token(varco, "admin", "metadata-url"))
    base = varco.base_url + "/admin/api/v1/saml-services"

    metadata_server.body = first.metadata()
    created = admin.post(base, json={"metadata_url": metadata_server.url, "pinned_certificate": Path(cert).read_text()}, timeout=60)
    assert created.status_code == 201, created.text
    service = created.json()
    assert service["entity_id"] == entity and service["assertion_consumer_services"] == ["https://remote-sp.test/acs"]
    assert service["metadata_url"] == metadata_server.url and service["metadata_next_refresh"]
    url = f"{base}/{service['key']}"

    # The document changes: a refresh takes the new one.
    metadata_server.body = second.metadata()
    refreshed = admin.post(url + "/refresh", timeout=60)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["assertion_consumer_services"] == ["https://remote-sp.test/acs2"]

    # Garbage, then a document signed by another key: refused, the last good copy stays, the failure is shown.
    for body, code in ((b"<html><body>Service Unavailable</body></html>", "metadata-"), (forged.metadata(), "metadata-signature")):
        metadata_server.body = body
        failed = admin.post(url + "/refresh", timeout=60)
        assert failed.status_code == 422, failed.text
        assert failed.headers["Content-Type"] == "application/problem+json"
        assert failed.json()["errors"][0]["code"].startswith(code), failed.json()
        now = admin.get(url, timeout=30).json()
        assert now["assertion_consumer_services"] == ["https://remote-sp.test/acs2"]
        assert now["metadata_last_error"]

    # Too large an answer is cut off.
    metadata_server.body = b"<x>" + b" " * (3 * 1024 * 1024) + b"</x>"
    too_large = admin.post(url + "/refresh", timeout=60)
    assert too_large.status_code == 422 and too_large.json()["errors"][0]["code"] == "metadata-too-large", too_large.text

    # A redirect is not followed (the registered address is the one that was checked).
    metadata_server.body = second.metadata()
    metadata_server.redirect_to = "http://example.invalid/metadata.xml"
    redirected = admin.post(url + "/refresh", timeout=60)
    assert redirected.status_code == 422 and redirected.json()["errors"][0]["code"] == "metadata-url-redirect", redirected.text

    failures = admin.get(varco.base_url + "/admin/api/v1/audit", params={"event": "metadataRefreshFailed", "service": entity}, timeout=30).json()
    assert len(failures) == 4
    assert admin.get(varco.base_url + "/admin/api/v1/audit", params={"event": "metadataRefreshed", "service": entity}, timeout=30).json()


def metric(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_are_scraped_and_move_as_logins_happen(varco, tmp_path_factory):
    scrape = lambda: new_session().get(varco.base_url + "/metrics", timeout=30)  # noqa: E731
    first = scrape()
    assert first.status_code == 200 and first.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    series = 'varco_logins_total{method="otp-app",result="success"}'
    before = metric(first.text, series)
    issued_before = metric(first.text, 'varco_assertions_issued_total{protocol="saml"}')

    work = tmp_path_factory.mktemp("metrics-sp")
    key, cert = make_keypair(work, "metrics-sp.test")
    sp = Pysaml2SP(work, "https://metrics-sp.test/metadata", "https://metrics-sp.test/acs", key, cert)
    varco.add_sp(sp.write_metadata())
    sp.trust_idp(varco.metadata())
    citizen = varco.add_citizen("Marta", "Conti")
    browser = Browser()
    req = sp.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="metrics")
    page = login_with_otp_app(browser, send(browser, req), citizen.otp_id, citizen.password, citizen.totp.next_code())
    sp.process_response(expect_saml_post(page, sp.acs).saml_response, req.id, "metrics")

    after = scrape().text
    assert metric(after, series) == before + 1
    assert metric(after, 'varco_assertions_issued_total{protocol="saml"}') == issued_before + 1
    assert 'varco_http_request_duration_seconds_bucket{path="sso"' in after
    assert 'varco_store_duration_seconds_count{store="audit",operation="append"}' in after
    assert "X-Request-ID" in scrape().headers
