"""A citizen signs in at a demo service through "Entra con SPID", in a real Chromium.

The demo service (FSE, SpidL2) sends the browser to Varco; the citizen opens the "Entra con SPID"
button, picks the demo's stand-in SPID provider (registered only with --demo), authorises the sign-in
there; Varco checks the SPID Response and answers the service, which shows the attributes of Varco's
signed assertion at the level the SPID provider reached. Screenshots go to VARCO_SCREENSHOTS.
"""

from __future__ import annotations

import pytest

pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from test_browser import chromium, shots  # noqa: E402,F401  (fixtures)

STAND_IN_CF = "BNCGLI85M41H501Y"


def test_citizen_signs_in_at_a_demo_service_with_spid(varco, chromium, shots):  # noqa: F811
    services = f"http://127.0.0.1:{varco.demo_sp_port}"
    wait = WebDriverWait(chromium, 20)

    chromium.get(f"{services}/fse/")
    chromium.find_element(By.LINK_TEXT, "Accedi con Varco").click()

    button = wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "details.spid-button summary")))
    assert "Entra con SPID" in button.text
    provider = chromium.find_element(By.CSS_SELECTOR, "details.spid-button a.spid-provider")
    assert not provider.is_displayed(), "the provider list opens only from the button"
    button.click()
    chromium.save_screenshot(str(shots / "spid-1-chooser.png"))
    assert provider.is_displayed() and provider.text == "SPID di prova (demo)"
    provider.click()

    authorise = wait.until(EC.presence_of_element_located((By.ID, "spid-idp-login")))
    assert chromium.current_url.startswith(f"{services}/spid-idp/sso?SAMLRequest=")
    assert "https://www.spid.gov.it/SpidL2" in chromium.page_source, "the provider was asked the service's level"
    chromium.save_screenshot(str(shots / "spid-2-provider.png"))
    authorise.click()

    wait.until(EC.url_to_be(f"{services}/fse/acs"))
    page = chromium.find_element(By.TAG_NAME, "main").text
    chromium.save_screenshot(str(shots / "spid-3-fse-signed-in.png"))
    assert "Accesso eseguito" in page
    assert f"TINIT-{STAND_IN_CF}" in page
    assert "Giulia" in page and "Bianchi" in page
    assert "https://www.spid.gov.it/SpidL2" in page
