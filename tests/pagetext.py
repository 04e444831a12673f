"""The visible text of a rendered page, one line per text node: what a reviewer reads, without
markup, scripts, styles or images — so that pages can be compared across changes of layout code."""
from __future__ import annotations

from html.parser import HTMLParser


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.lines.append(" ".join(data.split()))


def page_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.lines
