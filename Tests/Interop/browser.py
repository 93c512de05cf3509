"""A small browser-like HTTP client for the interop tests.

It follows redirects one by one (so a test can tell whether a login form was
shown), extracts forms, links and hidden inputs from HTML with html.parser,
and computes TOTP codes (RFC 6238) for the authenticator-app credential.
No dependency beyond requests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
import warnings
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

REDIRECT_STATUSES = (301, 302, 303, 307, 308)


# --------------------------------------------------------------------------- TOTP


def hotp(key: bytes, counter: int, digits: int = 6, digest=hashlib.sha1) -> str:
    """RFC 4226 HOTP value of `counter` under `key`."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % (10**digits)).zfill(digits)


def b32decode(secret: str) -> bytes:
    s = secret.strip().replace(" ", "").upper()
    return base64.b32decode(s + "=" * (-len(s) % 8))


def totp(secret_b32: str, for_time: float | None = None, step: int = 30, digits: int = 6, digest=hashlib.sha1) -> str:
    """RFC 6238 TOTP code for `for_time` (default: now)."""
    t = time.time() if for_time is None else for_time
    return hotp(b32decode(secret_b32), int(t // step), digits, digest)


class TotpDevice:
    """An authenticator app holding one secret.

    The IdP accepts each code only once per credential (and one step of drift
    either side), so a second login with the same credential must present the
    code of a later time step. `next_code()` returns the code of the current
    step, or of the step after the last one used if that one is already spent.
    """

    def __init__(self, secret_b32: str, step: int = 30, digits: int = 6):
        self.secret = secret_b32
        self.step = step
        self.digits = digits
        self.last_counter: int | None = None

    def next_code(self, now: float | None = None) -> str:
        counter = int((time.time() if now is None else now) // self.step)
        if self.last_counter is not None and counter <= self.last_counter:
            counter = self.last_counter + 1
        self.last_counter = counter
        return hotp(b32decode(self.secret), counter, self.digits)


# --------------------------------------------------------------------------- HTML


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    # name -> input type, for the inputs that have a name
    types: dict[str, str] = field(default_factory=dict)

    def hidden(self) -> dict[str, str]:
        return {k: v for k, v in self.fields.items() if self.types.get(k) == "hidden"}


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "input" and self._form is not None and a.get("name"):
            typ = a.get("type", "text").lower()
            if typ in ("checkbox", "radio") and "checked" not in a:
                return
            if typ in ("submit", "button", "image", "reset"):
                return
            self._form.fields[a["name"]] = a.get("value", "")
            self._form.types[a["name"]] = typ
        elif tag == "textarea" and self._form is not None and a.get("name"):
            self._textarea = a["name"]
            self._text = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "form":
            self._form = None

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self.forms:
            self.forms[-1].fields[self._textarea] = "".join(self._text)
            self.forms[-1].types[self._textarea] = "textarea"
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)


@dataclass
class Page:
    url: str
    status: int
    text: str
    forms: list[Form]
    links: list[str]
    # every URL visited to reach this page, with its status, first to last
    chain: list[tuple[int, str]]

    @classmethod
    def parse(cls, resp: requests.Response, chain: list[tuple[int, str]]) -> "Page":
        p = _PageParser()
        text = resp.text if "html" in resp.headers.get("Content-Type", "html") else ""
        p.feed(text)
        p.close()
        # resolve form actions and links against the page URL
        for f in p.forms:
            f.action = urljoin(resp.url, f.action) if f.action else resp.url
        links = [urljoin(resp.url, h) for h in p.links]
        return cls(url=resp.url, status=resp.status_code, text=resp.text, forms=p.forms, links=links, chain=chain)

    def form(self, action_suffix: str | None = None, has_field: str | None = None) -> Form:
        for f in self.forms:
            if action_suffix is not None and not urlsplit(f.action).path.endswith(action_suffix):
                continue
            if has_field is not None and has_field not in f.fields:
                continue
            return f
        raise AssertionError(
            f"no form (action ending {action_suffix!r}, field {has_field!r}) on {self.url} "
            f"[{self.status}]; forms: {[(f.action, sorted(f.fields)) for f in self.forms]}\n{self.text[:2000]}"
        )

    def link(self, path_suffix: str) -> str:
        for href in self.links:
            if urlsplit(href).path.endswith(path_suffix):
                return href
        raise AssertionError(f"no link ending {path_suffix!r} on {self.url}; links: {self.links}\n{self.text[:2000]}")

    def saml_post(self) -> "SamlPost | None":
        """The auto-submit form carrying a SAMLResponse, if this page is one."""
        for f in self.forms:
            if "SAMLResponse" in f.fields and f.method == "post":
                return SamlPost(acs=f.action, saml_response=f.fields["SAMLResponse"], relay_state=f.fields.get("RelayState"))
        return None

    def visited(self, path_fragment: str) -> bool:
        return any(path_fragment in urlsplit(u).path for _, u in self.chain)


@dataclass
class SamlPost:
    acs: str
    saml_response: str
    relay_state: str | None

    def xml(self) -> bytes:
        return base64.b64decode(self.saml_response)


# --------------------------------------------------------------------------- Browser


def new_session() -> requests.Session:
    """A requests session that behaves like a private browser window.

    trust_env is off so that proxies and CA bundles from the environment don't
    apply; certificate checks are off because the IdP's demo certificate is
    self-signed.
    """
    s = requests.Session()
    s.trust_env = False
    s.verify = False
    s.headers["User-Agent"] = "varco-interop-tests/1.0"
    s.headers["Accept"] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
    return s


class Browser:
    def __init__(self, session: requests.Session | None = None, timeout: float = 30.0, max_redirects: int = 10):
        self.session = session or new_session()
        self.timeout = timeout
        self.max_redirects = max_redirects

    def request(self, method: str, url: str, data: dict | None = None) -> Page:
        chain: list[tuple[int, str]] = []
        for _ in range(self.max_redirects + 1):
            resp = self.session.request(
                method, url, data=data, allow_redirects=False, timeout=self.timeout, verify=False
            )
            chain.append((resp.status_code, url))
            if resp.status_code not in REDIRECT_STATUSES:
                return Page.parse(resp, chain)
            location = resp.headers.get("Location")
            assert location, f"{resp.status_code} without Location from {url}"
            url = urljoin(url, location)
            if resp.status_code in (301, 302, 303):
                method, data = "GET", None
        raise AssertionError(f"more than {self.max_redirects} redirects: {chain}")

    def get(self, url: str) -> Page:
        return self.request("GET", url)

    def post(self, url: str, data: dict) -> Page:
        return self.request("POST", url, data)

    def submit(self, form: Form, **overrides: str) -> Page:
        data = dict(form.fields)
        data.update(overrides)
        if form.method == "post":
            return self.post(form.action, data)
        return self.request("GET", form.action + ("&" if "?" in form.action else "?") + requests.compat.urlencode(data))


# --------------------------------------------------------------------------- Varco login


def login_with_otp_app(browser: Browser, login_page: Page, otp_id: str, password: str, code: str) -> Page:
    """From the method choice page (/login/{transaction}), log in with the
    authenticator app and return the page that follows (the auto-submit form)."""
    assert "/login/" in urlsplit(login_page.url).path, (
        f"not a login page: {login_page.url} [{login_page.status}]; redirects: {login_page.chain}\n{login_page.text[:2000]}"
    )
    assert login_page.status == 200, f"login page answered {login_page.status}\n{login_page.text[:2000]}"
    otp_page = browser.get(login_page.link("/otp-app"))
    assert otp_page.status == 200, f"{otp_page.url} answered {otp_page.status}\n{otp_page.text[:2000]}"
    form = otp_page.form(action_suffix="/otp-app")
    assert form.method == "post"
    assert form.fields.get("csrf"), f"no csrf token in the OTP form: {form.fields}"
    return browser.submit(form, otp_id=otp_id, password=password, code=code)


def expect_saml_post(page: Page, acs: str) -> SamlPost:
    post = page.saml_post()
    assert post is not None, f"expected the SAMLResponse auto-submit page, got {page.url} [{page.status}]\n{page.text[:3000]}"
    assert page.status == 200, page.status
    assert post.acs == acs, f"form posts to {post.acs}, expected the ACS {acs}"
    return post
