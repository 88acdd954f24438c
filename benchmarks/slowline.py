"""The served investor explorer on an emulated slow line (Chromium DevTools protocol throttling).

``python benchmarks/maps.py --slow-line [--before DIR]`` serves the shipped store with ``geozones serve``'s
app (uvicorn subprocess on 127.0.0.1) and loads ``/maps/investor?lang=ko`` in headless Chromium with
DevTools "Fast 3G" (562.5 ms round trip, 180 000 B/s down, 84 375 B/s up: Chrome's preset) and a 4x
CPU slowdown. Per load: requests, bytes on the wire (``Network.loadingFinished`` encodedDataLength),
the same bodies gzip-compressed (level 6: what a gzip middleware would send), time to interactive
(list, sites and legend drawn: ``geozonesReadyAt``), time until the reference layers are drawn too,
and the repeat visit (same browser cache: 304s). ``--before DIR`` runs the same against another
checkout (e.g. ``git worktree add DIR main``) so the figures compare before and after.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Chrome DevTools' "Fast 3G" preset.
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}
CPU_SLOWDOWN = 4
HEADING = "## maps: investor explorer on a slow line (Fast 3G)"


def _import_root(checkout: Path, tmp: Path) -> Path:
    """A folder where ``import geozones`` finds ``checkout``'s code (api/, maps/, data/ as subpackages)."""
    root = tmp / "importroot"
    pkg = root / "geozones"
    pkg.mkdir(parents=True)
    for entry in (checkout / "geozones").iterdir():
        (pkg / entry.name).symlink_to(entry)
    for name in ("api", "maps", "data"):
        (pkg / name).symlink_to(checkout / name)
    return root


def _serve(checkout: Path, store: Path, port: int, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "GEOZONES_STORE": str(store), "PYTHONPATH": str(_import_root(checkout, tmp))}
    command = [sys.executable, "-m", "uvicorn", "geozones.api.app:create_app", "--factory", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--log-level", "warning"],
        env=env,
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the server did not start")


def _load(context, url: str) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", FAST_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    wire: dict[str, float] = {}
    cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], e["encodedDataLength"]))
    bodies: list[bytes] = []

    def finished(request):
        response = request.response()
        if response is not None and response.status == 200:
            try:
                bodies.append(response.body())
            except Exception:
                pass

    page.on("requestfinished", finished)
    page.goto(url)
    page.wait_for_function("window.geozonesReady === true", timeout=300_000)
    ready = page.evaluate("window.geozonesReadyAt")
    try:
        page.wait_for_function("window.geozonesLayersAt !== undefined", timeout=120_000)
        layers = page.evaluate("window.geozonesLayersAt")
    except Exception:
        layers = ready
    page.wait_for_timeout(500)
    out = {
        "requests": len(wire),
        "wire_kib": sum(wire.values()) / 1024,
        "gzip_kib": sum(len(gzip.compress(b, 6)) for b in bodies) / 1024,
        "tti_ms": ready,
        "layers_ms": layers,
    }
    page.close()
    return out


def measure(checkout: Path, label: str, browser) -> dict:
    from benchmarks.maps import _free_port

    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        process = _serve(checkout, Path(tmp) / "store.gpkg", port, Path(tmp))
        try:
            url = f"http://127.0.0.1:{port}/maps/investor?lang=ko"
            urllib.request.urlopen(url, timeout=300).read()  # the server builds and caches the page once
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            first = _load(context, url)
            repeat = _load(context, url)
            context.close()
        finally:
            process.terminate()
            process.wait(timeout=20)
    return {"label": label, "first": first, "repeat": repeat}


def markdown(rows: list[dict]) -> str:
    import datetime as _dt
    import platform

    lines = [
        HEADING,
        "",
        f"`python benchmarks/maps.py --slow-line --before <main checkout>` on {_dt.date.today().isoformat()}, "
        f"{os.cpu_count()} cores ({platform.machine()}, shared), Debian chromium headless, 1366×768, the shipped "
        "store served on loopback (uvicorn), `/maps/investor?lang=ko`. DevTools Fast 3G (562.5 ms RTT, "
        f"180 000 B/s down) and {CPU_SLOWDOWN}× CPU slowdown. **wire** = bytes on the wire as served (no gzip in "
        "this build); **gzip** = the same bodies gzip-compressed (level 6), what the gzip middleware sends. "
        "**TTI** = navigation start until list, sites and legend are drawn (`geozonesReadyAt`); **layers** = "
        "until the reference layers (boundaries, roads, railways) are drawn too. Repeat = a second visit with "
        "the browser's cache (ETag/304).",
        "",
        "| build | requests | wire (KiB) | gzip (KiB) | TTI (ms) | layers drawn (ms) | repeat: wire (KiB) | repeat: TTI (ms) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        f, p = r["first"], r["repeat"]
        lines.append(
            f"| {r['label']} | {f['requests']} | {f['wire_kib']:.0f} | {f['gzip_kib']:.0f} | {f['tti_ms']:.0f} | "
            f"{f['layers_ms']:.0f} | {p['wire_kib']:.0f} | {p['tti_ms']:.0f} |"
        )
    return "\n".join(lines) + "\n"


def run(before: Path | None, browser=None) -> list[dict]:
    from tests.helpers.browser import ARGS, CHROMIUM

    rows = []
    own = browser is None
    if own:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        if before is not None:
            rows.append(measure(before, "before (main)", browser))
        rows.append(measure(ROOT, "after (this branch)", browser))
    finally:
        if own:
            browser.close()
            pw.stop()
    return rows
