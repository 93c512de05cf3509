"""A test PKI of citizen cards, built by the test suite: CNS-like and CIE-like
issuers and cards (good and bad), a real OCSP responder (`openssl ocsp`) on a
loopback port for the CNS cards, and a CRL served by a tiny loopback HTTP
server for the CIE cards.

Certificates are made with the `cryptography` package (OpenSSL underneath);
every file lands in a temporary directory: `trust/cns`, `trust/cie` (what Varco
trusts), `cards/<name>.{crt,key}.pem` (what curl presents).
"""

from __future__ import annotations

import datetime as dt
import http.server
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from harness import cf_check_char, free_port, stop_process_group

CNS_POLICY = "1.3.76.16.2.1"
CIE_POLICY = "1.3.76.47.4"
CIE_SUBCA_POLICY = "1.3.76.47.2"
GIVEN_NAME = x509.ObjectIdentifier("2.5.4.42")
SURNAME = x509.ObjectIdentifier("2.5.4.4")

NOW = dt.datetime.now(dt.timezone.utc)
DAY = dt.timedelta(days=1)


@dataclass
class Issuer:
    name: str
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


@dataclass
class Card:
    name: str
    cert: x509.Certificate
    key_path: Path
    cert_path: Path  # the leaf, plus `extra` certificates if any (what the client sends)
    cf: str | None = None


def _name(cn: str, org: str = "Test PKI", ou: str | None = None, given: str | None = None, surname: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    if given:
        attrs.append(x509.NameAttribute(GIVEN_NAME, given))
    if surname:
        attrs.append(x509.NameAttribute(SURNAME, surname))
    return x509.Name(attrs)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_ca(cn: str, parent: Issuer | None = None, policy: str | None = None, path_len: int = 0, crl_uri: str | None = None) -> Issuer:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(cn, ou="Servizi di Certificazione")
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(parent.cert.subject if parent else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - 30 * DAY)
        .not_valid_after(NOW + 3650 * DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_len), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                          key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )  # fmt: skip
    if parent:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(parent.key.public_key()), critical=False
        )
    if policy:
        builder = builder.add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(policy), None)]), critical=False
        )
    if crl_uri:
        builder = builder.add_extension(_crl_dp(crl_uri), critical=False)
    cert = builder.sign((parent.key if parent else key), hashes.SHA256())
    return Issuer(cn, cert, key)


def _crl_dp(uri: str) -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [x509.DistributionPoint(full_name=[x509.UniformResourceIdentifier(uri)], relative_name=None, reasons=None, crl_issuer=None)]
    )


def _key_usage(digital_signature=True, non_repudiation=False, key_encipherment=True) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature, content_commitment=non_repudiation, key_encipherment=key_encipherment,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False,
        decipher_only=False,
    )  # fmt: skip


