"""OpenID Connect interop: authlib as the relying party.

Code flow with PKCE (S256), token refresh with rotation, introspection (RFC 7662) and
revocation (RFC 7009); ID and access tokens are verified with joserfc against the JWKS.
Uses the `varco` fixture (conftest.py) and the `client` CLI to register the client.
Needs: authlib, joserfc (pip).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from browser import Browser, new_session

REDIRECT_URI = "http://127.0.0.1:9/cb"  # never fetched: the code is read from the Location header


def register_client(varco) -> tuple[str, str]:
    out = varco.cli("client", "add", "--redirect-uri", REDIRECT_URI, "--name", "authlib RP")
    client_id = re.search(r"client_id: (\S+)", out).group(1)
    secret = re.search(r"client_secret: (\S+)", out).group(1)
    return client_id, secret


def discovery(varco) -> dict:
    r = new_session().get(f"{varco.base_url}/.well-known/openid-configuration", timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def login_and_get_redirect(varco, browser: Browser, authorization_url: str, citizen) -> str:
    """Logs the citizen in on Varco's pages and returns the redirect back to the client."""
    login_page = browser.get(authorization_url)
    assert "/login/" in urlsplit(login_page.url).path, f"{login_page.url} [{login_page.status}]\n{login_page.text[:2000]}"
    otp_page = browser.get(login_page.link("/otp-app"))
    form = otp_page.form(action_suffix="/otp-app")
    data = dict(form.fields, otp_id=citizen.otp_id, password=citizen.password, code=citizen.totp.next_code())
    resp = browser.session.post(form.action, data=data, allow_redirects=False, timeout=30, verify=False)
    assert resp.status_code in (302, 303), f"{resp.status_code}\n{resp.text[:2000]}"
    return urljoin(form.action, resp.headers["Location"])


