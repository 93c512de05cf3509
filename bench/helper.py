#!/usr/bin/env python3
"""Setup and report steps of bench/run (the load itself is driven by wrk).

Subcommands:
  free-port                          print a free TCP port on 127.0.0.1
  sp-metadata ENTITY_ID ACS_URL      print SP metadata (unsigned requests accepted)
  credentials N                      print N lines "codice_fiscale otp_id", all distinct and valid
  totp SECRET SECONDS                print "step code" for the steps from now-1 to now+SECONDS
  wait URL TIMEOUT PID               wait until URL answers (any HTTP status) or PID exits
  login BASE ISSUER OTP_ID PASSWORD SECRET SIGNATURES
                                     log in as a browser would; check that SSO reuse works;
                                     print "varco_session=...; varco_browser=..."
  openssl-sign FILE                  sign/s from the output of `openssl speed -mr rsa2048`
  report FILE                        print the report from the results (key=value lines)
"""
import base64
import hashlib
import hmac
import html
import http.client
import os
import re
import socket
import ssl
import struct
import sys
import time
import urllib.parse

ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def check_character(first15):
    total = 0
    for index, char in enumerate(first15):
        ordinal = int(char) if char.isdigit() else ord(char) - 65
        total += ODD[ordinal] if index % 2 == 0 else ordinal
    return chr(65 + total % 26)


def codice_fiscale(n):
    """A valid codice fiscale, distinct for each n: the six name letters encode n in base 26."""
    letters = []
    for _ in range(6):
        letters.append(LETTERS[n % 26])
        n //= 26
    body = "".join(reversed(letters)) + "80A01H501"
    return body + check_character(body)


def totp(secret_b32, step):
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1_000_000)


def authn_request(request_id, destination, issuer):
    instant = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return ('<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
            f'ID="{request_id}" Version="2.0" IssueInstant="{instant}" Destination="{destination}">'
            f'<saml:Issuer>{issuer}</saml:Issuer></samlp:AuthnRequest>')


