"""The whole life of one citizen's regional OTP credentials, over HTTP against a live Varco whose SMS go to a
webhook: an SMS sink served by the test on loopback records every message the IdP posts.

1. a counter operator issues the credential through the REST API (bearer token from `varco operator add`);
   the last 5 characters of the temporary password arrive at the sink;
2. first access (ID + temporary password, new password, SMS code) -> assertion at a pysaml2 SP;
3. a later SMS login -> assertion;
4. forgotten password (ID + CF + mobile, SMS code, half on screen and half by SMS, first access) -> assertion;
   a wrong CF gives the same page and no SMS;
5. card replacement through the API -> login with the new card's ID -> assertion; the old ID refused afterwards;
6. deactivation from /profilo -> a later OTP login refused, pointing to SPID, CIE or the card;
7. brute force on a second citizen: wrong passwords hit the lockout (the right one refused too) until the
   operator unlocks it; repeated SMS requests hit the per-number SMS cap (the sink receives nothing more).

Every login ends in a SAML assertion validated by pysaml2, with AuthnContextClassRef SpidL2.

The per-number cap is 6 SMS an hour, and steps 1-4 already send 6 SMS to the holder's number (issuance, first
access, login, recovery code, recovery half, first access). So the login of step 5 uses the authenticator app
linked on /profilo, which the replacement card inherits, instead of a 7th SMS.
"""

from __future__ import annotations

import atexit
import datetime
import html
import json
import random
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from browser import Browser, Page, TotpDevice, expect_saml_post, login_with_otp_app, new_session
from harness import Varco, codice_fiscale, free_ports, varco_binary, wait_until_ready
from sps import BINDING_REDIRECT, Pysaml2SP, make_keypair, send

SPID_L2 = "https://www.spid.gov.it/SpidL2"
SINK_TOKEN = "Bearer sms-sink-token-7f3a"
FIRST_PASSWORD = "Chiara-Prima-Pwd-2026"
RECOVERED_PASSWORD = "Chiara-Dopo-Pwd-2027"

LOCKED = "Troppi tentativi errati: le credenziali sono bloccate"
INVALID = "ID o password non corretti"
DISABLED = "Queste credenziali non possono essere usate. Accedi con SPID, CIE o la Carta (TS-CNS)."
TOO_MANY = "Troppe richieste. Riprova più tardi."


# --------------------------------------------------------------------------- SMS sink


class SMSSink:
    """An SMS provider's webhook on 127.0.0.1: records each JSON body {"to", "text"} and its Authorization."""

    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"invalid": raw.decode("utf-8", "replace")}
                with sink.lock:
                    sink.messages.append(
                        {"path": self.path, "authorization": self.headers.get("Authorization"), **body}
                    )
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def since(self, mark: int) -> list[dict]:
        with self.lock:
            return list(self.messages[mark:])

    def one_since(self, mark: int, mobile: str, pattern: str) -> str:
        """The single SMS delivered since `mark`: to `mobile`, matching `pattern`; returns group 1."""
        new = self.since(mark)
        assert len(new) == 1, f"expected one SMS since #{mark}, the sink has {new}"
        sms = new[0]
        assert sms["path"] == "/sms" and sms["authorization"] == SINK_TOKEN, sms
        assert sms["to"] == mobile, sms
        found = re.search(pattern, sms["text"])
        assert found, f"SMS text {sms['text']!r} does not match {pattern!r}"
        return found.group(1)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- the server


