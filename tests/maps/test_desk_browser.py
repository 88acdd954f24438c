"""The register-interest form and the province's data desk in headless Chromium, on a served store.

An investor registers interest from a site's popup (Korean), sees the translated confirmation; the
office opens the desk with an editor key (Vietnamese), sees the inquiry, exports it as CSV with the
formula neutralised, fills the available land with its source and date, and the public fact sheet
then shows the figure and its source.
"""

from __future__ import annotations

import csv
import io
import threading
import time

import pytest

from tests.helpers.apiserver import free_port
from tests.helpers.browser import RecordingPage, launched_chromium
from tests.helpers.tools import require_module

require_module("babel")

pytestmark = pytest.mark.browser

FORMULA = '=HYPERLINK("http://evil.example","x")'
SITE = "ls-kcn-hong-phong"


@pytest.fixture(scope="module")
def browser():
    yield from launched_chromium()


@pytest.fixture
def served(store, tmp_path):
    uvicorn = require_module("uvicorn")
    from geozones.api.app import create_app
    from geozones.api.settings import Settings
    from geozones.store.keys import create_key

    keys = tmp_path / "keys.json"
    key = create_key("editor", "provincial office", keys)[0]
    app = create_app(Settings(store=store.path, keys_file=keys), store=store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}", key
    server.should_exit = True
    thread.join(timeout=10)


def test_inquiry_round_trip_and_the_desk_edit_reaches_the_public_page(browser, served):
    base, key = served
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)
    try:
        p = RecordingPage(context.new_page()).open(f"{base}/maps/investor?lang=ko")
        assert p.page.evaluate("id => geozonesExplorer.select(id)", SITE)
        p.page.locator(".leaflet-popup-content .gz-interest").last.click()
        form = p.page.locator(".gz-inquiry-form")
        form.locator("input[name=company]").fill(FORMULA)
        form.locator("input[name=contact]").fill("kim@example.kr")
        form.locator("input[name=sector]").fill("배터리 부품")
        form.locator("input[name=land_ha]").fill("20")
        form.locator("textarea[name=message]").fill("<script>window.__xss=1</script>")
        form.locator(".gz-inquiry-send").click()
        p.page.wait_for_selector(".gz-inquiry-status.gz-ok")
        assert "등록되었습니다" in form.locator(".gz-inquiry-status").inner_text()
        assert p.errors == [] and p.external == []

        d = RecordingPage(context.new_page()).open(f"{base}/desk?lang=vi")
        assert d.page.locator("h1").inner_text() == "Bàn dữ liệu của tỉnh: thông tin cho nhà đầu tư"
        d.page.locator("#gz-desk-key").fill(key)
        d.page.locator("button", has_text="Dùng khóa").click()
        d.page.locator("#gz-desk-zone").select_option(SITE)
        row = d.page.locator(".gz-inquiry-row").first
        row.wait_for()
        assert FORMULA in row.inner_text() and "<script>" in row.inner_text()  # shown as text
        assert d.page.evaluate("window.__xss === undefined")
        with d.page.expect_download() as download:
            d.page.locator(".gz-desk-export").click()
        rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
        assert ["'" + FORMULA] == [c for c in rows[1] if "HYPERLINK" in c]
        assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@", "\t", "\r")]

        # a figure without its source is refused on the page; with source and date it is saved
        d.page.locator("#gz-desk-available_land_ha").fill("35.5")
        d.page.locator(".gz-desk-save").click()
        assert "nguồn" in d.page.locator(".gz-desk-status").inner_text()
        d.page.locator("input[name=available_land_ha__source]").fill("https://example.org/ls-brochure-2025.pdf")
        d.page.locator("input[name=available_land_ha__as_of]").fill("2025-09-30")
        d.page.locator(".gz-desk-save").click()
        d.page.wait_for_selector(".gz-desk-status.gz-ok")
        sheet = d.page.request.get(f"{base}/collections/zones/items/{SITE}/factsheet?lang=en&f=html").text()
        assert "35.5 ha" in sheet and "https://example.org/ls-brochure-2025.pdf" in sheet and "2025-09-30" in sheet
        item = d.page.request.get(f"{base}/collections/zones/items/{SITE}?f=json").json()["properties"]
        assert item["available_land_ha"] == 35.5
        assert d.errors == [] and d.external == []
    finally:
        context.close()
