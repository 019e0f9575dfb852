"""End to end: `jiaokan serve` on a free port, driven by headless Chromium through Playwright."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]
NATO = "北约"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jiaokan_command() -> list[str]:
    script = Path(sys.executable).with_name("jiaokan")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from jiaokan.cli import main; main()"]


@pytest.fixture
def server(built_index, tmp_path):
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    env = {k: v for k, v in os.environ.items() if k not in ("JIAOKAN_INDEX",)}
    proc = subprocess.Popen(
        [*jiaokan_command(), "serve", "--port", str(port), "--index", str(built_index)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jiaokan serve exited with {proc.returncode}:\n{(tmp_path / 'serve.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"jiaokan serve did not listen:\n{(tmp_path / 'serve.log').read_text()}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_search_and_follow_a_hit_in_chromium(server, tmp_path):
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            requested = []
            page.on("request", lambda r: requested.append(r.url))

            page.goto(server + "/")
            assert page.locator("section.overview").is_visible()
            box = page.locator("input[name=q]")
            box.click()
            box.press_sequentially(NATO)
            box.press("Enter")
            page.wait_for_url("**/?q=*")

            assert box.input_value() == NATO  # the query stays in the box
            assert page.locator("strong.total").first.inner_text() == "1"  # one passage, in three versions
            marks = page.locator("ol.hits > li.hit > p.snippet mark")
            assert marks.count() == 2
            assert set(marks.all_inner_texts()) == {NATO}
            assert page.locator("li.also-in").count() == 2
            screenshot = tmp_path / "search.png"
            page.screenshot(path=str(screenshot), full_page=True)
            assert screenshot.stat().st_size > 10_000

            first = page.locator("a.hit-link").first
            pid = first.inner_text()
            first.click()
            page.wait_for_url(f"**/paragraph/{pid}?q=*")
            marked = page.locator("p.text.current mark")
            assert marked.count() == 2
            assert set(marked.all_inner_texts()) == {NATO}
            assert page.locator("aside.catalog-entry").is_visible()
            page.screenshot(path=str(tmp_path / "paragraph.png"), full_page=True)
        finally:
            browser.close()

    # Nothing blocked by the Content-Security-Policy, no script error, and nothing fetched from elsewhere.
    assert problems == []
    assert requested and all(url.startswith(server) for url in requested), requested
