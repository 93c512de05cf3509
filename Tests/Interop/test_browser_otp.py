"""Regional OTP credentials as a citizen lives them, in a real Chromium (selenium + Debian's chromium):
an operator issues the credential from the command line (first half of the temporary password on the
paper form, second half by SMS); the citizen reads the SMS on the demo outbox page /demo/sms, does the
first access at a demo service (temporary password, new password twice, SMS code) and lands at the
service signed in; later, in a fresh browser, signs in with ID, password and a new SMS code.
Screenshots of each page go to the directory in VARCO_SCREENSHOTS (default: pytest's temporary directory).
"""

from __future__ import annotations

import datetime
import random
import re

import pytest

pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from harness import codice_fiscale  # noqa: E402
from test_browser import chromium, shots  # noqa: E402,F401  (fixtures)

NEW_PASSWORD = "Anna-Nuova-Pwd-2026"


def read_sms(driver, mobile: str, pattern: str, shots=None, name: str | None = None) -> str:
    """Opens /demo/sms in a new tab, finds the newest SMS to `mobile` matching `pattern`, returns group 1."""
    original = driver.current_window_handle
    base = driver.current_url.split("/login/")[0]
    driver.switch_to.new_window("tab")
    try:
        driver.get(base + "/demo/sms")
        if shots is not None and name:
            driver.save_screenshot(str(shots / name))
        for row in driver.find_elements(By.CSS_SELECTOR, "table.sms tbody tr"):  # newest first
            cells = [c.text for c in row.find_elements(By.TAG_NAME, "td")]
            if len(cells) >= 3 and cells[1] == mobile:
                found = re.search(pattern, cells[2])
                if found:
                    return found.group(1)
        raise AssertionError(f"no SMS to {mobile} matching {pattern!r}:\n{driver.page_source[:3000]}")
    finally:
        driver.close()
        driver.switch_to.window(original)


def issue_minor(varco) -> tuple[str, str, str]:
    """`varco otp issue` for a minor; returns the ID, the paper half and the mobile number."""
    rng = random.Random()
    birth = datetime.date(2013, 1, 1) + datetime.timedelta(days=rng.randrange(365))
    cf = codice_fiscale("Neri", "Anna", birth, female=True, place="F205")
    parent = codice_fiscale("Neri", "Marco", datetime.date(1980, 6, 15), female=False, place="F205")
    card = "8038000110" + "".join(str(rng.randrange(10)) for _ in range(10))
    mobile = "+39347" + "".join(str(rng.randrange(10)) for _ in range(7))
    out = varco.cli("otp", "issue", "--cf", cf, "--card-id", card, "--mobile", mobile, "--birth-date", birth.isoformat(),
                    "--given-name", "Anna", "--family-name", "Neri", "--minor", "--representative-cf", parent,
                    "--operator-name", "sportello-test")
    otp_id = re.search(r"^ID: ([0-9]{10})$", out, re.M).group(1)
    paper = re.search(r"modulo\): (\S{5})$", out, re.M).group(1)
    assert otp_id == card[-10:]
    return otp_id, paper, mobile


def submit(driver):
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit], form button[type=submit]").click()


def test_first_access_and_a_later_sms_login_in_chromium(varco, chromium, shots):
    otp_id, paper, mobile = issue_minor(varco)
    services = f"http://127.0.0.1:{varco.demo_sp_port}"
    wait = WebDriverWait(chromium, 20)

    # First access, from a service.
    chromium.get(f"{services}/fse/")
    chromium.find_element(By.LINK_TEXT, "Accedi con Varco").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.method[href$='/otp-sms']"))).click()
    wait.until(EC.presence_of_element_located((By.ID, "otp_id")))
    chromium.save_screenshot(str(shots / "otp-1-sms-login.png"))
    chromium.find_element(By.CSS_SELECTOR, "a[href$='/otp-sms/first-access']").click()
    wait.until(EC.presence_of_element_located((By.ID, "temporary_password")))
    sms_half = read_sms(chromium, mobile, r"password temporanea sono (\S{5})\.", shots, "otp-2-outbox-issued.png")
    chromium.find_element(By.ID, "otp_id").send_keys(otp_id)
    chromium.find_element(By.ID, "temporary_password").send_keys(paper + sms_half)
    chromium.save_screenshot(str(shots / "otp-3-first-access.png"))
    submit(chromium)

    wait.until(EC.presence_of_element_located((By.ID, "new_password")))
    chromium.find_element(By.ID, "new_password").send_keys(NEW_PASSWORD)
    chromium.find_element(By.ID, "confirm_password").send_keys(NEW_PASSWORD)
    chromium.save_screenshot(str(shots / "otp-4-new-password.png"))
    submit(chromium)

    wait.until(EC.presence_of_element_located((By.ID, "code")))
    code = read_sms(chromium, mobile, r"nuova password è ([0-9]{8})\.", shots, "otp-5-outbox-code.png")
    chromium.find_element(By.ID, "code").send_keys(code)
    chromium.save_screenshot(str(shots / "otp-6-code.png"))
    submit(chromium)

    wait.until(EC.url_to_be(f"{services}/fse/acs"))
    page = chromium.find_element(By.TAG_NAME, "main").text
    chromium.save_screenshot(str(shots / "otp-7-signed-in.png"))
    assert "Accesso eseguito" in page and "https://www.spid.gov.it/SpidL2" in page

    # Later, in a fresh browser session: ID + password, then the SMS code.
    for origin in (varco.base_url + "/", f"{services}/"):
        chromium.get(origin)
        chromium.delete_all_cookies()
    chromium.get(f"{services}/fse/")
    chromium.find_element(By.LINK_TEXT, "Accedi con Varco").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "a.method[href$='/otp-sms']"))).click()
    wait.until(EC.presence_of_element_located((By.ID, "otp_id"))).send_keys(otp_id)
    chromium.find_element(By.ID, "password").send_keys(NEW_PASSWORD)
    submit(chromium)
    wait.until(EC.presence_of_element_located((By.ID, "code")))
    code = read_sms(chromium, mobile, r"usa e getta è ([0-9]{8})\.", shots, "otp-8-outbox-login.png")
    chromium.find_element(By.ID, "code").send_keys(code)
    submit(chromium)
    wait.until(EC.url_to_be(f"{services}/fse/acs"))
    chromium.save_screenshot(str(shots / "otp-9-signed-in-again.png"))
    assert "Accesso eseguito" in chromium.find_element(By.TAG_NAME, "main").text
