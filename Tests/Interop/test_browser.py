"""What a citizen sees, in a real Chromium (Debian's chromium + chromium-driver, driven by selenium):
the demo service sends the browser to Varco, the citizen chooses the authenticator-app method, makes a
mistake, corrects it, and lands back at the service with the attributes of the signed assertion; a
second demo service then gets the citizen in without a login. The auto-submit script, the cookies
(SameSite=None across http and https) and the Content-Security-Policy are exercised as a browser
enforces them. Screenshots of each page go to the directory in VARCO_SCREENSHOTS (default: pytest's
temporary directory).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("selenium")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def chromium(tmp_path):
    if not Path(CHROMEDRIVER).exists():
        pytest.fail("chromium-driver is not installed: run scripts/setup-deps", pytrace=False)
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--ignore-certificate-errors", "--window-size=1000,1000", "--lang=it-IT"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("VARCO_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_citizen_signs_in_at_a_demo_service_and_reaches_another_without_login(varco, chromium, shots):
    citizen = varco.add_citizen(given_name="Giulia", family_name="Bianchi")
    services = f"http://127.0.0.1:{varco.demo_sp_port}"
    wait = WebDriverWait(chromium, 20)

    chromium.get(f"{services}/fse/")
    chromium.save_screenshot(str(shots / "1-service.png"))
    chromium.find_element(By.LINK_TEXT, "Accedi con Varco").click()

    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.method")))
    assert chromium.current_url.startswith(varco.base_url + "/login/")
    assert "Scegli come entrare" in chromium.page_source
    chromium.save_screenshot(str(shots / "2-methods.png"))
    chromium.find_element(By.CSS_SELECTOR, "a.method[href$='/otp-app']").click()

    wait.until(EC.presence_of_element_located((By.ID, "otp_id")))
    assert chromium.switch_to.active_element.get_attribute("id") == "otp_id"
    chromium.find_element(By.ID, "otp_id").send_keys(citizen.otp_id)
    chromium.find_element(By.ID, "password").send_keys("not-the-password")
    chromium.find_element(By.ID, "code").send_keys(citizen.totp.next_code())
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    error = wait.until(EC.presence_of_element_located((By.ID, "form-error")))
    assert "non corretti" in error.text
    assert chromium.find_element(By.ID, "otp_id").get_attribute("value") == citizen.otp_id
    assert chromium.find_element(By.ID, "password").get_attribute("value") == ""
    chromium.save_screenshot(str(shots / "3-error.png"))
    chromium.find_element(By.ID, "password").send_keys(citizen.password)
    chromium.find_element(By.ID, "code").send_keys(citizen.totp.next_code())
    chromium.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    wait.until(EC.url_to_be(f"{services}/fse/acs"))
    page = chromium.find_element(By.TAG_NAME, "main").text
    chromium.save_screenshot(str(shots / "4-fse-signed-in.png"))
    assert "Accesso eseguito" in page
    assert citizen.fiscal_number in page
    assert "https://www.spid.gov.it/SpidL2" in page

    chromium.get(f"{services}/bandi/login")
    wait.until(EC.url_to_be(f"{services}/bandi/acs"))
    chromium.save_screenshot(str(shots / "5-bandi-sso.png"))
    assert citizen.fiscal_number in chromium.find_element(By.TAG_NAME, "main").text


def test_pages_switch_to_english(varco, chromium):
    chromium.get(varco.base_url + "/?lang=en")
    assert "One sign-in for the regional services" in chromium.page_source
    chromium.get(varco.base_url + "/")
    assert "One sign-in" in chromium.page_source, "the language choice is remembered"
    chromium.get(varco.base_url + "/?lang=it")
    assert "Accesso unico" in chromium.page_source
