"""The web app manifest, the service worker (built by scripts/build-assets.mjs, served at the
root so it controls the whole site), the offline page and the list of unsent items.

The offline and outbox pages are shells: they hold nothing about the person, so they can be
kept by the service worker and shown to whoever uses the device.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, jsonify, render_template, send_from_directory, url_for

from app.pwa import bp

THEME_COLOUR = "#0b5d6b"
BACKGROUND_COLOUR = "#ffffff"


def _icon(name: str, size: int, purpose: str = "any") -> dict:
    return {
        "src": url_for("static", filename=f"icons/{name}"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }


@bp.get("/manifest.webmanifest")
def manifest():
    body = {
        "id": "/",
        "name": "LearnLoop: learning after incidents",
        "short_name": "LearnLoop",
        "description": "Report, reflect and learn together after incidents in care.",
        "lang": "en-GB",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["medical", "productivity", "education"],
        "icons": [
            _icon("icon-192.png", 192),
            _icon("icon-512.png", 512),
            _icon("icon-maskable-512.png", 512, "maskable"),
        ],
        "shortcuts": [
            _shortcut("Report something", "Report", "/report"),
            _shortcut("Write a reflection", "Reflect", "/reflect"),
            _shortcut("Learning library", "Library", "/library"),
        ],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


def _shortcut(name: str, short_name: str, url: str) -> dict:
    return {
        "name": name,
        "short_name": short_name,
        "url": url,
        "icons": [_icon("icon-192.png", 192)],
    }


@bp.get("/sw.js")
def service_worker():
    vendor = Path(current_app.static_folder) / "vendor"
    response = send_from_directory(vendor, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline():
    return render_template("pwa/offline.html", offline_shell=True)


@bp.get("/outbox")
def outbox():
    return render_template("pwa/outbox.html", offline_shell=True)
