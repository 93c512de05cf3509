"""A live Varco IdP for the interop suite: starting and stopping the server
process, running its CLI, and making test citizens.

The `varco` fixture in conftest.py uses this to start `varco serve --demo` on
a free loopback port with a fresh data directory.

Environment:
  VARCO_BIN                 the varco executable (default: .build/debug/varco,
                            built with `swift build --product varco` if missing)
  VARCO_READY_TRIES         readiness polls before giving up (default 300)
  VARCO_READY_INTERVAL      seconds between polls (default 0.2)
  VARCO_READY_TIMEOUT       seconds before giving up in any case (default 120)
"""

from __future__ import annotations

import base64
import datetime
import os
import random
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from lxml import etree

from browser import TotpDevice, new_session
from xmlcheck import NS, signing_certificate_pem

REPO_ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- process handling


def free_ports(n: int) -> list[int]:
    """`n` distinct ports free on 127.0.0.1 right now."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def free_port() -> int:
    return free_ports(1)[0]


def stop_process_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM the process group of `proc`, then SIGKILL it if it lingers."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    # children may outlive the leader: make sure the group is gone
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass


def wait_until_ready(url: str, proc: subprocess.Popen, tries: int, interval: float, describe, deadline: float = 120.0) -> None:
    """Poll `url` until it answers 200: at most `tries` times, and for at most
    `deadline` seconds in all."""
    last = "no answer"
    give_up = time.monotonic() + deadline
    session = new_session()
    for attempt in range(1, tries + 1):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before answering\n{describe()}")
        try:
            r = session.get(url, timeout=2)
            if r.status_code == 200:
                return
            last = f"HTTP {r.status_code}"
        except requests.RequestException as e:
            last = f"{type(e).__name__}: {e}"
        if time.monotonic() >= give_up:
            break
        time.sleep(interval)
    raise RuntimeError(f"{url} not ready after {attempt} tries ({last})\n{describe()}")


def checkout_of(binary: Path) -> Path:
    """The source tree a varco binary was built in (the server reads its
    templates relative to the working directory): the nearest parent holding
    Package.swift, else this repository."""
    for parent in binary.resolve().parents:
        if (parent / "Package.swift").exists():
            return parent
    return REPO_ROOT


def varco_binary() -> Path:
    env = os.environ.get("VARCO_BIN")
    if env:
        path = Path(env)
        if not path.is_absolute():
            path = (REPO_ROOT / path).resolve()
        if not path.exists():
            raise RuntimeError(f"VARCO_BIN={env} does not exist")
        return path
    path = REPO_ROOT / ".build" / "debug" / "varco"
    if not path.exists():
        subprocess.run(["swift", "build", "--product", "varco"], cwd=REPO_ROOT, check=True)
    return path


# --------------------------------------------------------------------------- the live IdP


@dataclass
class Citizen:
    cf: str
    given_name: str
    family_name: str
    birth_date: str
    otp_id: str
    password: str
    totp: TotpDevice

    @property
    def fiscal_number(self) -> str:
        return f"TINIT-{self.cf}"


class Varco:
    def __init__(
        self,
        binary: Path,
        data_dir: Path,
        port: int,
        log_path: Path,
        demo_sp_port: int | None = None,
        extra_args: tuple[str, ...] = (),
    ):
        self.binary = binary
        self.extra_args = tuple(extra_args)
        self.data_dir = data_dir
        self.port = port
        self.demo_sp_port = demo_sp_port
        self.cwd = checkout_of(binary)
        self.base_url = f"https://127.0.0.1:{port}"
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self._used_cf: set[str] = set()
        self._used_otp_ids: set[str] = set()
        self._rng = random.Random(secrets.randbits(64))

    # ---- process
    def start(self, tries: int, interval: float, deadline: float = 120.0) -> None:
        self._log = open(self.log_path, "ab")
        cmd = [str(self.binary), "serve", "--demo", "--data-dir", str(self.data_dir), "--port", str(self.port)]
        if self.demo_sp_port is not None:
            # the demo services otherwise listen on port + 1, which may be taken
            cmd += ["--demo-sp-port", str(self.demo_sp_port)]
        cmd += list(self.extra_args)
        self.proc = subprocess.Popen(
            cmd,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, so stop() can kill it all
        )
        wait_until_ready(self.metadata_url, self.proc, tries, interval, self.log_tail, deadline)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process_group(self.proc)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def log_tail(self, limit: int = 6000) -> str:
        try:
            data = self.log_path.read_bytes()
        except OSError:
            return "(no server log)"
        return "--- varco server log (tail) ---\n" + data[-limit:].decode("utf-8", "replace")

    # ---- CLI
    def cli_result(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """Runs `varco ARGS... --data-dir DIR` and returns the completed process."""
        return subprocess.run(
            [str(self.binary), *map(str, args), "--data-dir", str(self.data_dir)],
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def cli(self, *args: str, timeout: float = 120) -> str:
        """Like cli_result, but fails the test on a non-zero exit; returns stdout."""
        r = self.cli_result(*args, timeout=timeout)
        if r.returncode != 0:
            raise AssertionError(
                f"varco {' '.join(map(str, args))} exited {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}"
            )
        return r.stdout

    # ---- IdP metadata
    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/metadata"

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/metadata"

    def metadata(self) -> bytes:
        r = new_session().get(self.metadata_url, timeout=30)
        r.raise_for_status()
        return r.content

    def sso_location(self, binding: str) -> str:
        doc = etree.fromstring(self.metadata())
        locs = doc.xpath(
            "md:IDPSSODescriptor/md:SingleSignOnService[@Binding=$b]/@Location", namespaces=NS, b=binding
        )
        assert locs, f"no SingleSignOnService with binding {binding} in the IdP metadata"
        return locs[0]

    def signing_certificate_pem(self) -> str:
        return signing_certificate_pem(self.metadata())

    # ---- registrations
    def add_sp(self, metadata_path: Path) -> str:
        """`varco sp add FILE`; returns what it printed (the entityID)."""
        return self.cli("sp", "add", str(metadata_path)).strip()

    def add_citizen(self, given_name: str = "Mario", family_name: str = "Rossi", password: str = "Demo-Varco-2026",
                    email: str | None = None, mobile: str | None = None) -> Citizen:
        """Creates a new citizen with an authenticator-app credential of its own
        (codes are accepted once per credential, so tests don't share one)."""
        while True:
            birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=self._rng.randrange(365 * 50))
            cf = codice_fiscale(family_name, given_name, birth, female=False, place="H501")
            if cf not in self._used_cf:
                break
        while True:
            otp_id = "80" + "".join(str(self._rng.randrange(10)) for _ in range(8))
            if otp_id not in self._used_otp_ids:
                break
        self._used_cf.add(cf)
        self._used_otp_ids.add(otp_id)
        secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
        contact = (["--email", email] if email else []) + (["--mobile", mobile] if mobile else [])
        self.cli(
            "citizen", "add",
            "--cf", cf,
            "--given-name", given_name,
            "--family-name", family_name,
            "--birth-date", birth.isoformat(),
            "--birth-place", "H501",
            "--otp-id", otp_id,
            "--password", password,
            "--totp-secret", secret,
            *contact,
        )  # fmt: skip
        return Citizen(cf, given_name, family_name, birth.isoformat(), otp_id, password, TotpDevice(secret))


