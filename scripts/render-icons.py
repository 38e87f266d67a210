"""Render LearnLoop's PNG icons from our own SVG artwork (app/static/icons/*.svg).

Run after changing the artwork, then commit the PNGs:  .venv/bin/python scripts/render-icons.py
Uses Playwright with Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
"""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import sync_playwright

ICONS = Path(__file__).resolve().parent.parent / "app" / "static" / "icons"
# (source SVG, output PNG, size, transparent corners?)
RENDERS = [
    ("icon.svg", "icon-192.png", 192, True),
    ("icon.svg", "icon-512.png", 512, True),
    ("icon-maskable.svg", "icon-maskable-512.png", 512, False),
    ("icon-maskable.svg", "apple-touch-icon.png", 180, False),
]


def main() -> None:
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        for source, target, size, transparent in RENDERS:
            page = browser.new_page(viewport={"width": size, "height": size})
            svg = (ICONS / source).read_text()
            page.set_content(
                "<html><body style='margin:0;background:transparent'>"
                f"<div style='width:{size}px;height:{size}px'>{svg}</div></body></html>"
            )
            page.eval_on_selector(
                "svg",
                f"s => {{ s.setAttribute('width', {size}); s.setAttribute('height', {size}); }}",
            )
            page.screenshot(path=str(ICONS / target), omit_background=transparent)
            page.close()
            print(f"{target}: {size}x{size}")
        browser.close()


if __name__ == "__main__":
    main()