def tls_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Browser:
    """One keep-alive HTTPS connection and a cookie jar: enough of a browser for the login pages."""

    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.base = base
        self.connection = http.client.HTTPSConnection(url.hostname, url.port, context=tls_context(), timeout=30)
        self.cookies = {}

    def send(self, method, path, form=None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, text

    def sso(self, issuer, tag):
        request_id = f"_setup_{tag}_{os.getpid()}_{time.time_ns()}"
        xml = authn_request(request_id, self.base + "/sso", issuer)
        return self.send("POST", "/sso", {"SAMLRequest": base64.b64encode(xml.encode()).decode(), "RelayState": tag})


def saml_response(page):
    """The decoded SAMLResponse of an auto-submit page, or None."""
    match = re.search(r'name="SAMLResponse" value="([^"]*)"', page)
    return base64.b64decode(html.unescape(match.group(1))).decode() if match else None


def fail(message):
    sys.exit(f"bench: {message}")


def login(base, issuer, otp_id, password, secret, signatures):
    browser = Browser(base)
    status, headers, _ = browser.sso(issuer, "login")
    location = headers.get("Location", "")
    if status != 303 or not location.startswith("/login/"):
        fail(f"AuthnRequest answered {status} (Location {location!r}), expected 303 to /login/...")
    status, _, _ = browser.send("GET", location)
    if status != 200:
        fail(f"GET {location} answered {status}")
    status, _, page = browser.send("GET", location + "/otp-app")
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    if status != 200 or not match:
        fail(f"GET {location}/otp-app answered {status} without a csrf field")
    form = {"csrf": html.unescape(match.group(1)), "otp_id": otp_id, "password": password,
            "code": totp(secret, int(time.time()) // 30)}
    status, _, page = browser.send("POST", location + "/otp-app", form)
    xml = saml_response(page)
    if status != 200 or not xml or "status:Success" not in xml or "varco_session" not in browser.cookies:
        fail(f"login POST answered {status}; no successful SAMLResponse or no session cookie")
    # SSO reuse, once, as wrk will do it.
    status, _, page = browser.sso(issuer, "reuse")
    xml = saml_response(page)
    if status != 200 or not xml or "status:Success" not in xml:
        fail(f"SSO reuse answered {status} without a successful SAMLResponse")
    found = len(re.findall(r"<(?:\w+:)?SignatureValue[ >]", xml))
    if found != signatures:
        fail(f"an SSO-reuse Response carries {found} signatures, the benchmark expects {signatures}")
    print(f"varco_session={browser.cookies['varco_session']}; varco_browser={browser.cookies['varco_browser']}")


def wait(url, timeout, pid):
    parts = urllib.parse.urlsplit(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            fail("the server exited during start-up")
        try:
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, context=tls_context(), timeout=2)
            connection.request("GET", parts.path or "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    fail(f"the server did not answer {url} within {timeout} s")


def openssl_sign(path):
    # Machine-readable line of the signing run: +R1:<signatures>:<bits>:<seconds>
    for line in open(path):
        fields = line.strip().split(":")
        if fields[0] == "+R1" and fields[2] == "2048" and float(fields[3]) > 0:
            print("%.1f" % (int(fields[1]) / float(fields[3])))
            return
    fail("no rsa2048 result in the output of openssl speed")


def number(results, key, default=0.0):
    try:
        return float(results.get(key, default))
    except ValueError:
        return default


def report(path):
    results = {}
    for line in open(path):
        key, _, value = line.rstrip("\n").partition("=")
        if key:
            results[key] = value
    tick = number(results, "clk_tck", 100)
    samples = [number(results, key) for key in ("openssl_sign_per_s.before", "openssl_sign_per_s.after") if key in results]
    sign_per_s = sum(samples) / len(samples) if samples else 0.0
    signature_ms = 1000.0 / sign_per_s if sign_per_s else 0.0
    signatures = int(number(results, "signatures", 2))

    print()
    print(f"Varco SAML SSO benchmark: server on CPU {results.get('server_cpu')}, load (wrk) on CPU {results.get('driver_cpu')}, "
          f"{results.get('seconds')} s per scenario")
    if not samples:
        fail("no openssl speed result")
    print(f"openssl speed rsa2048 (CPU {results.get('server_cpu')}): {sign_per_s:.0f} sign/s "
          f"(before {samples[0]:.0f}, after {samples[-1]:.0f}) = {signature_ms:.3f} ms per RSA-2048 signature")
    print()
    header = f"{'scenario':<12} {'flows':>7} {'flows/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/flow':>12} {'server busy':>12}  problems"
    print(header)
    print("-" * len(header))
    rows = {}
    for name, label in (("reuse", "SSO reuse"), ("login", "full login")):
        if f"{name}.flows" not in results:
            continue
        flows = number(results, f"{name}.flows")
        seconds = number(results, f"{name}.seconds")
        cpu_ms = number(results, f"{name}.cpu_ticks") * 1000.0 / tick
        per_flow = cpu_ms / flows if flows else float("nan")
        rate = flows / seconds if seconds else 0.0
        busy = f"{cpu_ms / seconds / 10:.0f}%" if seconds else "?"
        problems = []
        if results.get(f"{name}.failures"):
            problems.append(results[f"{name}.failures"])
        if number(results, f"{name}.socket_errors"):
            problems.append(f"socket errors={results[f'{name}.socket_errors']}")
        rows[name] = per_flow
        print(f"{label:<12} {flows:>7.0f} {rate:>9.1f} {number(results, f'{name}.p50_ms'):>8.1f} "
              f"{number(results, f'{name}.p99_ms'):>8.1f} {per_flow:>12.3f} {busy:>12}  {', '.join(problems) or 'none'}")
    for name, label in (("reuse", "SSO reuse"), ("login", "full login")):
        total = number(results, f"{name}.core_total_ticks")
        if name in rows and total:
            server = number(results, f"{name}.cpu_ticks")
            other = max(0.0, number(results, f"{name}.core_busy_ticks") - server) / total
            note = "" if other < 0.05 else "  <- the machine was not quiet: flows/s and latency suffer most"
            print(f"other work on CPU {results.get('server_cpu')} (other processes, interrupts) during {label}: {100 * other:.0f}%{note}")
    print()
    if "reuse" in rows and signature_ms and rows["reuse"] == rows["reuse"]:
        cost = signatures * signature_ms
        ratio = rows["reuse"] / cost
        verdict = "reached" if ratio <= 1.5 else "not reached"
        print(f"SSO reuse: server CPU per flow / its {signatures} RSA-2048 signatures = "
              f"{rows['reuse']:.3f} ms / {cost:.3f} ms = {ratio:.2f}  (goal <= 1.5: {verdict})")
    if "login" in rows:
        print(f"full login: {results.get('login.credentials')} single-use credentials, {results.get('login.connections')} "
              "concurrent browsers; the Argon2id password check dominates its CPU cost")
    print()


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    command, args = argv[1], argv[2:]
    if command == "free-port":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            print(s.getsockname()[1])
    elif command == "sp-metadata":
        entity_id, acs = args
        print('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
              f'entityID="{entity_id}"><md:SPSSODescriptor '
              'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
              '<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
              f'Location="{acs}" index="0" isDefault="true"/></md:SPSSODescriptor></md:EntityDescriptor>')
    elif command == "credentials":
        for n in range(int(args[0])):
            print(codice_fiscale(1000 + n), "90%08d" % n)
    elif command == "totp":
        secret, seconds = args[0], int(args[1])
        now = int(time.time()) // 30
        for step in range(now - 1, now + seconds // 30 + 3):
            print(step, totp(secret, step))
    elif command == "wait":
        wait(args[0], float(args[1]), int(args[2]))
    elif command == "login":
        login(args[0], args[1], args[2], args[3], args[4], int(args[5]))
    elif command == "openssl-sign":
        openssl_sign(args[0])
    elif command == "report":
        report(args[0])
    else:
        fail(f"unknown subcommand {command}")


if __name__ == "__main__":
    main(sys.argv)