# --------------------------------------------------------------------------- codice fiscale

_CF_MONTHS = "ABCDEHLMPRST"
_CF_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 1, 0, 5, 7, 9, 13, 15, 17, 19, 21,
         2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23],
    )
)  # fmt: skip


def _cf_letters(name: str, given: bool) -> str:
    letters = [c for c in name.upper() if c.isalpha()]
    cons = [c for c in letters if c not in "AEIOU"]
    vows = [c for c in letters if c in "AEIOU"]
    if given and len(cons) >= 4:
        cons = [cons[0], cons[2], cons[3]]
    return "".join((cons + vows + ["X"] * 3)[:3])


def cf_check_char(first15: str) -> str:
    total = 0
    for i, c in enumerate(first15.upper()):
        if i % 2 == 0:  # odd positions, 1-based
            total += _CF_ODD[c]
        else:
            total += int(c) if c.isdigit() else ord(c) - ord("A")
    return chr(ord("A") + total % 26)


def codice_fiscale(family_name: str, given_name: str, birth: datetime.date, female: bool, place: str) -> str:
    """A well-formed Italian fiscal code consistent with the given data."""
    day = birth.day + (40 if female else 0)
    first15 = (
        _cf_letters(family_name, False)
        + _cf_letters(given_name, True)
        + f"{birth.year % 100:02d}"
        + _CF_MONTHS[birth.month - 1]
        + f"{day:02d}"
        + place.upper()
    )
    return first15 + cf_check_char(first15)
