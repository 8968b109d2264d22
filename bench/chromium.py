"""Debian's Chromium driven by Playwright: one launcher for the browser tests, the
screenshots and the product-page bench (docs/browser-tests.md).

Playwright's own browser download does not work on our machines: the browser is the
`chromium` that Debian's package puts on the PATH (`make chromium` installs it), launched
headless with `executable_path`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

ROOT = Path(__file__).resolve().parents[1]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Viewports of the runs: a 360 px phone with touch, and a desktop.
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 780},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}

# Resolves when the page's <model-viewer> has loaded its model, from model-viewer's own
# events (awaited in the page: a strict CSP forbids the string evaluation behind
# Playwright's wait_for_function).
MODEL_VIEWER_LOADED = """() => new Promise((resolve, reject) => {
  const viewer = document.querySelector("model-viewer");
  customElements.whenDefined("model-viewer").then(() => {
    if (viewer.loaded) resolve("loaded");
    viewer.addEventListener("load", () => resolve("loaded"));
    viewer.addEventListener("error", (event) => reject(new Error(JSON.stringify(event.detail))));
  });
  setTimeout(() => reject(new Error("model-viewer did not load in 20 s")), 20000);
})"""


class BrowserMissing(RuntimeError):
    """Chromium or a front-end file is not installed: the message says how to get it."""


def executable() -> str:
    path = shutil.which("chromium")
    if path is None:
        raise BrowserMissing(
            "Debian's chromium is not on the PATH: run `make chromium` (as root with apt-get) "
            "or `sudo apt-get install chromium`; see docs/browser-tests.md."
        )
    return path


def launch(playwright: Playwright) -> Browser:
    """Headless Chromium from the PATH."""
    return playwright.chromium.launch(executable_path=executable(), args=ARGS, headless=True)


def axe_source() -> str:
    """axe-core from node_modules (package-lock.json pins it; `make vendor` installs it)."""
    if not AXE_JS.exists():
        raise BrowserMissing(f"{AXE_JS} is missing: run `make vendor` (npm ci).")
    return AXE_JS.read_text(encoding="utf-8")
