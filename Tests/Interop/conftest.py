"""Fixtures of the interop suite.

`varco` (session scope) starts a live Varco IdP (`varco serve --demo`) on a
free loopback port with a fresh data directory, waits until GET /metadata
answers, and stops the whole process group at the end, whatever happened.
See harness.py for the environment variables it reads.
"""

from __future__ import annotations

import atexit
import os

import pytest

from browser import Browser
from harness import Varco, free_ports, varco_binary

_running: Varco | None = None


@pytest.fixture(scope="session")
def varco(tmp_path_factory, request) -> Varco:
    global _running
    binary = varco_binary()
    tries = int(os.environ.get("VARCO_READY_TRIES", "300"))
    interval = float(os.environ.get("VARCO_READY_INTERVAL", "0.2"))
    deadline = float(os.environ.get("VARCO_READY_TIMEOUT", "120"))
    base = tmp_path_factory.mktemp("varco")
    last_error: Exception | None = None
    for attempt in range(3):  # a free port may be taken between probing it and binding it
        data_dir = base / f"data-{attempt}"
        data_dir.mkdir()
        port, demo_sp_port, card_port = free_ports(3)
        # the demo also opens the smart-card listener (otherwise on the demo port + 1, which may be taken)
        server = Varco(binary, data_dir, port, base / f"server-{attempt}.log", demo_sp_port=demo_sp_port,
                       extra_args=["--card-port", str(card_port)])
        request.addfinalizer(server.stop)
        atexit.register(server.stop)
        try:
            server.start(tries, interval, deadline)
        except RuntimeError as e:
            server.stop()
            last_error = e
            if "in use" in server.log_tail().lower():
                continue
            break
        _running = server
        yield server
        _running = None
        return
    pytest.fail(f"could not start varco: {last_error}", pytrace=False)


@pytest.fixture
def browser() -> Browser:
    """A fresh browser (cookie jar) per test."""
    return Browser()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and _running is not None:
        report.sections.append(("varco server log", _running.log_tail()))


