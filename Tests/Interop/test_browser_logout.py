"""Single logout in a real Chromium: the citizen signs in once and reaches the three demo services
(Fascicolo Sanitario Elettronico, Bandi online, Prenota Salute), then presses "Esci" at Prenota Salute.
Varco ends the session, tells FSE and Bandi one at a time in a frame of its logout page (their answers
come back inside the frame and move the page on), shows the result for each service, and returns to
Prenota Salute with the LogoutResponse. Screenshots of the result page, in Italian and English, go to
the directory in VARCO_SCREENSHOTS (default: pytest's temporary directory), like the other browser tests.
"""

from __future__ import annotations

import pytest

pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from test_browser import chromium, shots  # noqa: E402,F401  (fixtures)


def test_citizen_logs_out_of_three_services_at_once(varco, chromium, shots):
    citizen = varco.add_citizen(given_name="Chiara", family_name="Marino")
    services = f"http://127.0.0.1:{varco.demo_sp_port}"
    wait = WebDriverWait(chromium, 60)

    chromium.get(f"{services}/fse/login")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.method[href$='/otp-app']"))).click()
    wait.until(EC.presence_of_element_located((By.ID, "otp_id"))).send_keys(citizen.otp_id)
    chromium.find_element(By.ID, "password").send_keys(citizen.password)
    chromium.find_element(By.ID, "code").send_keys(citizen.totp.next_code())
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(EC.url_to_be(f"{services}/fse/acs"))
    for slug in ("bandi", "prenota"):
        chromium.get(f"{services}/{slug}/login")
        wait.until(EC.url_to_be(f"{services}/{slug}/acs"))
        assert citizen.fiscal_number in chromium.find_element(By.TAG_NAME, "main").text
    chromium.save_screenshot(str(shots / "logout-1-prenota-signed-in.png"))

    chromium.find_element(By.ID, "demo-logout").click()
    results = wait.until(EC.presence_of_element_located((By.ID, "logout-results")))
    assert chromium.current_url.startswith(varco.base_url + "/logout/progress")
    text = results.text
    chromium.save_screenshot(str(shots / "logout-2-result-it.png"))
    for name in ("Fascicolo Sanitario Elettronico", "Bandi online", "Prenota Salute"):
        assert f"{name}: disconnesso" in text, text
    assert "non ha risposto" not in text

    chromium.get(varco.base_url + "/logout/progress?lang=en")
    english = wait.until(EC.presence_of_element_located((By.ID, "logout-results"))).text
    assert "Bandi online: logged out" in english, english
    chromium.save_screenshot(str(shots / "logout-3-result-en.png"))

    chromium.get(varco.base_url + "/logout/progress?lang=it")
    wait.until(EC.element_to_be_clickable((By.ID, "logout-return"))).click()
    wait.until(EC.url_contains(f"{services}/prenota/slo"))
    assert "Sei uscito dal servizio e da Varco" in chromium.find_element(By.TAG_NAME, "main").text
    chromium.save_screenshot(str(shots / "logout-4-back-at-prenota.png"))

    # Every service now asks for a full login again.
    chromium.get(f"{services}/bandi/login")
    wait.until(EC.url_contains(varco.base_url + "/login/"))


def test_esci_on_varco_with_a_service_that_never_answers(varco, chromium, shots, tmp_path):
    """"Esci" on Varco's own page; one service's logout endpoint never answers: after its timeout the page moves
    on by itself and shows it, while the other service is logged out and Varco's session is over."""
    from harness import free_port
    from sps import BINDING_REDIRECT, make_keypair
    from test_logout import Pysaml2SLO

    citizen = varco.add_citizen(given_name="Tommaso", family_name="Greco")
    services = f"http://127.0.0.1:{varco.demo_sp_port}"
    wait = WebDriverWait(chromium, 60)
    # A service whose logout endpoint is a loopback port where nothing listens.
    silent = f"http://127.0.0.1:{free_port()}"
    key, cert = make_keypair(tmp_path, "silent")
    sp = Pysaml2SLO(tmp_path, f"{silent}/metadata", f"{silent}/acs", key, cert)
    varco.cli("sp", "add", str(sp.write_metadata()), "--name", "Servizio muto")
    sp.trust_idp(varco.metadata())

    chromium.get(f"{services}/fse/login")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.method[href$='/otp-app']"))).click()
    wait.until(EC.presence_of_element_located((By.ID, "otp_id"))).send_keys(citizen.otp_id)
    chromium.find_element(By.ID, "password").send_keys(citizen.password)
    chromium.find_element(By.ID, "code").send_keys(citizen.totp.next_code())
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(EC.url_to_be(f"{services}/fse/acs"))
    # The silent service is reached through the SSO session (its ACS is not there either: only the visit counts).
    chromium.get(sp.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="silent").url)
    wait.until(lambda driver: not driver.current_url.startswith(varco.base_url + "/sso"))

    chromium.get(varco.base_url + "/")
    chromium.find_element(By.CSS_SELECTOR, "a.logout").click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "form[action='/logout'] button"))).click()
    results = wait.until(EC.presence_of_element_located((By.ID, "logout-results")))
    text = results.text
    chromium.save_screenshot(str(shots / "logout-5-partial-it.png"))
    assert "Fascicolo Sanitario Elettronico: disconnesso" in text, text
    assert "Servizio muto: non ha risposto: chiudi il browser" in text, text
    assert "chiudi il browser per essere sicuro" in chromium.find_element(By.CSS_SELECTOR, "[role=alert]").text

    chromium.get(f"{services}/bandi/login")
    wait.until(EC.url_contains(varco.base_url + "/login/"))
