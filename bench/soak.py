#!/usr/bin/env python3
"""Soak load for bench/soak: mixed flows against a live Varco, with errors, p99 and the server's RSS
reported at each interval.

    soak.py BASE PID SECONDS WORKERS CREDENTIALS_FILE CLIENT_ID CLIENT_SECRET

Each worker is a browser that loops over a weighted mix of flows:
  sso-reuse   a new AuthnRequest from a browser that has an SSO session: one POST, a signed Response
  full-login  a new browser: AuthnRequest, login page, OTP-app form, password + TOTP code, Response
  oidc-code   authorize with the SSO session, then the code exchanged at the token endpoint
A TOTP code is accepted once per credential and time step, so full logins draw credentials from a
pool and each is used at most once per 30-second step.
"""
import base64
import collections
import html
import json
import os
import re
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helper import Browser, authn_request, saml_response, totp  # noqa: E402

SP_ENTITY = "https://bench-sp.test/metadata"
REDIRECT_URI = "https://bench-rp.test/cb"
PASSWORD = "Demo-Varco-2026"
SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
MIX = ["sso-reuse"] * 6 + ["oidc-code"] * 3 + ["full-login"]


class Failure(Exception):
    pass


class Credentials:
    """OTP IDs handed out so that none is used twice in one TOTP step."""

    def __init__(self, otp_ids):
        self.lock = threading.Lock()
        self.last_step = {otp_id: -1 for otp_id in otp_ids}

    def take(self):
        step = int(time.time()) // 30
        with self.lock:
            for otp_id, used in self.last_step.items():
                if used < step:
                    self.last_step[otp_id] = step
                    return otp_id, step
        return None, step


def full_login(browser, credentials):
    otp_id, step = credentials.take()
    if otp_id is None:
        return "skipped"
    status, headers, _ = browser.sso(SP_ENTITY, "login")
    location = headers.get("Location", "")
    if status != 303 or not location.startswith("/login/"):
        raise Failure(f"AuthnRequest answered {status}")
    status, _, page = browser.send("GET", location + "/otp-app")
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    if status != 200 or not match:
        raise Failure(f"OTP form answered {status}")
    form = {"csrf": html.unescape(match.group(1)), "otp_id": otp_id, "password": PASSWORD, "code": totp(SECRET, step)}
    status, _, page = browser.send("POST", location + "/otp-app", form)
    xml = saml_response(page)
    if status != 200 or not xml or "status:Success" not in xml:
        raise Failure(f"login answered {status} without a successful Response")
    return "ok"


def sso_reuse(browser):
    status, _, page = browser.sso(SP_ENTITY, "reuse")
    xml = saml_response(page)
    if status != 200 or not xml or "status:Success" not in xml:
        raise Failure(f"SSO reuse answered {status} without a successful Response")
    return "ok"


def oidc_code(browser, client_id, client_secret):
    query = urllib.parse.urlencode({"client_id": client_id, "redirect_uri": REDIRECT_URI, "response_type": "code",
                                    "scope": "openid profile", "state": "s", "nonce": os.urandom(8).hex()})
    status, headers, _ = browser.send("GET", "/oidc/authorize?" + query)
    location = headers.get("Location", "")
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("code", [None])[0]
    if status not in (302, 303) or not location.startswith(REDIRECT_URI) or not code:
        raise Failure(f"authorize answered {status} without a code")
    basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI})
    browser.connection.request("POST", "/oidc/token", body=body, headers={
        "Authorization": "Basic " + basic, "Content-Type": "application/x-www-form-urlencoded"})
    response = browser.connection.getresponse()
    answer = response.read()
    if response.status != 200 or "id_token" not in json.loads(answer or b"{}"):
        raise Failure(f"token endpoint answered {response.status}")
    return "ok"


def signed_in_browser(base, credentials):
    browser = Browser(base)
    while full_login(browser, credentials) == "skipped":
        time.sleep(0.5)  # every credential used in this TOTP step: wait for the next step
    return browser


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    base, pid, seconds, workers, credentials_file, client_id, client_secret = sys.argv[1:8]
    pid, seconds, workers = int(pid), int(seconds), int(workers)
    credentials = Credentials([line.split()[1] for line in open(credentials_file) if line.strip()])
    lock = threading.Lock()
    window = collections.defaultdict(list)  # flow -> latencies (s) in the current interval
    totals = collections.Counter()
    errors = collections.Counter()
    stop = threading.Event()

    def worker(index):
        session_browser = signed_in_browser(base, credentials)
        turn = index
        while not stop.is_set():
            flow = MIX[turn % len(MIX)]
            turn += 1
            started = time.monotonic()
            try:
                if flow == "full-login":
                    outcome = full_login(Browser(base), credentials)
                elif flow == "sso-reuse":
                    outcome = sso_reuse(session_browser)
                else:
                    outcome = oidc_code(session_browser, client_id, client_secret)
            except (Failure, OSError, ValueError) as problem:
                with lock:
                    errors[f"{flow}: {problem}"] += 1
                try:  # a fresh connection and session, as a browser after an error page
                    session_browser = signed_in_browser(base, credentials)
                except (Failure, OSError, ValueError) as again:
                    with lock:
                        errors[f"sign-in after an error: {again}"] += 1
                continue
            if outcome == "ok":
                with lock:
                    window[flow].append(time.monotonic() - started)
                    totals[flow] += 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    interval = 30 if seconds >= 120 else max(5, seconds // 4)
    began = time.monotonic()
    samples = []
    print(f"{'time s':>7} {'flows':>7} {'flows/s':>8} {'p99 ms':>8} {'errors':>7} {'RSS MiB':>8}")
    while time.monotonic() - began < seconds:
        time.sleep(min(interval, seconds - (time.monotonic() - began)))
        with lock:
            latencies = [value for values in window.values() for value in values]
            window.clear()
            error_count = sum(errors.values())
        rss = rss_kib(pid) / 1024
        elapsed = time.monotonic() - began
        samples.append((elapsed, rss))
        print(f"{elapsed:7.0f} {len(latencies):7d} {len(latencies) / interval:8.1f} {percentile(latencies, 0.99) * 1000:8.1f} "
              f"{error_count:7d} {rss:8.1f}", flush=True)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    print()
    print("flows completed: " + ", ".join(f"{flow} {count}" for flow, count in sorted(totals.items())))
    warm = [rss for elapsed, rss in samples if elapsed >= seconds * 0.2] or [samples[-1][1]]
    growth = warm[-1] - warm[0]
    print(f"RSS after warm-up: first {warm[0]:.1f} MiB, last {warm[-1]:.1f} MiB, peak {max(warm):.1f} MiB, growth {growth:+.1f} MiB")
    if errors:
        print("errors:")
        for problem, count in errors.most_common():
            print(f"  {count:5d}  {problem}")
        sys.exit(1)
    print("errors: none")


if __name__ == "__main__":
    main()
