"""The main text of a saved web page, without its menus, adverts and footers (lxml).

A news page carries the story once and the site around it many times over:
navigation, related headlines with their own dates, cookie notices, sign-up
forms. Those would read as events, so only the article is kept, as one
paragraph per block, and the page's own publication date is read from its
metadata (`article:published_time`, JSON-LD `datePublished`, `<time>`).
"""

from __future__ import annotations

import json
import logging
import re

import lxml.html
from lxml import etree

log = logging.getLogger(__name__)

_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "form", "button",
              "select", "input", "textarea", "nav", "aside", "canvas", "object", "embed")
_DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog"}
# Words in a class or id that mark the site around a story, not the story.
_BOILERPLATE = {
    "ad", "ads", "advert", "adverts", "advertisement", "adslot", "sponsored", "promo", "cookie",
    "cookies", "consent", "gdpr", "newsletter", "subscribe", "subscription", "signup", "related",
    "recommended", "trending", "popular", "share", "sharing", "social", "breadcrumb",
    "breadcrumbs", "sidebar", "comments", "comment", "menu", "navbar", "nav", "popup", "modal",
    "skip", "pullquote", "outbrain", "taboola", "masthead", "footer", "tags", "paywall",
}
_BLOCKS = {"p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5",
           "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "figcaption", "figure",
           "table", "tr", "pre", "address", "br", "hr", "body"}
_DATE_META = ("article:published_time", "datepublished", "date", "pubdate", "publishdate",
              "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued",
              "citation_publication_date", "og:published_time", "sailthru.date")


def html_text(raw: bytes) -> tuple[str, str | None, str]:
    """(main text, publication date as YYYY-MM-DD or None, title) of a web page."""
    root = lxml.html.document_fromstring(raw)
    published = _published(root)
    title = _title(root)
    _drop_boilerplate(root)
    main = _main(root)
    paragraphs = _paragraphs(main)
    log.debug("web page: %d paragraphs kept of its main text", len(paragraphs))
    return "\n\n".join(paragraphs) + "\n", published, title


def _title(root) -> str:
    for xpath in ('//meta[@property="og:title"]/@content', "//title/text()", "//h1//text()"):
        found = " ".join(" ".join(root.xpath(xpath)).split())
        if found:
            return found
    return ""


def _published(root) -> str | None:
    """The page's publication date from its metadata, the first source that has one."""
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _DATE_META and _iso(meta.get("content")):
            return _iso(meta.get("content"))
    for script in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        found = _json_date(data)
        if found:
            return found
    for time in root.iter("time"):
        found = _iso(time.get("datetime"))
        if found:
            return found
    return None


def _json_date(data: object) -> str | None:
    """datePublished anywhere in a JSON-LD block (objects, lists, @graph)."""
    if isinstance(data, dict):
        found = _iso(data.get("datePublished")) if isinstance(data.get("datePublished"), str) \
            else None
        return found or next(filter(None, (_json_date(v) for v in data.values())), None)
    if isinstance(data, list):
        return next(filter(None, (_json_date(v) for v in data)), None)
    return None


def _iso(value: str | None) -> str | None:
    m = re.match(r"^\s*(\d{4})-(\d{2})-(\d{2})", value or "")
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def _text_length(el) -> int:
    return sum(len(t.strip()) for p in el.iter("p") for t in p.itertext())


def _boilerplate(el) -> bool:
    if el.tag in _DROP_TAGS or (el.get("role") or "").lower() in _DROP_ROLES:
        return True
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    words = set(re.split(r"[\s_-]+", f"{el.get('class', '')} {el.get('id', '')}".lower()))
    return bool(words & _BOILERPLATE) or {"pull", "quote"} <= words


def _drop_boilerplate(root) -> None:
    """Remove the site around the story; never an element holding most of the page's text.

    A page footer or header outside the story goes too; the header inside an
    `<article>` holds its headline and date, and stays.
    """
    total = _text_length(root) or 1
    doomed = []
    for el in root.iter(etree.Element):
        inside_article = any(a.tag in ("article", "main") for a in el.iterancestors())
        site = (el.tag in ("header", "footer") and not inside_article) or _boilerplate(el)
        if site and _text_length(el) <= 0.5 * total:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def _main(root):
    """The story: the `<article>` or `<main>` with most text, else the body."""
    for tag in ("article", "main"):
        found = root.xpath(f"//{tag}") or root.xpath(f'//*[@role="{tag}"]')
        if found:
            return max(found, key=_text_length)
    body = root.find("body")
    return body if body is not None else root


def _paragraphs(main) -> list[str]:
    """Block elements as paragraphs, their inline text joined on one line."""
    paragraphs: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buffer).split())
        if text:
            paragraphs.append(text)
        buffer.clear()

    def walk(el) -> None:
        block = el.tag in _BLOCKS
        if block:
            flush()
        buffer.append(el.text or "")
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            buffer.append(child.tail or "")
        if block:
            flush()

    walk(main)
    flush()
    return paragraphs
