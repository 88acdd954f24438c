"""Headless Debian Chromium for the browser tests and the map benchmarks: one launch, one recording page."""

from __future__ import annotations

from collections.abc import Iterator

from tests.helpers.tools import require_module, require_tool

CHROMIUM = "/usr/bin/chromium"
#: Flags for a closed network: no background connections, no component updates, no sandbox as root.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launched_chromium() -> Iterator:
    """Yield a playwright Browser on Debian's chromium (for a module-scoped ``browser`` fixture).

    Skips -- or fails under ``GEOZONES_REQUIRE_ALL=1`` -- when chromium or playwright is missing.
    """
    path = require_tool("chromium", CHROMIUM)
    sync_api = require_module("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=ARGS)
        yield chromium
        chromium.close()


class RecordingPage:
    """A page that records console errors, page errors and dialogs, and blocks any request leaving the machine."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.external: list[str] = []
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://", "https://")) and not url.startswith(("http://127.0.0.1", "http://localhost")):
            self.external.append(url)
            return route.abort()
        return route.continue_()

    def open(self, url: str):
        """Go to ``url`` and wait until the page says it is ready (``window.geozonesReady``)."""
        self.page.goto(url)
        self.page.wait_for_function("window.geozonesReady === true", timeout=20_000)
        return self
