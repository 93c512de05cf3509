"""Interop: a demo service with assertion encryption on receives an EncryptedAssertion and opens it with
Varco's own service-provider checks (the demo's metadata publishes its certificate for encryption too)."""

from __future__ import annotations

import requests

from browser import Browser, expect_saml_post, login_with_otp_app
from encryption import assert_encrypted_response


def test_demo_service_opens_an_encrypted_assertion(varco, browser: Browser, tmp_path):
    services = f"http://127.0.0.1:{varco.demo_sp_port}"
    entity_id = f"{services}/prenota/metadata"
    metadata = tmp_path / "prenota.xml"
    metadata.write_bytes(requests.get(entity_id, timeout=30).content)
    assert b'use="encryption"' in metadata.read_bytes()
    # `sp add` replaces the registration: with encryption on, then back to the seeded defaults.
    assert varco.cli("sp", "add", str(metadata), "--encrypt-assertions").strip() == entity_id
    try:
        citizen = varco.add_citizen("Paola", "Demo")
        page = browser.get(f"{services}/prenota/login")
        page = login_with_otp_app(browser, page, citizen.otp_id, citizen.password, citizen.totp.next_code())
        post = expect_saml_post(page, f"{services}/prenota/acs")
        assert_encrypted_response(post.saml_response, citizen.fiscal_number)
        fields = {"SAMLResponse": post.saml_response}
        if post.relay_state is not None:
            fields["RelayState"] = post.relay_state
        result = browser.post(post.acs, fields)
        assert result.status == 200, result.text[:2000]
        assert 'class="ok"' in result.text, result.text[:3000]
        assert citizen.fiscal_number in result.text
    finally:
        varco.cli("sp", "add", str(metadata))
