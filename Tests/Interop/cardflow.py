"""Driving a smart-card login: a requests-based browser starts the SAML login at
Varco and picks "Entra con Carta"; curl, with the card's certificate and key,
plays the browser on the card step (carrying the browser's cookies)."""

from __future__ import annotations

import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from browser import Browser, Page, _PageParser
from sps import BINDING_REDIRECT, Pysaml2SP, send


@dataclass
class CardStep:
    status: int
    html: str
    page: Page

    @property
    def reason(self) -> str | None:
        marker = 'data-reason="'
        i = self.html.find(marker)
        return None if i < 0 else self.html[i + len(marker):self.html.index('"', i + len(marker))]


def start_login(varco, sp: Pysaml2SP, relay_state: str):
    """The SP's AuthnRequest, the browser that carried it, and the card step's URL."""
    browser = Browser()
    req = sp.authn_request(varco.entity_id, BINDING_REDIRECT, relay_state=relay_state)
    page = send(browser, req)
    assert page.visited("/login/"), page.chain
    page = browser.get(page.link("/smartcard"))
    assert page.status == 200, page.text[:2000]
    return req, browser, page.link("/smartcard/present")


def curl(url: str, browser: Browser, cert: Path | None = None, key: Path | None = None,
         headers: dict[str, str] | None = None, connect_to: str | None = None) -> CardStep:
    cookies = "; ".join(f"{c.name}={c.value}" for c in browser.session.cookies)
    cmd = ["curl", "-sS", "-k", "--noproxy", "*", "-o", "-", "-w", "\n%{http_code}", "-b", cookies]
    if cert is not None:
        cmd += ["--cert", str(cert), "--key", str(key)]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if connect_to:
        cmd += ["--connect-to", connect_to]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"curl failed ({out.returncode}): {out.stderr}"
    html, _, status = out.stdout.rpartition("\n")
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    page = Page(url=url, status=int(status), text=html, forms=parser.forms, links=parser.links, chain=[(int(status), url)])
    return CardStep(int(status), html, page)


def audit_details(data_dir: Path, fragment: str) -> list[tuple[str, str]]:
    """(kind, json) of the audit entries whose JSON contains `fragment`, newest first."""
    with sqlite3.connect(f"file:{data_dir / 'varco.sqlite'}?mode=ro", uri=True) as db:
        return list(db.execute("SELECT kind, json FROM audit WHERE json LIKE ? ORDER BY seq DESC", (f"%{fragment}%",)))
