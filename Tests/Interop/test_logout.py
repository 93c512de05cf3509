"""Interop: single logout across a pysaml2 service, a python3-saml service and Apache with
mod_auth_openidc, all logged in through one Varco session.

The SAML services never listen anywhere: the test plays the browser, reads the messages Varco sends
them (a redirect or an auto-submit form inside the logout page's frame) and hands them to the library,
which checks Varco's signature and answers; the browser carries the answer back. A service that never
answers is one whose frame the browser gives up on (the page's Refresh header brings it back with
`waited=`).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from browser import Browser, Page, _PageParser, login_with_otp_app
from sps import BINDING_POST, BINDING_REDIRECT, RSA_SHA256, OneLoginSP, Pysaml2SP, make_keypair, send
from test_oidc_mod_auth_openidc import apache, log_in  # noqa: F401  (the fixture is used by name)

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
PARTIAL = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout"


class Pysaml2SLO(Pysaml2SP):
    """A pysaml2 SP with an HTTP-POST SingleLogoutService, signing its logout messages."""

    def _config_dict(self, with_idp: bool) -> dict:
        from saml2 import BINDING_HTTP_POST

        conf = super()._config_dict(with_idp)
        sp = conf["service"]["sp"]
        sp["endpoints"]["single_logout_service"] = [(self.slo, BINDING_HTTP_POST)]
        sp["logout_requests_signed"] = True
        sp["logout_responses_signed"] = True
        return conf

    @property
    def slo(self) -> str:
        return self.acs.rsplit("/", 1)[0] + "/slo"


class OneLoginSLO(OneLoginSP):
    """A python3-saml SP with an HTTP-Redirect SingleLogoutService, signing and requiring signed logout messages."""

    @property
    def slo(self) -> str:
        return self.acs.rsplit("/", 1)[0] + "/slo"

    def settings_dict(self, sso_binding: str = BINDING_REDIRECT) -> dict:
        settings = super().settings_dict(sso_binding)
        settings["sp"]["singleLogoutService"] = {"url": self.slo, "binding": BINDING_REDIRECT}
        settings["security"].update({"logoutRequestSigned": True, "logoutResponseSigned": True})
        return settings

    def slo_request_data(self, url: str) -> dict:
        """The request as python3-saml sees it arrive at its SLO endpoint."""
        query = urlsplit(url).query
        data = self.request_data()
        data["script_name"] = urlsplit(self.slo).path
        data["get_data"] = {k: v[0] for k, v in parse_qs(query).items()}
        data["query_string"] = query
        data["validate_signature_from_qs"] = True
        return data

    def slo_auth(self, url: str):
        from onelogin.saml2.auth import OneLogin_Saml2_Auth

        return OneLogin_Saml2_Auth(self.slo_request_data(url), old_settings=self.settings())


@pytest.fixture(scope="module")
def sps(varco, tmp_path_factory):
    work = tmp_path_factory.mktemp("slo")
    key, cert = make_keypair(work, "sp-slo-pysaml2.test")
    pysaml2 = Pysaml2SLO(work, "https://sp-slo-pysaml2.test/metadata", "https://sp-slo-pysaml2.test/acs", key, cert)
    varco.add_sp(pysaml2.write_metadata())
    pysaml2.trust_idp(varco.metadata())
    key2, cert2 = make_keypair(work, "sp-slo-onelogin.test")
    onelogin = OneLoginSLO(work, "https://sp-slo-onelogin.test/metadata", "https://sp-slo-onelogin.test/acs", key2, cert2)
    varco.add_sp(onelogin.write_metadata())
    onelogin.trust_idp(varco.metadata())
    return pysaml2, onelogin


def no_redirect(browser: Browser, url: str, data: dict | None = None):
    """One request, not following a redirect (the browser stops where Varco sends it to a service)."""
    method = "POST" if data is not None else "GET"
    return browser.session.request(method, url, data=data, allow_redirects=False, timeout=30, verify=False)


def login_both(varco, pysaml2: Pysaml2SLO, onelogin: OneLoginSLO, browser: Browser, citizen, first_login: bool = True):
    """pysaml2 first (the login form, unless the browser already has a session), python3-saml by SSO."""
    req = pysaml2.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="p")
    page = send(browser, req)
    if first_login:
        page = login_with_otp_app(browser, page, citizen.otp_id, citizen.password, citizen.totp.next_code())
    post = page.saml_post()
    assert post is not None, page.text[:2000]
    p_resp, _ = pysaml2.process_response(post.saml_response, req.id, "p")
    req2 = onelogin.authn_request(BINDING_REDIRECT, relay_state="o")
    page2 = send(browser, req2)
    assert not page2.visited("/login/"), page2.chain
    post2 = page2.saml_post()
    o_auth = onelogin.process_response(post2.saml_response, req2.id, post2.relay_state)
    return p_resp, o_auth


def form_fields(html: str) -> tuple[str, dict[str, str]]:
    p = _PageParser()
    p.feed(html)
    p.close()
    assert p.forms, html[:2000]
    return p.forms[0].action, dict(p.forms[0].fields)


def frame(varco, browser: Browser, page: Page | None = None):
    """The frame of the logout page: where Varco sends the LogoutRequest to the service whose turn it is."""
    page = page or browser.get(f"{varco.base_url}/logout/progress")
    match = re.search(r'<iframe class="logout-frame" src="(/logout/frame/\d+)"', page.text)
    assert match, f"no service frame on the logout page:\n{page.text[:2000]}"
    r = no_redirect(browser, varco.base_url + match.group(1))
    assert r.status_code in (200, 303), (r.status_code, r.text[:2000])
    return r


def result_page(varco, browser: Browser, waited: int | None = None) -> Page:
    url = f"{varco.base_url}/logout/progress" + (f"?waited={waited}" if waited is not None else "")
    page = browser.get(url)
    assert page.status == 200 and "logout-results" in page.text, page.text[:3000]
    return page


def status_of(xml: bytes) -> tuple[str, str | None]:
    doc = etree.fromstring(xml)
    code = doc.find(f"{{{SAMLP}}}Status/{{{SAMLP}}}StatusCode")
    sub = code.find(f"{{{SAMLP}}}StatusCode")
    return code.get("Value"), (sub.get("Value") if sub is not None else None)


def needs_full_login(varco, pysaml2, onelogin, browser):
    for req in (pysaml2.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="again"), onelogin.authn_request(BINDING_REDIRECT)):
        page = send(browser, req)
        assert page.visited("/login/"), f"a new AuthnRequest was answered without a login: {page.chain}"


def test_logout_started_at_pysaml2_reaches_python3_saml(varco, sps, browser):
    pysaml2, onelogin = sps
    citizen = varco.add_citizen("Elena", "Galli")
    p_resp, o_auth = login_both(varco, pysaml2, onelogin, browser, citizen)

    # pysaml2 starts: a signed HTTP-Redirect LogoutRequest to Varco.
    out = pysaml2.client.global_logout(p_resp.name_id, sign=True, sign_alg=RSA_SHA256)
    binding, http_info = out[varco.entity_id]
    location = dict(http_info["headers"])["Location"]
    assert location.startswith(f"{varco.base_url}/slo?")
    page = browser.get(location)
    assert page.status == 200 and page.visited("/logout/progress"), page.chain
    assert "varco_session" not in browser.session.cookies.get_dict()

    # python3-saml gets Varco's LogoutRequest through the frame, accepts it and answers.
    r = frame(varco, browser, page)
    to_onelogin = r.headers["Location"]
    assert to_onelogin.startswith(onelogin.slo + "?SAMLRequest=")
    auth = onelogin.slo_auth(to_onelogin)
    back = auth.process_slo(keep_local_session=True)
    assert not auth.get_errors(), f"python3-saml refused Varco's LogoutRequest: {auth.get_errors()} {auth.get_last_error_reason()}"
    request_xml = etree.fromstring(auth.get_last_request_xml())
    assert request_xml.findtext("{urn:oasis:names:tc:SAML:2.0:assertion}NameID") == o_auth.get_nameid()
    done = browser.get(back)
    assert done.status == 200, done.text[:2000]

    # The result, and the LogoutResponse for pysaml2 (its SLO is HTTP-POST).
    page = result_page(varco, browser)
    assert page.text.count("disconnesso") >= 2 and "non ha risposto" not in page.text
    back_form = page.form(has_field="SAMLResponse")
    action, fields = back_form.action, back_form.fields
    assert action == pysaml2.slo
    resp = pysaml2.client.parse_logout_request_response(fields["SAMLResponse"], binding=BINDING_POST)
    assert resp is not None and resp.response.status.status_code.value == SUCCESS
    assert resp.response.status.status_code.status_code is None
    pysaml2.client.handle_logout_response(resp)

    needs_full_login(varco, pysaml2, onelogin, browser)


def test_logout_started_at_python3_saml_reaches_pysaml2(varco, sps, browser):
    pysaml2, onelogin = sps
    citizen = varco.add_citizen("Marco", "Fontana")
    p_resp, o_auth = login_both(varco, pysaml2, onelogin, browser, citizen)

    auth = onelogin.auth()
    url = auth.logout(name_id=o_auth.get_nameid(), session_index=o_auth.get_session_index(),
                      name_id_format=o_auth.get_nameid_format(), nq=o_auth.get_nameid_nq(), spnq=o_auth.get_nameid_spnq())
    request_id = auth.get_last_request_id()
    page = browser.get(url)
    assert page.visited("/logout/progress"), page.chain

    # pysaml2 gets Varco's LogoutRequest by HTTP-POST in the frame, accepts it, answers by HTTP-POST.
    r = frame(varco, browser, page)
    assert r.status_code == 200
    action, fields = form_fields(r.text)
    assert action == pysaml2.slo
    answer = pysaml2.client.handle_logout_request(fields["SAMLRequest"], p_resp.name_id, BINDING_POST, sign=True,
                                                  sign_alg=RSA_SHA256, relay_state=fields.get("RelayState"))
    back_action, back_fields = form_fields(answer["data"])
    assert back_action == f"{varco.base_url}/slo"
    _, back_status = status_of(base64.b64decode(back_fields["SAMLResponse"]))
    done = browser.post(back_action, back_fields)
    assert done.status == 200, done.text[:2000]

    page = result_page(varco, browser)
    assert "non ha risposto" not in page.text
    link = next(href for href in page.links if href.startswith(onelogin.slo + "?SAMLResponse="))
    check = onelogin.slo_auth(link)
    check.process_slo(request_id=request_id, keep_local_session=True)
    assert not check.get_errors(), f"python3-saml refused the LogoutResponse: {check.get_errors()} {check.get_last_error_reason()}"

    needs_full_login(varco, pysaml2, onelogin, browser)


def test_a_service_that_never_answers_gives_partial_logout(varco, sps, browser):
    pysaml2, onelogin = sps
    citizen = varco.add_citizen("Sofia", "Conti")
    p_resp, _ = login_both(varco, pysaml2, onelogin, browser, citizen)
    out = pysaml2.client.global_logout(p_resp.name_id, sign=True, sign_alg=RSA_SHA256)
    progress = no_redirect(browser, dict(out[varco.entity_id][1]["headers"])["Location"])
    assert progress.headers["Location"] == "/logout/progress"
    first = browser.get(f"{varco.base_url}/logout/progress")
    frame(varco, browser, first)  # the LogoutRequest leaves for python3-saml, which never answers
    refresh = no_redirect(browser, f"{varco.base_url}/logout/progress").headers.get("Refresh", "")
    match = re.fullmatch(r"\d+; url=/logout/progress\?waited=(\d+)", refresh)
    assert match, f"no Refresh header moving on from the silent service: {refresh!r}"

    page = result_page(varco, browser, waited=int(match.group(1)))
    assert "non ha risposto: chiudi il browser" in page.text
    fields = page.form(has_field="SAMLResponse").fields
    code, sub = status_of(base64.b64decode(fields["SAMLResponse"]))
    assert (code, sub) == (SUCCESS, PARTIAL)
    needs_full_login(varco, pysaml2, onelogin, browser)


@pytest.mark.parametrize("apache", [True], indirect=True)
def test_mod_auth_openidc_is_told_over_the_back_channel(varco, sps, apache, browser):
    pysaml2, onelogin = sps
    citizen = varco.add_citizen("Davide", "Ricci")
    claims = log_in(browser, apache, citizen)  # the full login, at Apache
    assert claims.get("OIDC_CLAIM_given_name") == "Davide"
    p_resp, o_auth = login_both(varco, pysaml2, onelogin, browser, citizen, first_login=False)

    out = pysaml2.client.global_logout(p_resp.name_id, sign=True, sign_alg=RSA_SHA256)
    progress = browser.get(dict(out[varco.entity_id][1]["headers"])["Location"])
    # The back-channel logout token was delivered before Varco answered: Apache's session is gone now.
    r = browser.session.get(f"{apache.base_url}/protected/claims", allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303) and r.headers["Location"].startswith(varco.base_url), (r.status_code, r.headers)

    auth = onelogin.slo_auth(frame(varco, browser, progress).headers["Location"])
    browser.get(auth.process_slo(keep_local_session=True))
    page = result_page(varco, browser)
    assert page.text.count("disconnesso") >= 3 and "non ha risposto" not in page.text, page.text[:3000]


def test_forged_stale_and_replayed_logout_requests_end_no_session(varco, sps, browser):
    import copy
    import zlib

    pysaml2, onelogin = sps
    citizen = varco.add_citizen("Luisa", "Ferri")
    p_resp, o_auth = login_both(varco, pysaml2, onelogin, browser, citizen)

    def logout_url(sp: OneLoginSLO, name_id: str | None = None) -> str:
        return sp.auth().logout(name_id=name_id or o_auth.get_nameid(), session_index=o_auth.get_session_index(),
                                name_id_format=o_auth.get_nameid_format())

    def still_signed_in():
        page = send(browser, pysaml2.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state="still"))
        assert not page.visited("/login/") and page.saml_post() is not None, f"the session was ended: {page.chain}"

    # Signed with python3-saml's key while claiming to be the pysaml2 service.
    impostor = copy.copy(onelogin)
    impostor.entity_id = pysaml2.entity_id
    r = no_redirect(browser, logout_url(impostor))
    assert r.status_code == 403 and "firma della richiesta di uscita non è valida" in r.text, (r.status_code, r.text[:1000])
    # Not signed at all.
    unsigned = copy.copy(onelogin)
    unsigned.settings_dict = lambda sso_binding=BINDING_REDIRECT: {
        **OneLoginSLO.settings_dict(onelogin, sso_binding),
        "security": {**OneLoginSLO.settings_dict(onelogin, sso_binding)["security"], "logoutRequestSigned": False},
    }
    r = no_redirect(browser, logout_url(unsigned))
    assert r.status_code == 403 and "deve essere firmata" in r.text, (r.status_code, r.text[:1000])
    # A NameID that is not this browser's: answered Requester/UnknownPrincipal at python3-saml's SLO.
    r = no_redirect(browser, logout_url(onelogin, name_id="someone-else"))
    assert r.status_code == 303 and r.headers["Location"].startswith(onelogin.slo + "?SAMLResponse="), r.headers
    q = parse_qs(urlsplit(r.headers["Location"]).query)
    code, sub = status_of(zlib.decompress(base64.b64decode(q["SAMLResponse"][0]), -15))
    assert (code, sub) == ("urn:oasis:names:tc:SAML:2.0:status:Requester", "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal")
    still_signed_in()

    # The genuine request works once; the same request again is refused.
    good = logout_url(onelogin)
    assert no_redirect(browser, good).headers["Location"] == "/logout/progress"
    replay = no_redirect(browser, good)
    assert replay.status_code == 400 and "già stata usata" in replay.text, (replay.status_code, replay.text[:1000])
    needs_full_login(varco, pysaml2, onelogin, browser)
