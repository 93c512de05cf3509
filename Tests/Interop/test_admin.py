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
                       ("/admin/audit?lang=en", "09-audit-en.png")):
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
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)


def snapshot(session, varco) -> dict:
    return {path: session.get(varco.base_url + "/admin/api/v1" + path, timeout=30).json()
            for path in ("/saml-services", "/oidc-clients", "/roles", "/tokens")}


def test_schemathesis_finds_no_server_error_and_no_response_outside_the_document(varco, tmp_path):
    result = schemathesis(varco, api_token(varco, "admin", "schemathesis"), tmp_path)
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
