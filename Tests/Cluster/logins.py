"""Full SAML logins as a browser makes them (AuthnRequest, login pages, OTP ID + password + TOTP code), and a
load of them on a few threads that records when each started, whether it succeeded and why not."""

from __future__ import annotations

import html
import http.client
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field

from topology import helper

PASSWORD = "Cluster-Varco-2026"
SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # every test credential has its own ID and this TOTP secret


@dataclass
class Credential:
    cf: str
    otp_id: str


def make_credentials(node, count: int, offset: int) -> list[Credential]:
    """`count` citizens with an authenticator-app credential each (a TOTP code is accepted once per credential)."""
    credentials = []
    for n in range(offset, offset + count):
        credential = Credential(helper.codice_fiscale(5000 + n), "91%08d" % n)
        node.cli("citizen", "add", "--cf", credential.cf, "--given-name", "Test", "--family-name", "Cluster",
                 "--birth-date", "1980-01-01", "--birth-place", "H501", "--otp-id", credential.otp_id,
                 "--password", PASSWORD, "--totp-secret", SECRET)
        credentials.append(credential)
    return credentials


def register_sp(node, workspace, entity_id: str) -> str:
    metadata = workspace / "sp-metadata.xml"
    metadata.write_text(subprocess.run([helper.sys.executable, helper.__file__, "sp-metadata", entity_id, entity_id + "/acs"],
                                       capture_output=True, text=True, check=True).stdout)
    node.cli("sp", "add", str(metadata))
    return entity_id


class LoginFailed(Exception):
    pass


def send_authn_request(browser, issuer: str, destination: str, tag: str):
    """POSTs an AuthnRequest whose Destination is the IdP's public SSO address, wherever the browser connects."""
    request_id = f"_cluster_{tag}_{time.time_ns()}"
    xml = helper.authn_request(request_id, destination, issuer)
    return browser.send("POST", "/sso", {"SAMLRequest": helper.base64.b64encode(xml.encode()).decode(), "RelayState": tag})


def login(port: int, issuer: str, credential: Credential, tag: str, destination: str) -> dict:
    """One full login through `port`; returns the browser's cookies. Raises LoginFailed saying which step failed."""
    browser = helper.Browser(f"https://127.0.0.1:{port}")
    try:
        status, headers, _ = send_authn_request(browser, issuer, destination, tag)
        location = headers.get("Location", "")
        if status != 303 or not location.startswith("/login/"):
            raise LoginFailed(f"AuthnRequest: {status}")
        status, _, page = browser.send("GET", location + "/otp-app")
        match = re.search(r'name="csrf" value="([^"]+)"', page)
        if status != 200 or not match:
            raise LoginFailed(f"login form: {status}")
        form = {"csrf": html.unescape(match.group(1)), "otp_id": credential.otp_id, "password": PASSWORD,
                "code": helper.totp(SECRET, int(time.time()) // 30)}
        status, _, page = browser.send("POST", location + "/otp-app", form)
        xml = helper.saml_response(page)
        if status != 200 or not xml or "status:Success" not in xml or "varco_session" not in browser.cookies:
            raise LoginFailed(f"credentials: {status}")
        return dict(browser.cookies)
    except (OSError, http.client.HTTPException) as error:
        raise LoginFailed(f"connection: {type(error).__name__}") from None
    finally:
        browser.connection.close()


def sso_reuse(port: int, issuer: str, cookies: dict, tag: str, destination: str) -> bool:
    """True if an AuthnRequest with these cookies is answered at once with a successful Response (no login)."""
    browser = helper.Browser(f"https://127.0.0.1:{port}")
    browser.cookies = dict(cookies)
    try:
        status, _, page = send_authn_request(browser, issuer, destination, tag)
        xml = helper.saml_response(page)
        return status == 200 and xml is not None and "status:Success" in xml
    finally:
        browser.connection.close()


@dataclass
class Outcome:
    started: float
    ended: float
    ok: bool
    reason: str = ""
    credential: Credential | None = None
    cookies: dict = field(default_factory=dict)


class LoginLoad:
    """Threads that each take the next unused credential and log in with it, one login at a time, until the
    credentials run out or `stop()` is called."""

    def __init__(self, port: int, issuer: str, credentials: list[Credential], destination: str, threads: int = 3):
        self.port, self.issuer, self.destination = port, issuer, destination
        self.queue = list(credentials)
        self.lock = threading.Lock()
        self.outcomes: list[Outcome] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self) -> "LoginLoad":
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _run(self):
        while not self.stopping.is_set():
            with self.lock:
                if not self.queue:
                    return
                credential = self.queue.pop(0)
            started = time.monotonic()
            try:
                cookies = login(self.port, self.issuer, credential, f"load{len(self.outcomes)}", self.destination)
                outcome = Outcome(started, time.monotonic(), True, credential=credential, cookies=cookies)
            except LoginFailed as error:
                outcome = Outcome(started, time.monotonic(), False, str(error), credential)
                # While the database is away every login fails at once: pace the retries so that the
                # single-use credentials last through the outage.
                self.stopping.wait(1.0)
            with self.lock:
                self.outcomes.append(outcome)

    def completed(self) -> int:
        with self.lock:
            return len(self.outcomes)

    def since(self, instant: float) -> list[Outcome]:
        with self.lock:
            return [o for o in self.outcomes if o.started >= instant]

    def summary(self, label: str) -> str:
        with self.lock:
            outcomes = list(self.outcomes)
        failed = [o for o in outcomes if not o.ok]
        reasons = sorted({o.reason for o in failed})
        return (f"{label}: started {len(outcomes)}, succeeded {len(outcomes) - len(failed)}, failed {len(failed)}"
                + (f" ({'; '.join(reasons)})" if reasons else ""))
