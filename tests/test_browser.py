"""End to end: `jiaokan serve` on a free port, driven by headless Chromium through Playwright."""
from __future__ import annotations

import os
import shutil
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


def watched_page(browser, problems: list):
    """A wide page whose console errors and warnings and script errors are collected into `problems`."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page


def test_search_and_follow_a_hit_in_chromium(server, tmp_path):
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = watched_page(browser, problems)
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

            # From the paragraph to its passage: every version side by side, the query's matches marked.
            page.locator("p.to-passage a.passage-link").click()
            page.wait_for_url("**/passage/*?q=*")
            columns = page.locator("section.version-column")
            assert columns.count() == 3
            assert [c.get_attribute("id") for c in columns.all()] == ["v-un", "v-xinhua", "v-chinanews-2"]
            assert page.locator("section.version-column p.text mark").count() >= 1
            assert set(page.locator("section.version-column p.text mark").all_inner_texts()) == {NATO}
            assert page.locator("li.lacking").count() == 1  # chinanews-3 has not this part
            boxes = [c.bounding_box() for c in columns.all()]
            assert len({round(b["y"]) for b in boxes}) == 1 and boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
            screenshot = tmp_path / "passage.png"
            page.screenshot(path=str(screenshot), full_page=True)
            assert screenshot.stat().st_size > 10_000
            out = Path(__file__).resolve().parents[1] / "bench" / "out"
            out.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(screenshot, out / "screenshot-passage.png")

            # A passage whose wording differs between versions: the next ones until one has a marked difference.
            for _ in range(20):
                if page.locator("section.version-column p.text mark:not(.q)").count():
                    break
                page.locator("a[rel=next]").click()
                page.wait_for_load_state()
            assert page.locator("section.version-column p.text mark:not(.q)").count() >= 1
            page.screenshot(path=str(tmp_path / "passage-differences.png"), full_page=True)

            # On a phone the versions stack.
            page.set_viewport_size({"width": 390, "height": 844})
            boxes = [c.bounding_box() for c in page.locator("section.version-column").all()]
            assert len({round(b["x"]) for b in boxes}) == 1
            assert all(a["y"] < b["y"] for a, b in zip(boxes, boxes[1:]))
            page.set_viewport_size({"width": 1100, "height": 900})

            # Two versions compared, picked in the form.
            page.locator("a.compare-link").click()
            page.wait_for_url("**/compare?statement=*")
            page.locator("select[name=a]").select_option("un")
            page.locator("select[name=b]").select_option("chinanews-3")
            page.locator("form.compare-form button").click()
            page.wait_for_url("**/compare?*b=chinanews-3*")
            assert page.locator("li.count-only-a strong").inner_text() == "45"
            assert page.locator("li.differing-passage").count() == 8
            assert "第78届联大" in page.locator("li.differing-passage .side.b mark").all_inner_texts()
            page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
        finally:
            browser.close()

    # Nothing blocked by the Content-Security-Policy, no script error, and nothing fetched from elsewhere.
    assert problems == []
    assert requested and all(url.startswith(server) for url in requested), requested


def test_translation_checkbox_in_chromium(server, tmp_path):
    """Issue 6: an English query finds the Chinese through a translation, labelled; unticking the box re-runs the
    search without translations and the box stays unticked; ticking it again brings them back."""
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = watched_page(browser, problems)

            page.goto(server + "/")
            box = page.locator("input[name=q]")
            translate = page.locator(".translate-filter input[type=checkbox]")
            assert translate.is_checked()
            box.fill("NATO")
            box.press("Enter")
            page.wait_for_url("**/?q=NATO*")
            assert page.locator("strong.total").first.inner_text() == "1"
            assert page.locator("span.tag.via").first.inner_text() == f"via {NATO}"
            assert "NATO → 北约 (glossary)" in page.locator("p.expansions").inner_text()
            assert set(page.locator("ol.hits > li.hit > p.snippet mark").all_inner_texts()) == {NATO}
            page.screenshot(path=str(tmp_path / "translation.png"), full_page=True)

            with page.expect_navigation():
                translate.uncheck()  # app.js re-runs the search at once
            assert "translate=0" in page.url
            assert not translate.is_checked()
            assert page.locator("strong.total").first.inner_text() == "0"
            assert page.locator("span.tag.via").count() == 0

            with page.expect_navigation():
                translate.check()
            assert translate.is_checked()
            assert page.locator("span.tag.via").count() == 1
        finally:
            browser.close()
    assert problems == []


def test_concordance_sorts_and_downloads_in_chromium(server, tmp_path):
    """Issue 10: from a search to its concordance, every occurrence a line with the matches in one column; sorting
    by the words before reorders the lines; the CSV download holds every line of the JSON."""
    import csv
    import io
    import json
    import urllib.request

    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = watched_page(browser, problems)
            page.goto(server + "/?q=" + "发展")
            page.locator("a.concordance-link").click()
            page.wait_for_url("**/concordance?q=*")
            with urllib.request.urlopen(server + "/api/concordance?q=%E5%8F%91%E5%B1%95&per_page=1000") as r:
                data = json.load(r)
            assert page.locator("strong.total-occurrences").inner_text() == str(data["total"])
            rows = page.locator("table.kwic tbody tr")
            assert rows.count() == min(50, data["total"])
            # The matches stand in one column: every match cell starts at the same x.
            xs = {round(b["x"]) for b in (c.bounding_box() for c in page.locator("table.kwic td.match").all())}
            assert len(xs) == 1, xs
            # The text before the match ends right at the match (the cell is aligned to its right edge).
            left = page.locator("table.kwic td.left > span").first.bounding_box()
            cell = page.locator("table.kwic td.left").first.bounding_box()
            assert abs((left["x"] + left["width"]) - (cell["x"] + cell["width"])) < 8
            before = page.locator("table.kwic td.pid, table.kwic a.pid").all_inner_texts()
            page.screenshot(path=str(tmp_path / "concordance.png"), full_page=True)

            page.locator("a.sort-left").click()
            page.wait_for_url("**sort=left*")
            assert "按左文" in page.locator("strong.sort-current").inner_text()
            after = page.locator("table.kwic a.pid").all_inner_texts()
            assert after != before
            lefts = page.locator("table.kwic td.left").all_inner_texts()
            keys = ["".join(c for c in text[::-1].lower() if c.isalnum()) for text in lefts]  # as folded: case aside
            assert keys[:10] == sorted(keys[:10])

            with page.expect_download() as info:
                page.locator("a.download.csv").click()
            path = info.value.path()
            table = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
            assert table[0] == ["paragraph", "version", "section", "start", "end", "left", "match", "right", "via"]
            assert len(table) - 1 == data["total"]
            assert sorted((r[0], r[3]) for r in table[1:]) == sorted((l["paragraph"], str(l["start"])) for l in data["lines"])
        finally:
            browser.close()
    assert problems == []


def test_phone_screen_in_chromium(server, tmp_path):
    """Issue 10: on a 390 px phone the compare page fits the screen (its selects made it 636 px wide), and so does
    the concordance; on the search page the filters fold away so the first hit is above the fold."""
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            page.goto(server + "/compare?a=un&b=xinhua")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the compare page is {width} px wide on a 390 px screen"
            page.screenshot(path=str(tmp_path / "compare-phone.png"), full_page=True)

            page.goto(server + "/concordance?q=" + "合作")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            assert page.locator("table.kwic td.match").first.is_visible()
            page.screenshot(path=str(tmp_path / "concordance-phone.png"), full_page=True)

            # The search page: the filters fold away once there are hits, so the first hit is above the fold.
            page.goto(server + "/?q=" + "合作")
            assert not page.locator("details.filters-panel").evaluate("d => d.open")
            first = page.locator("ol.hits li.hit").first.bounding_box()
            assert first["y"] + 40 < 844, f"the first hit starts at {first['y']} px, below the fold"
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.locator("details.filters-panel > summary").click()
            assert page.locator(".filters input[name=version]").first.is_visible()
            page.screenshot(path=str(tmp_path / "search-phone.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
