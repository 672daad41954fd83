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
_SPACES = re.compile(r"\s+")


class HtmlUnreadable(Exception):
    """A web page lxml cannot parse; the message says why."""


def html_text(raw: bytes) -> tuple[str, str | None, str]:
    """(main text, publication date as YYYY-MM-DD or None, title) of a web page.

    The page is parsed whole, however long its text nodes: libxml2 otherwise
    drops a text node over 10 MB without a word (a page that is one long
    paragraph read as a page with no text). `huge_tree` lifts that and its
    limit on depth (256 to 2048); a page past the depth, whose deeper text
    libxml2 would drop, is a HtmlUnreadable. The file's size is bounded before it
    gets here (geo.extract.limits), and every walk below is iterative and
    linear, so neither depth nor length costs more than the size of the file.
    """
    parser = lxml.html.HTMLParser(huge_tree=True)  # one a page: its error log is its own
    try:
        root = lxml.html.document_fromstring(raw, parser=parser)
    except (etree.LxmlError, ValueError) as err:
        raise HtmlUnreadable(f"is a web page lxml cannot parse ({err})") from None
    for error in parser.error_log:  # libxml2 stops at a limit and keeps the page so far
        if error.type_name == "ERR_RESOURCE_LIMIT":
            raise HtmlUnreadable(f"is a web page past what lxml reads whole "
                                 f"({error.message.split(',')[0]})")
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
        except (ValueError, RecursionError):  # not JSON, or nested past what json reads
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
    """datePublished anywhere in a JSON-LD block (objects, lists, @graph), the first in
    document order; walked with a stack, as a block may nest as deep as json reads."""
    todo = [data]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            found = item.get("datePublished")
            if isinstance(found, str) and _iso(found):
                return _iso(found)
            todo += reversed(list(item.values()))
        elif isinstance(item, list):
            todo += reversed(item)
    return None


def _iso(value: str | None) -> str | None:
    m = re.match(r"^\s*(\d{4})-(\d{2})-(\d{2})", value or "")
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def _text_lengths(root) -> dict:
    """Letters of paragraph text under each element, found in one pass from the leaves up
    (an element's is its own `<p>` text and its children's): linear in the page however
    deep it nests, where asking each element for its own would be quadratic."""
    lengths: dict = {}
    for el in reversed(list(root.iter(etree.Element))):  # children before their parents
        own = sum(len(t.strip()) for t in el.itertext()) if el.tag == "p" else 0
        lengths[el] = own + sum(lengths.get(child, 0) for child in el)
    return lengths


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
    lengths = _text_lengths(root)
    total = lengths.get(root, 0) or 1
    doomed, inside_article = [], 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        story = el.tag in ("article", "main")
        if event == "end":
            inside_article -= story
            continue
        site = (el.tag in ("header", "footer") and not inside_article) or _boilerplate(el)
        if site and lengths.get(el, 0) <= 0.5 * total:
            doomed.append(el)
        inside_article += story
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def _main(root):
    """The story: the `<article>` or `<main>` with most text, else the body."""
    lengths = _text_lengths(root)
    for tag in ("article", "main"):
        found = root.xpath(f"//{tag}") or root.xpath(f'//*[@role="{tag}"]')
        if found:
            return max(found, key=lambda el: lengths.get(el, 0))
    body = root.find("body")
    return body if body is not None else root


def _paragraphs(main) -> list[str]:
    """Block elements as paragraphs, their inline text joined on one line.

    Walked with a stack of (element, its children still to visit) rather than by
    recursion: a page may nest 2048 deep, past Python's recursion limit.
    """
    paragraphs: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = _SPACES.sub(" ", "".join(buffer)).strip()  # one copy, however long
        if text:
            paragraphs.append(text)
        buffer.clear()

    def enter(el) -> None:
        if el.tag in _BLOCKS:
            flush()
        buffer.append(el.text or "")

    enter(main)
    stack = [(main, iter(main))]
    while stack:
        el, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if el.tag in _BLOCKS:
                flush()
            if stack:
                buffer.append(el.tail or "")
        elif isinstance(child.tag, str):
            enter(child)
            stack.append((child, iter(child)))
        else:  # a comment: only the text after it is the page's
            buffer.append(child.tail or "")
    flush()
    return paragraphs
