"""Authenticator-app enrollment against a live Varco, with codes computed by oathtool (an independent
RFC 6238 implementation): sign in, open /profilo, scan (read) the secret, confirm with oathtool's code,
keep the recovery codes; then sign in with an oathtool code and with a recovery code (once); then the
operator resets the app from the command line and the app no longer opens.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import time

import pytest

from browser import Browser, login_with_otp_app

OATHTOOL = shutil.which("oathtool")


def oathtool(secret: str, at: float) -> str:
    out = subprocess.run([OATHTOOL, "--totp", "-b", "--now", f"@{int(at)}", secret],
                         capture_output=True, text=True, check=True, timeout=10)
    code = out.stdout.strip()
    assert re.fullmatch(r"[0-9]{6}", code), out
    return code


def sign_in(varco, browser: Browser, otp_id: str, password: str, code: str):
    services = f"http://127.0.0.1:{varco.demo_sp_port}"
    methods = browser.get(f"{services}/fse/login")
    return login_with_otp_app(browser, methods, otp_id, password, code)


def test_enrollment_with_oathtool_recovery_codes_and_operator_reset(varco):
    if OATHTOOL is None:
        pytest.fail("oathtool is not installed: run scripts/setup-deps", pytrace=False)
    citizen = varco.add_citizen(given_name="Paola", family_name="Verdi")
    browser = Browser()
    signed = sign_in(varco, browser, citizen.otp_id, citizen.password, citizen.totp.next_code())
    assert signed.saml_post() is not None, signed.text[:2000]

    profile = browser.get(varco.base_url + "/profilo")
    assert profile.status == 200 and "Ultimo accesso" in profile.text, profile.text[:2000]
    started = browser.submit(profile.form(action_suffix="/profilo/app"))
    assert started.status == 200, started.text[:2000]
    qr = re.search(r'<img id="qr" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', started.text)
    assert qr, started.text[:3000]
    assert base64.b64decode(qr.group(1)).startswith(b"<svg")
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', started.text).group(1).replace(" ", "")

    now = time.time()
    confirmed = browser.submit(started.form(action_suffix="/profilo/app/confirm"), code=oathtool(secret, now))
    assert confirmed.status == 200, confirmed.text[:3000]
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", confirmed.text)
    assert len(codes) == 10 and len(set(codes)) == 10

    # A later login: the app's next code, as oathtool computes it.
    later = sign_in(varco, Browser(), citizen.otp_id, citizen.password, oathtool(secret, now + 30))
    assert later.saml_post() is not None, later.text[:2000]
    # A recovery code instead of the app: once.
    recovered = sign_in(varco, Browser(), citizen.otp_id, citizen.password, codes[0])
    assert recovered.saml_post() is not None, recovered.text[:2000]
    again = sign_in(varco, Browser(), citizen.otp_id, citizen.password, codes[0])
    assert again.saml_post() is None and again.status == 422

    # The operator resets the app: oathtool's codes open nothing any more.
    varco.cli("otp", "reset-app", citizen.otp_id)
    after = sign_in(varco, Browser(), citizen.otp_id, citizen.password, oathtool(secret, now + 60))
    assert after.saml_post() is None and after.status == 422
