"""End to end in a real browser: JupyterLab 4 (and Notebook 7) + Playwright + Debian chromium.

The test serves a paced emulator over HTTP on 127.0.0.1, starts ``jupyter lab`` on 127.0.0.1 with a
temporary root holding ``chat.ipynb`` (from ``tests/browser/notebooks/``) and
``ANTHROPIC_BASE_URL`` pointing at the emulator (with a fake ``sk-ant-test-`` key), and drives
``/usr/bin/chromium`` headless through the ``playwright`` package (no browser download). It sends a
message and watches the reply grow, presses Stop mid-stream, attaches a figure from a kernel
variable, and approves a tool call in the chat (the notebook opens it with ``%claude_chat``).
Screenshots go to ``artifacts/screenshots/``. Skipped only when chromium is absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from claude_nb.testing import canary_key

CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOKS = Path(__file__).parent / "notebooks"  # ruff skips folders named notebooks
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TOKEN = "claude-nb-browser-test"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

pytestmark = [  # and ``browser``, as for everything under tests/browser/
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium (/usr/bin/chromium) absent"),
    pytest.mark.timeout(180),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    from claude_nb.emulator import Emulator, Pacing

    # ~60 tokens per second: a few seconds per reply, so growth and Stop are observable
    with Emulator(pacing=Pacing(tokens_per_second=60)).serve(host="127.0.0.1", port=0) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory, emulator_url: str) -> Iterator[str]:
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOKS / "chat.ipynb", root / "chat.ipynb")
    home = tmp_path_factory.mktemp("home")
    # no "official Jupyter news?" toast over the chat (JupyterLab 4 and Notebook 7 read this)
    notification = home / "config/lab/user-settings/@jupyterlab/apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANTHROPIC_", "CLAUDE_NB_", "JUPYTER_"))
    }
    env.update(
        {
            "ANTHROPIC_BASE_URL": emulator_url,
            "ANTHROPIC_API_KEY": canary_key("browser-0000", kind="test"),
            "HOME": str(home),
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "MPLBACKEND": "Agg",
        }
    )
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={TOKEN}",
        "--allow-root",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=",
        "--LabApp.extension_manager=readonly",
        "--ServerApp.port_retries=0",
    ]
    log = (home / "jupyter.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((home / "jupyter.log").read_text()) from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def last_assistant(page: Any) -> Any:
    # the transcript lists the newest message first in the DOM (column-reverse pins the scroll)
    return page.locator(".cnb-msg.cnb-assistant").first


def run_all_cells(page: Any) -> None:
    """Run the notebook once its kernel is attached and idle, then wait for the chat.

    Run-all on a notebook whose session has no kernel yet calls ``startKernel()``; while the
    kernel specs are still loading it finds no default kernel, opens the "Select Kernel"
    dialog, and the command's promise waits on that dialog forever (what a cold start, as in
    a fresh clone or CI, ran into: the execution indicator reads "idle" before any kernel is
    attached). So: wait on the session itself, start the command without awaiting it (its
    promise settles only when every cell has run), and fail at once on any dialog.
    """
    page.wait_for_function(
        """() => { const context = window.jupyterapp?.shell?.currentWidget?.sessionContext;
                   return !!context && context.isReady && !context.hasNoKernel
                          && context.session?.kernel?.status === 'idle'; }""",
        timeout=60_000,
    )
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_selector(".cnb-chat, .jp-Dialog", timeout=60_000)
    dialogs = page.locator(".jp-Dialog")
    assert dialogs.count() == 0, dialogs.all_inner_texts()


def send_with_enter(page: Any, text: str) -> None:
    box = page.locator(".cnb-input textarea")
    box.click()
    box.fill(text)
    box.press("Enter")


def test_chat_in_jupyterlab(jupyter: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(f"{jupyter}/lab/tree/chat.ipynb?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    run_all_cells(page)
    shoot(page, "lab-01-loaded")

    # 1. a message streams in: the bubble grows over time, then is done
    send_with_enter(page, "Hello Claude, write 120 words")
    page.wait_for_selector(".cnb-msg.cnb-assistant[data-status='streaming']", timeout=30_000)
    lengths = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        bubble = last_assistant(page)
        lengths.append(len(bubble.inner_text()))
        if bubble.get_attribute("data-status") == "done":
            break
        time.sleep(0.25)
    assert last_assistant(page).get_attribute("data-status") == "done"
    growth = sorted(set(lengths))
    assert len(growth) >= 3, lengths  # seen at three or more sizes while streaming
    reply = last_assistant(page).inner_text()
    assert "(offline emulator)" in reply and len(reply.split()) > 120  # the 120 words asked
    cost = page.locator(".cnb-cost").inner_text()  # from the session's ledger
    assert "session: 1 call · $" in cost and "simulated" not in cost  # over HTTP, not offline
    shoot(page, "lab-02-streamed")

    # 2. a long one, stopped mid-stream: partial text kept, marked stopped
    send_with_enter(page, "Now write 3000 words please")
    page.wait_for_function(
        """() => { const all = document.querySelectorAll('.cnb-msg.cnb-assistant');
                   const last = all[0];
                   return last && last.dataset.status === 'streaming'
                          && last.innerText.length > 400; }""",
        timeout=30_000,
    )
    page.locator("button.cnb-stop").click()
    page.wait_for_selector(".cnb-msg.cnb-assistant[data-status='stopped']", timeout=10_000)
    stopped = last_assistant(page).inner_text()
    assert "stopped" in stopped and len(stopped) > 400
    time.sleep(1.0)
    assert last_assistant(page).inner_text() == stopped  # nothing more arrives
    assert page.locator("button.cnb-send").is_enabled()
    shoot(page, "lab-03-stopped")

    # 3. attach the figure from the kernel variable ``fig`` through the picker
    page.locator(".cnb-variables select").select_option(value=None, label="fig (figure)")
    page.locator("button.cnb-attach").click()
    page.wait_for_function(
        "() => document.querySelector('.cnb-attachments').innerText.includes('fig')",
        timeout=10_000,
    )
    send_with_enter(page, "What does this figure show?")
    page.wait_for_function(
        """() => { const all = document.querySelectorAll('.cnb-msg.cnb-assistant');
                   return all.length === 3 && all[0].dataset.status === 'done'; }""",
        timeout=60_000,
    )
    answer = last_assistant(page).inner_text()
    assert "Image 1" in answer
    assert "📎 fig" in page.locator(".cnb-msg.cnb-user").first.inner_text()
    shoot(page, "lab-04-figure")

    # 4. a tool call waits for Approve (the notebook set ClaudeMagics.confirm_tools = True)
    assert page.locator(".cnb-confirm input").is_checked()
    send_with_enter(page, "Use get_weather for Paris")
    page.wait_for_selector(".cnb-approval-question", timeout=30_000)
    assert 'Run tool get_weather?' in page.locator(".cnb-approval").inner_text()
    assert '"city": "Paris"' in page.locator(".cnb-approval").inner_text()
    assert last_assistant(page).get_attribute("data-status") == "streaming"  # waiting
    shoot(page, "lab-05-approval")
    page.locator("button.cnb-approve").click()
    page.wait_for_function(
        """() => { const all = document.querySelectorAll('.cnb-msg.cnb-assistant');
                   return all.length === 4 && all[0].dataset.status === 'done'; }""",
        timeout=30_000,
    )
    assert "sunny in Paris, 21 C" in last_assistant(page).inner_text()
    assert page.locator(".cnb-approval").is_hidden()
    assert "session: 5 calls" in page.locator(".cnb-cost").inner_text()  # 3 + 2 tool steps
    shoot(page, "lab-06-approved")
    page.close()


def test_chat_loads_and_answers_in_notebook7(jupyter: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{jupyter}/notebooks/chat.ipynb?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    run_all_cells(page)
    send_with_enter(page, "Hello from Notebook 7")
    page.wait_for_selector(".cnb-msg.cnb-assistant[data-status='done']", timeout=60_000)
    assert "Notebook 7" in last_assistant(page).inner_text()
    shoot(page, "nb7-01-answered")
    page.close()