@pytest.fixture
def oidc_client(varco):
    client_id, secret = register_client(varco)
    meta = discovery(varco)
    session = OAuth2Session(client_id, secret, scope="openid profile", redirect_uri=REDIRECT_URI,
                            code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
    session.verify = False
    session.trust_env = False
    return session, meta, client_id, secret


def test_code_flow_with_pkce_refresh_introspection_and_revocation(varco, browser, oidc_client):
    session, meta, client_id, secret = oidc_client
    assert meta["issuer"] == varco.base_url
    citizen = varco.add_citizen(given_name="Anna", family_name="Verdi")
    keys = KeySet.import_key_set(new_session().get(meta["jwks_uri"], timeout=30).json())

    verifier = generate_token(48)
    nonce = generate_token(16)
    url, state = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce,
                                                  acr_values="https://www.spid.gov.it/SpidL2")
    callback = login_and_get_redirect(varco, browser, url, citizen)
    query = parse_qs(urlsplit(callback).query)
    assert query["state"] == [state] and query["iss"] == [meta["issuer"]], callback

    token = session.fetch_token(meta["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    id_token = jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    claims = id_token.claims
    assert claims["iss"] == meta["issuer"] and claims["aud"] == client_id and claims["nonce"] == nonce
    assert claims["acr"] == "https://www.spid.gov.it/SpidL2" and "otp" in claims["amr"] and claims["sid"]
    access = jwt.decode(token["access_token"], keys, algorithms=["RS256"])
    assert access.header["typ"] == "at+jwt" and access.claims["client_id"] == client_id

    info = session.get(meta["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"]
    assert info["https://attributes.eid.gov.it/fiscal_number"] == citizen.fiscal_number
    assert info["given_name"] == "Anna" and info["birthdate"] == citizen.birth_date

    old_refresh = token["refresh_token"]
    refreshed = session.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
    assert refreshed["refresh_token"] != old_refresh

    auth = (client_id, secret)
    intro = requests.post(meta["introspection_endpoint"], data={"token": refreshed["access_token"]}, auth=auth, verify=False).json()
    assert intro["active"] is True and intro["client_id"] == client_id

    # Reusing the rotated refresh token is refused and kills the grant.
    reuse = requests.post(meta["token_endpoint"], data={"grant_type": "refresh_token", "refresh_token": old_refresh}, auth=auth, verify=False)
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    intro = requests.post(meta["introspection_endpoint"], data={"token": refreshed["access_token"]}, auth=auth, verify=False).json()
    assert intro == {"active": False}


def test_revocation_ends_the_tokens(varco, browser, oidc_client):
    session, meta, client_id, secret = oidc_client
    citizen = varco.add_citizen(given_name="Luca", family_name="Neri")
    verifier = generate_token(48)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier)
    token = session.fetch_token(meta["token_endpoint"], authorization_response=login_and_get_redirect(varco, browser, url, citizen),
                                code_verifier=verifier)
    session.revoke_token(meta["revocation_endpoint"], token["refresh_token"], token_type_hint="refresh_token")
    r = requests.get(meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}, verify=False)
    assert r.status_code == 401


def test_unregistered_redirect_uri_is_not_followed(varco, oidc_client):
    _, meta, client_id, _ = oidc_client
    r = new_session().get(meta["authorization_endpoint"], params={
        "client_id": client_id, "redirect_uri": "https://evil.example/cb", "response_type": "code", "scope": "openid"},
        allow_redirects=False, timeout=30)
    assert r.status_code == 400 and "Location" not in r.headers


FISCAL_NUMBER = "https://attributes.eid.gov.it/fiscal_number"


def test_a_client_limited_to_the_fiscal_number_gets_nothing_else(varco, browser):
    out = varco.cli("client", "add", "--redirect-uri", REDIRECT_URI, "--name", "authlib RP, fiscal number only",
                    "--claims", FISCAL_NUMBER)
    client_id = re.search(r"client_id: (\S+)", out).group(1)
    secret = re.search(r"client_secret: (\S+)", out).group(1)
    meta = discovery(varco)
    assert {"phone", "profile", "email"} <= set(meta["scopes_supported"])
    assert {FISCAL_NUMBER, "given_name", "email", "phone_number", "gender", "place_of_birth"} <= set(meta["claims_supported"])
    session = OAuth2Session(client_id, secret, scope="openid profile email phone", redirect_uri=REDIRECT_URI,
                            code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
    session.verify = False
    session.trust_env = False
    citizen = varco.add_citizen(given_name="Giulia", family_name="Bianchi", email="giulia.bianchi@example.it", mobile="+393331234567")
    verifier = generate_token(48)
    url, _ = session.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=generate_token(16))
    token = session.fetch_token(meta["token_endpoint"], authorization_response=login_and_get_redirect(varco, browser, url, citizen),
                                code_verifier=verifier)
    assert set(token["scope"].split()) >= {"openid", "profile", "email", "phone"}, token

    info = session.get(meta["userinfo_endpoint"]).json()
    assert set(info) == {"sub", FISCAL_NUMBER}, info
    assert info[FISCAL_NUMBER] == citizen.fiscal_number

    # The policy applies when UserInfo answers: lifting it releases what the scopes ask for, with the same token.
    varco.cli("client", "claims", client_id, "--all")
    info = session.get(meta["userinfo_endpoint"]).json()
    assert info["given_name"] == "Giulia" and info["family_name"] == "Bianchi" and info["birthdate"] == citizen.birth_date
    assert info["email"] == "giulia.bianchi@example.it" and info["phone_number"] == "+393331234567"
    assert info["place_of_birth"] == {"locality": "H501"}, info

    varco.cli("client", "claims", client_id, "--claims", "email,given_name")
    info = session.get(meta["userinfo_endpoint"]).json()
    assert set(info) == {"sub", "email", "given_name"}, info
    listed = next(line for line in varco.cli("client", "list").splitlines() if line.startswith(client_id))
    assert listed.endswith("claims: given_name,email"), listed