@dataclass
class CardPKI:
    root: Path
    ocsp_port: int
    crl_port: int
    issuers: dict[str, Issuer] = field(default_factory=dict)
    cards: dict[str, Card] = field(default_factory=dict)
    revoked_ocsp: set[int] = field(default_factory=set)
    revoked_crl: set[int] = field(default_factory=set)

    @property
    def trust_dir(self) -> Path:
        return self.root / "trust"

    @property
    def ocsp_url(self) -> str:
        return f"http://127.0.0.1:{self.ocsp_port}/"

    def crl_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.crl_port}/{name}.crl"

    def trust(self, family: str, issuer: Issuer) -> None:
        d = self.trust_dir / family
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{issuer.name.replace(' ', '_')}.pem").write_bytes(_pem(issuer.cert))

    def card(self, name: str, issuer: Issuer, cn: str, given: str | None = "MARIO", surname: str | None = "ROSSI",
             policy: str = CNS_POLICY, ku: x509.KeyUsage | None = None, client_auth: bool = True,
             not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
             ocsp: str | None = None, crl: str | None = None, send_chain: list[Issuer] = (), cf: str | None = None) -> Card:
        key = ec.generate_private_key(ec.SECP256R1())
        ekus = [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.EMAIL_PROTECTION] if client_auth else [ExtendedKeyUsageOID.EMAIL_PROTECTION]
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn, org="Actalis S.p.A. (test)", ou="REGIONE TEST", given=given, surname=surname))
            .issuer_name(issuer.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or NOW - DAY)
            .not_valid_after(not_after or NOW + 365 * DAY)
            .add_extension(ku or _key_usage(), critical=True)
            .add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
            .add_extension(x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(policy), None)]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
        )  # fmt: skip
        if ocsp:
            builder = builder.add_extension(
                x509.AuthorityInformationAccess([x509.AccessDescription(x509.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp))]),
                critical=False,
            )
        if crl:
            builder = builder.add_extension(_crl_dp(crl), critical=False)
        cert = builder.sign(issuer.key, hashes.SHA256())
        d = self.root / "cards"
        d.mkdir(parents=True, exist_ok=True)
        key_path, cert_path = d / f"{name}.key.pem", d / f"{name}.crt.pem"
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        cert_path.write_bytes(_pem(cert) + b"".join(_pem(i.cert) for i in send_chain))
        result = Card(name, cert, key_path, cert_path, cf)
        self.cards[name] = result
        return result

    # ---- revocation sources

    def write_ocsp_index(self, issuer: Issuer, cards: list[Card]) -> Path:
        """openssl's CA database: one line per certificate, V(alid) or R(evoked)."""
        lines = []
        for c in cards:
            expiry = c.cert.not_valid_after_utc.strftime("%y%m%d%H%M%SZ")
            serial = f"{c.cert.serial_number:X}"
            if len(serial) % 2:
                serial = "0" + serial
            subject = "/" + "/".join(a.rfc4514_string() for a in c.cert.subject)
            if c.cert.serial_number in self.revoked_ocsp:
                lines.append(f"R\t{expiry}\t{(NOW - DAY).strftime('%y%m%d%H%M%SZ')}\t{serial}\tunknown\t{subject}")
            else:
                lines.append(f"V\t{expiry}\t\t{serial}\tunknown\t{subject}")
        index = self.root / f"ocsp-{issuer.name.replace(' ', '_')}.index.txt"
        index.write_text("\n".join(lines) + "\n")
        # several test cards share a subject: openssl refuses that unless told
        Path(str(index) + ".attr").write_text("unique_subject = no\n")
        return index

    def write_crl(self, name: str, issuer: Issuer) -> None:
        builder = x509.CertificateRevocationListBuilder().issuer_name(issuer.cert.subject)
        builder = builder.last_update(NOW - DAY).next_update(NOW + 7 * DAY)
        for serial in sorted(self.revoked_crl):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW - DAY).build()
            )
        crl = builder.sign(issuer.key, hashes.SHA256())
        d = self.root / "crl"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{name}.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))

    def write_issuer_files(self, issuer: Issuer) -> tuple[Path, Path]:
        cert = self.root / f"{issuer.name.replace(' ', '_')}.crt.pem"
        key = self.root / f"{issuer.name.replace(' ', '_')}.key.pem"
        cert.write_bytes(_pem(issuer.cert))
        key.write_bytes(issuer.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return cert, key


def wait_for_port(port: int, proc: subprocess.Popen | None = None, tries: int = 200, interval: float = 0.05) -> None:
    """Poll until something accepts connections on 127.0.0.1:port."""
    for _ in range(tries):
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(interval)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def wait_for_line(log: Path, text: str, proc: subprocess.Popen, tries: int = 200, interval: float = 0.05) -> None:
    """Poll until the process wrote `text` to its log."""
    for _ in range(tries):
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        time.sleep(interval)
    raise RuntimeError(f"{text!r} never appeared in {log}")


class OCSPResponder:
    """`openssl ocsp` answering for one CA (asked on loopback; openssl 3.0 takes only a port number and listens on
    every address), signing with the CA's key, nextUpdate in 1 day."""

    def __init__(self, pki: CardPKI, issuer: Issuer, index: Path, port: int):
        cert, key = pki.write_issuer_files(issuer)
        self.log = open(pki.root / "ocsp.log", "ab")
        self.proc = subprocess.Popen(
            ["openssl", "ocsp", "-index", str(index), "-port", str(port), "-rsigner", str(cert), "-rkey", str(key),
             "-CA", str(cert), "-ndays", "1"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        # Not a bare TCP probe: openssl ocsp (3.0) hangs for good on a connection closed without a request.
        wait_for_line(pki.root / "ocsp.log", "waiting for OCSP client connections", self.proc)

    def stop(self) -> None:
        stop_process_group(self.proc, grace=5)
        self.log.close()


class CRLServer:
    """A tiny HTTP server for the CRL files, in a thread, on a loopback port."""

    def __init__(self, directory: Path, port: int):
        handler = lambda *a, **kw: _QuietHandler(*a, directory=str(directory), **kw)  # noqa: E731
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def build(root: Path) -> CardPKI:
    """The whole test PKI; starts nothing."""
    pki = CardPKI(root, ocsp_port=free_port(), crl_port=free_port())
    # CNS: a regional "CA Cittadini", a self-signed root issuing cards directly; OCSP responder named in the cards.
    cns = make_ca("Regione Test - CA Cittadini")
    pki.issuers["cns"] = cns
    pki.trust("cns", cns)
    # CIE: national root and an issuing sub-CA (policy 1.3.76.47.2, not the leaf's); cards carry a CRL distribution point.
    cie_root = make_ca("National root CA for the Italian Electronic Identity Card - TEST", path_len=1)
    sub1 = make_ca("Issuing sub CA for the Italian Electronic Identity Card - SUBCA1", parent=cie_root, policy=CIE_SUBCA_POLICY)
    sub2 = make_ca("Issuing sub CA for the Italian Electronic Identity Card - SUBCA2", parent=cie_root, policy=CIE_SUBCA_POLICY)
    pki.issuers.update(cie_root=cie_root, sub1=sub1, sub2=sub2)
    pki.trust("cie", cie_root)
    pki.trust("cie", sub1)  # SUBCA1 is published beside the root; SUBCA2 is not (cards must send it)
    rogue = make_ca("Regione Falsa - CA Cittadini")
    pki.issuers["rogue"] = rogue

    ocsp = pki.ocsp_url
    cns_cn = lambda cf, card_id="6120016461039008": f"{cf}/{card_id}.i1ZpZfaCX/eKyikBfnF8to+M2T8="  # noqa: E731
    pki.card("cns_good", cns, cns_cn("RSSMRA80A01H501U"), ocsp=ocsp, cf="RSSMRA80A01H501U")
    omocodic = "MSRNTN77H15C35M"  # the last digit of MSRNTN77H15C351X replaced by its omocodia letter
    omocodic += cf_check_char(omocodic)
    pki.card("cns_omocodia", cns, cns_cn(omocodic, "7430010024925855"), given="ANTONIO", surname="MESSERE", ocsp=ocsp, cf=omocodic)
    pki.card("cns_revoked", cns, cns_cn("RCCMNL83S18D969H"), ocsp=ocsp)
    pki.card("cns_expired", cns, cns_cn("RSSMRA80A01H501U"), ocsp=ocsp, not_before=NOW - 400 * DAY, not_after=NOW - DAY)
    pki.card("cns_not_yet_valid", cns, cns_cn("RSSMRA80A01H501U"), ocsp=ocsp, not_before=NOW + 10 * DAY, not_after=NOW + 400 * DAY)
    pki.card("cns_signature", cns, cns_cn("RSSMRA80A01H501U"), ocsp=ocsp,
             ku=_key_usage(digital_signature=False, non_repudiation=True, key_encipherment=False))  # fmt: skip
    pki.card("cns_wrong_ku", cns, cns_cn("RSSMRA80A01H501U"), ocsp=ocsp, ku=_key_usage(digital_signature=False))
    pki.card("cns_wrong_policy", cns, cns_cn("RSSMRA80A01H501U"), ocsp=ocsp, policy="1.3.76.16.6")
    pki.card("cns_malformed_cn", cns, "RSSMRA80A01H501U", ocsp=ocsp)
    pki.card("cns_invalid_cf", cns, cns_cn("RSSMRA85D18F051Y"), ocsp=ocsp)
    pki.card("cns_ocsp_down", cns, cns_cn("RSSMRA80A01H501U"), ocsp=f"http://127.0.0.1:{free_port()}/")
    pki.card("rogue", rogue, cns_cn("RSSMRA80A01H501U"), ocsp=ocsp, send_chain=[rogue])
    pki.card("cie_good", sub1, "BNCLRA70M41F205V", given="LAURA", surname="BIANCHI", policy=CIE_POLICY,
             crl=pki.crl_url("subca1"), cf="BNCLRA70M41F205V")  # fmt: skip
    pki.card("cie_revoked", sub1, "TSTTNT80A41H501S", given="TINA", surname="TEST", policy=CIE_POLICY, crl=pki.crl_url("subca1"))
    pki.card("cie_no_intermediate", sub2, "TSTTNT80A01H501O", given="TONI", surname="TEST", policy=CIE_POLICY,
             crl=pki.crl_url("subca2"))  # fmt: skip

    pki.revoked_ocsp.add(pki.cards["cns_revoked"].cert.serial_number)
    pki.revoked_crl.add(pki.cards["cie_revoked"].cert.serial_number)
    pki.write_crl("subca1", sub1)
    return pki
