"""paymentReason may carry a little HTML: FPS kept <b> <i> <u> <ul> <li> <br> <em> <strong>
<strike> and dropped every other tag (fps-spec.md §3.3). Everything else is escaped."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

ALLOWED_TAGS = frozenset({"b", "i", "u", "ul", "li", "br", "em", "strong", "strike"})
VOID_TAGS = frozenset({"br"})


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skip = 0  # inside <script> or <style>: drop the content too

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in ALLOWED_TAGS and not self.skip:
            self.out.append(f"<{tag}>")
            if tag not in VOID_TAGS:
                self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.open and not self.skip:
            while self.open:
                closing = self.open.pop()
                self.out.append(f"</{closing}>")
                if closing == tag:
                    break

    def handle_data(self, data):
        if not self.skip:
            self.out.append(escape(data, quote=False))


def clean_reason(text: str | None) -> Markup:
    """Safe HTML for a paymentReason: allowed tags without attributes, all else escaped."""
    if not text:
        return Markup("")
    cleaner = _Cleaner()
    cleaner.feed(text)
    cleaner.close()
    cleaner.out.extend(f"</{t}>" for t in reversed(cleaner.open))
    return Markup("".join(cleaner.out))