class WebhookVarco(Varco):
    """`varco serve` (no demo) with the SMS webhook pointing at the sink."""

    def __init__(self, *args, extra: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.extra = extra

    def start(self, tries: int, interval: float, deadline: float = 120.0) -> None:
        self._log = open(self.log_path, "ab")
        cmd = [str(self.binary), "serve", "--data-dir", str(self.data_dir), "--port", str(self.port), *self.extra]
        self.proc = subprocess.Popen(
            cmd, cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        wait_until_ready(self.metadata_url, self.proc, tries, interval, self.log_tail, deadline)


@pytest.fixture(scope="module")
def sink(request) -> SMSSink:
    s = SMSSink()
    request.addfinalizer(s.stop)
    return s


@pytest.fixture(scope="module")
def server(tmp_path_factory, request, sink) -> WebhookVarco:
    binary = varco_binary()
    base = tmp_path_factory.mktemp("varco-otp-lifecycle")
    last = None
    for attempt in range(3):  # a free port may be taken between probing it and binding it
        data_dir = base / f"data-{attempt}"
        data_dir.mkdir()
        (port,) = free_ports(1)
        extra = ["--sms-webhook-url", sink.url, "--sms-webhook-header", f"Authorization: {SINK_TOKEN}"]
        srv = WebhookVarco(binary, data_dir, port, base / f"server-{attempt}.log", extra=extra)
        request.addfinalizer(srv.stop)
        atexit.register(srv.stop)
        try:
            srv.start(300, 0.2, 120)
        except RuntimeError as e:
            srv.stop()
            last = e
            if "in use" in srv.log_tail().lower():
                continue
            break
        return srv
    pytest.fail(f"could not start varco: {last}", pytrace=False)


@pytest.fixture(scope="module")
def sp(server, tmp_path_factory) -> Pysaml2SP:
    host = "sp-otp-lifecycle.test"
    work = tmp_path_factory.mktemp(host)
    key, cert = make_keypair(work, host)
    sp = Pysaml2SP(work, f"https://{host}/metadata", f"https://{host}/acs", key, cert)
    assert sp.entity_id in server.add_sp(sp.write_metadata())
    sp.trust_idp(server.metadata())
    return sp


@pytest.fixture(scope="module")
def operator_token(server) -> str:
    out = server.cli("operator", "add", "sportello-lifecycle-test")
    tokens = re.findall(r"[A-Za-z0-9_\-]{32,}", out)
    assert tokens, f"no token in the output of `varco operator add`: {out!r}"
    return tokens[-1]


@pytest.fixture(scope="module")
def life() -> dict:
    """What the steps of the main citizen hand to each other, in file order."""
    return {}


# --------------------------------------------------------------------------- helpers


def api(server, token: str, path: str, body: dict | None = None):
    s = new_session()
    return s.post(f"{server.base_url}/api/operator/otp-credentials{path}", json=body or {},
                  headers={"Authorization": f"Bearer {token}"}, timeout=30)  # fmt: skip


def text_of(page: Page) -> str:
    return html.unescape(page.text)


def new_holder(rng: random.Random, given: str, family: str) -> dict:
    """A minor (from the default cut-off onwards only minors and wards get new OTP credentials)."""
    birth = datetime.date(2012, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 3))
    return {
        "codiceFiscale": codice_fiscale(family, given, birth, female=True, place="F205"),
        "cardNumber": "8038000110" + "".join(str(rng.randrange(10)) for _ in range(10)),
        "mobile": "+39347" + "".join(str(rng.randrange(10)) for _ in range(7)),
        "birthDate": birth.isoformat(),
        "givenName": given,
        "familyName": family,
        "minor": True,
        "representativeCF": codice_fiscale(family, "Marco", datetime.date(1979, 3, 14), female=False, place="F205"),
        "ward": False,
    }


def issue(server, token: str, sink: SMSSink, holder: dict) -> tuple[str, str]:
    """Issuance through the operators' API; returns the ID and the full temporary password."""
    mark = sink.count()
    r = api(server, token, "", holder)
    assert r.status_code == 201, f"{r.status_code} {r.text}"
    answer = r.json()
    assert answer["id"] == holder["cardNumber"][-10:] and answer["smsSent"] is True, answer
    assert re.fullmatch(r"\S{5}", answer["paperHalf"]), answer
    sms_half = sink.one_since(mark, holder["mobile"], r"password temporanea sono (\S{5})\.")
    assert answer["id"] in sink.since(mark)[0]["text"]
    return answer["id"], answer["paperHalf"] + sms_half


def start_login(server, sp: Pysaml2SP, browser: Browser, relay: str):
    """A new AuthnRequest from the SP; returns (request, the otp-sms ID + password page)."""
    req = sp.authn_request(server.entity_id, BINDING_REDIRECT, relay_state=relay)
    methods = send(browser, req)
    assert methods.status == 200 and methods.visited("/login/"), (methods.chain, methods.text[:2000])
    page = browser.get(methods.link("/otp-sms"))
    assert page.status == 200, page.text[:2000]
    return req, methods, page


def check_assertion(server, sp: Pysaml2SP, page: Page, req, relay: str, holder: dict) -> None:
    post = expect_saml_post(page, sp.acs)
    assert post.relay_state == relay
    resp, attrs = sp.process_response(post.saml_response, req.id, relay)
    assert resp.in_response_to == req.id
    assert resp.assertion.issuer.text.strip() == server.entity_id
    assert attrs.get("fiscalNumber") == [f"TINIT-{holder['codiceFiscale']}"], attrs
    assert attrs.get("name") == [holder["givenName"]] and attrs.get("familyName") == [holder["familyName"]], attrs
    refs = [s.authn_context.authn_context_class_ref.text.strip() for s in resp.assertion.authn_statement]
    assert refs == [SPID_L2], refs


def submit_password(browser: Browser, page: Page, otp_id: str, password: str) -> Page:
    return browser.submit(page.form(action_suffix="/otp-sms", has_field="password"), otp_id=otp_id, password=password)


def sms_login(server, sp, sink, browser: Browser, holder: dict, otp_id: str, password: str, relay: str) -> Page:
    """ID + password, then the SMS code from the sink; returns the page after the code (checked to be the assertion)."""
    req, _, page = start_login(server, sp, browser, relay)
    mark = sink.count()
    code_page = submit_password(browser, page, otp_id, password)
    assert code_page.status == 200 and code_page.url.endswith("/otp-sms/code"), (code_page.status, text_of(code_page)[:2000])
    code = sink.one_since(mark, holder["mobile"], r"usa e getta è ([0-9]{8})\.")
    done = browser.submit(code_page.form(action_suffix="/otp-sms/code"), code=code)
    check_assertion(server, sp, done, req, relay, holder)
    return done


def first_access(server, sp, sink, browser: Browser, page: Page, holder: dict, otp_id: str, temporary: str,
                 new_password: str, req, relay: str) -> None:
    """From a first-access form: ID + temporary password, the new password twice, the SMS code -> assertion."""
    pw_page = browser.submit(page.form(action_suffix="/otp-sms/first-access"), otp_id=otp_id, temporary_password=temporary)
    assert pw_page.status == 200 and pw_page.url.endswith("/first-access/password"), (pw_page.status, text_of(pw_page)[:2000])
    form = pw_page.form(action_suffix="/first-access/password")
    # under the policy: a password containing the ID is refused, and nothing is sent
    mark = sink.count()
    weak = browser.submit(form, new_password=f"Aa-{otp_id}", confirm_password=f"Aa-{otp_id}")
    assert weak.status == 422 and sink.count() == mark, (weak.status, sink.since(mark))
    code_page = browser.submit(weak.form(action_suffix="/first-access/password"), new_password=new_password,
                               confirm_password=new_password)  # fmt: skip
    assert code_page.status == 200 and code_page.url.endswith("/first-access/code"), (code_page.status, text_of(code_page)[:2000])
    code = sink.one_since(mark, holder["mobile"], r"nuova password è ([0-9]{8})\.")
    done = browser.submit(code_page.form(action_suffix="/first-access/code"), code=code)
    check_assertion(server, sp, done, req, relay, holder)


def profile_form(page: Page, action: str, otp_id: str):
    for f in page.forms:
        if f.action.endswith(action) and f.fields.get("otp_id") == otp_id:
            return f
    raise AssertionError(f"no form {action} for {otp_id} on /profilo: {[(f.action, f.fields) for f in page.forms]}")


# --------------------------------------------------------------------------- the main citizen


@pytest.fixture(scope="module")
def holder() -> dict:
    return new_holder(random.Random(), "Chiara", "Fontana")


def test_1_issuance_by_operator_api(server, sp, sink, operator_token, holder, life):
    r = api(server, "not-a-token", "", holder)
    assert r.status_code == 401, r.text
    otp_id, temporary = issue(server, operator_token, sink, holder)
    life.update(otp_id=otp_id, temporary=temporary)


def test_2_first_access(server, sp, sink, holder, life):
    browser = Browser()
    req, _, page = start_login(server, sp, browser, "first-access")
    # before the first access the ordinary login refuses the temporary password, without an SMS
    mark = sink.count()
    refused = submit_password(browser, page, life["otp_id"], life["temporary"])
    assert refused.saml_post() is None and refused.status == 409 and sink.count() == mark, refused.status
    fa = browser.get(refused.link("/otp-sms/first-access"))
    first_access(server, sp, sink, browser, fa, holder, life["otp_id"], life["temporary"], FIRST_PASSWORD, req, "first-access")
    life["password"] = FIRST_PASSWORD


def test_3_later_sms_login(server, sp, sink, holder, life):
    sms_login(server, sp, sink, Browser(), holder, life["otp_id"], life["password"], "later-login")


def test_4_forgotten_password(server, sp, sink, holder, life):
    otp_id = life["otp_id"]

    # A wrong codice fiscale: the same page as a right one, and no SMS.
    b_wrong = Browser()
    _, _, page = start_login(server, sp, b_wrong, "recover-wrong")
    recover = browser_get_link(b_wrong, page, "/otp-sms/recover")
    other_cf = codice_fiscale("Fontana", "Chiara", datetime.date(2011, 7, 7), female=True, place="F205")
    assert other_cf != holder["codiceFiscale"]
    mark = sink.count()
    wrong = b_wrong.submit(recover.form(action_suffix="/otp-sms/recover"), otp_id=otp_id, cf=other_cf, mobile=holder["mobile"])
    assert sink.count() == mark, sink.since(mark)

    b = Browser()
    req, _, page = start_login(server, sp, b, "recover")
    recover = browser_get_link(b, page, "/otp-sms/recover")
    right = b.submit(recover.form(action_suffix="/otp-sms/recover"), otp_id=otp_id, cf=holder["codiceFiscale"].lower(),
                     mobile=holder["mobile"].replace("+39", ""))  # fmt: skip
    code = sink.one_since(mark, holder["mobile"], r"codice di verifica è ([0-9]{8})\.")

    assert (wrong.status, wrong.url.rsplit("/otp-sms/", 1)[1]) == (right.status, right.url.rsplit("/otp-sms/", 1)[1]) == (200, "recover/code")
    strip_ids = lambda p: re.sub(r"/login/[^/\"]+", "/login/T", re.sub(r'name="csrf" value="[^"]*"', "", p.text))  # noqa: E731
    assert strip_ids(wrong) == strip_ids(right), "the answer to a wrong CF differs from the answer to the right one"

    # a guessed code on the wrong-CF flow opens nothing
    guessed = b_wrong.submit(wrong.form(action_suffix="/recover/code"), code=code)
    assert guessed.status == 422 and "/first-access" not in guessed.form(has_field="code").action and sink.count() == mark + 1

    mark = sink.count()
    half_page = b.submit(right.form(action_suffix="/recover/code"), code=code)
    assert half_page.status == 200, text_of(half_page)[:2000]
    on_screen = re.search(r'<p class="secret">.*?<code>(\S{5})</code>', half_page.text, re.S)
    assert on_screen, half_page.text[:3000]
    by_sms = sink.one_since(mark, holder["mobile"], r"nuova password temporanea sono (\S{5})\.")

    # the old password no longer opens anything
    b_old = Browser()
    _, _, old_page = start_login(server, sp, b_old, "old-password")
    old = submit_password(b_old, old_page, otp_id, life["password"])
    assert old.saml_post() is None and old.status in (409, 422), old.status

    first_access(server, sp, sink, b, half_page, holder, otp_id, html.unescape(on_screen.group(1)) + by_sms,
                 RECOVERED_PASSWORD, req, "recover")  # fmt: skip
    life["password"] = RECOVERED_PASSWORD
    life["browser"] = b  # with the SSO session of this first access


def browser_get_link(browser: Browser, page: Page, suffix: str) -> Page:
    target = browser.get(page.link(suffix))
    assert target.status == 200, target.text[:2000]
    return target


def test_5_card_replacement(server, sp, sink, operator_token, holder, life):
    old_id = life["otp_id"]
    b = life["browser"]

    # Link an authenticator app on /profilo: the replacement card inherits it (see the module docstring).
    profile = b.get(server.base_url + "/profilo")
    assert profile.status == 200, profile.text[:2000]
    started = b.submit(profile_form(profile, "/profilo/app", old_id))
    secret = re.search(r'<code id="secret">([A-Z2-7 ]+)</code>', started.text)
    assert secret, started.text[:3000]
    device = TotpDevice(secret.group(1).replace(" ", ""))
    confirmed = b.submit(profile_form(started, "/profilo/app/confirm", old_id), code=device.next_code())
    assert confirmed.status == 200, text_of(confirmed)[:2000]

    new_card = holder["cardNumber"][:10] + "".join(reversed(holder["cardNumber"][10:]))
    if new_card == holder["cardNumber"]:
        new_card = holder["cardNumber"][:10] + f"{(int(holder['cardNumber'][10:]) + 1) % 10**10:010d}"
    mark = sink.count()
    r = api(server, operator_token, f"/{old_id}/replace-card", {"newCardNumber": new_card})
    assert r.status_code == 201, f"{r.status_code} {r.text}"
    new_id = r.json()["id"]
    assert new_id == new_card[-10:] != old_id

    fresh = Browser()
    req, methods, _ = start_login(server, sp, fresh, "new-card")
    done = login_with_otp_app(fresh, methods, new_id, life["password"], device.next_code())
    check_assertion(server, sp, done, req, "new-card", holder)

    # the old ID is retired: refused, and no SMS goes out
    b_old = Browser()
    _, _, page = start_login(server, sp, b_old, "old-card")
    old = submit_password(b_old, page, old_id, life["password"])
    assert old.saml_post() is None and old.status == 422, old.status
    assert DISABLED in text_of(old), text_of(old)[:2000]
    assert sink.count() == mark, sink.since(mark)
    life.update(otp_id=new_id, browser=fresh, device=device)


def test_6_deactivation(server, sp, sink, holder, life):
    b = life["browser"]
    otp_id = life["otp_id"]
    profile = b.get(server.base_url + "/profilo")
    deactivated = b.submit(profile_form(profile, "/profilo/deactivate", otp_id), confirm="1")
    assert deactivated.status == 200 and deactivated.url.endswith("/profilo?fatto=1"), deactivated.status

    mark = sink.count()
    b2 = Browser()
    _, _, page = start_login(server, sp, b2, "after-deactivation")
    refused = submit_password(b2, page, otp_id, life["password"])
    assert refused.saml_post() is None and refused.status == 422, refused.status
    assert DISABLED in text_of(refused), text_of(refused)[:2000]
    assert sink.count() == mark, sink.since(mark)
    # the app of the same credential opens nothing either
    b3 = Browser()
    _, methods, _ = start_login(server, sp, b3, "after-deactivation-app")
    app = login_with_otp_app(b3, methods, otp_id, life["password"], life["device"].next_code())
    assert app.saml_post() is None and app.status == 422, app.status


# --------------------------------------------------------------------------- brute force


def test_7_lockout_and_sms_caps(server, sp, sink, operator_token):
    other = new_holder(random.Random(), "Sara", "Colombo")
    otp_id, temporary = issue(server, operator_token, sink, other)  # SMS 1 to this number
    b = Browser()
    req, _, page = start_login(server, sp, b, "b-first")
    fa = browser_get_link(b, page, "/otp-sms/first-access")
    first_access(server, sp, sink, b, fa, other, otp_id, temporary, "Sara-Colombo-Pwd-26", req, "b-first")  # SMS 2
    password = "Sara-Colombo-Pwd-26"

    # Wrong passwords: the 5th locks the credential. A login transaction ends after 5 failed attempts, so the
    # attacker spreads the attempts over two of them.
    mark = sink.count()
    b1 = Browser()
    _, _, page = start_login(server, sp, b1, "guess-1")
    for i in range(4):
        page = submit_password(b1, page, otp_id, f"Indovina-{i}-Xx9")
        assert page.status == 422 and INVALID in text_of(page), (i, page.status, text_of(page)[:1500])
    b2 = Browser()
    _, _, page = start_login(server, sp, b2, "guess-2")
    page = submit_password(b2, page, otp_id, "Indovina-4-Xx9")
    assert page.status == 422 and LOCKED in text_of(page), text_of(page)[:1500]
    page = submit_password(b2, page, otp_id, password)
    assert page.saml_post() is None and page.status == 422 and LOCKED in text_of(page), text_of(page)[:1500]
    assert sink.count() == mark, sink.since(mark)

    # The operator lifts the lockout; the right password works again (SMS 3).
    assert api(server, "not-a-token", f"/{otp_id}/unlock").status_code == 401
    r = api(server, operator_token, f"/{otp_id}/unlock")
    assert r.status_code == 200, r.text
    sms_login(server, sp, sink, Browser(), other, otp_id, password, "after-unlock")

    # SMS pumping through the forgotten-password form: 3 more SMS reach the cap of 6 per number and hour;
    # the next request sends nothing and the page says so.
    for i in range(4):
        bp = Browser()
        _, _, page = start_login(server, sp, bp, f"pump-{i}")
        recover = browser_get_link(bp, page, "/otp-sms/recover")
        mark = sink.count()
        answer = bp.submit(recover.form(action_suffix="/otp-sms/recover"), otp_id=otp_id, cf=other["codiceFiscale"],
                           mobile=other["mobile"])  # fmt: skip
        if i < 3:
            assert answer.status == 200 and answer.url.endswith("/recover/code"), (i, answer.status, text_of(answer)[:1500])
            sink.one_since(mark, other["mobile"], r"codice di verifica è ([0-9]{8})\.")
        else:
            assert answer.status == 429 and TOO_MANY in text_of(answer), (answer.status, text_of(answer)[:1500])
            assert sink.count() == mark, sink.since(mark)
    # the login is capped as well: the right password, but no code goes out
    bl = Browser()
    _, _, page = start_login(server, sp, bl, "capped-login")
    mark = sink.count()
    capped = submit_password(bl, page, otp_id, password)
    assert capped.saml_post() is None and capped.status == 429 and TOO_MANY in text_of(capped), (capped.status, text_of(capped)[:1500])
    assert sink.count() == mark, sink.since(mark)

    # six SMS to each holder's number, all through the webhook with its header
    per_number: dict[str, int] = {}
    for sms in sink.since(0):
        assert sms["authorization"] == SINK_TOKEN, sms
        per_number[sms["to"]] = per_number.get(sms["to"], 0) + 1
    assert per_number.get(other["mobile"]) == 6 and max(per_number.values()) <= 6, per_number
