"""PDF rendering with WeasyPrint, written once (barometer results, mission letters, white
papers): WeasyPrint may only read the project's static files — nothing from the network,
no other local file."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders


def static_url_fetcher(url: str, *args, **kwargs) -> dict:
    """The bytes and type of a project static file addressed by `url`; ValueError for
    anything else."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    prefix = settings.STATIC_URL
    if parsed.scheme not in ("http", "https") or not parsed.path.startswith(prefix):
        raise ValueError(f"refused: {url}")
    relative = unquote(parsed.path[len(prefix) :])
    if ".." in Path(relative).parts:
        raise ValueError(f"refused: {url}")
    found = finders.find(relative)
    if not found:
        candidate = Path(settings.STATIC_ROOT) / relative
        found = str(candidate) if candidate.is_file() else None
    if not found:
        raise ValueError(f"not found: {url}")
    mime, _encoding = mimetypes.guess_type(found)
    return {"string": Path(found).read_bytes(), "mime_type": mime or "application/octet-stream"}


def url_fetcher():
    """`static_url_fetcher` as the `URLFetcher` WeasyPrint 70 expects."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            found = static_url_fetcher(url)
            return URLFetcherResponse(url, found["string"], {"Content-Type": found["mime_type"]})

    return StaticOnly(allowed_protocols=("http", "https"))


def render_document(html: str, *, base_url: str):
    """The laid-out WeasyPrint document (pages counted with `len(document.pages)`)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher()).render()


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    return render_document(html, base_url=base_url).write_pdf()
