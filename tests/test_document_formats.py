"""Reports as they arrive: PDFs and saved web pages read like the plain text they carry.

The PDFs are made here, by printing our held-out texts in real headless Chromium with
a running header and footer, justified and hyphenated lines and footnote numbers; the
web pages wrap the same texts in a site's navigation, adverts, related stories and
footer. Both must give the records the plain text gives, with offsets into `texts/`.
"""

from __future__ import annotations

import csv
import html
import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from geo.extract import extract_documents
from geo.extract._pdf import _paragraphs, _without_running_heads
from maps.cli import main
from tests.conftest import ROOT, require_tool

TEXTS = sorted((ROOT / "tests" / "fixtures" / "heldout9").glob("*.txt"))
# What a record says, whatever file it came from.
SAME = ("date_start", "date_end", "event_type", "place", "latitude", "longitude", "fatalities",
        "claim_status", "target")

PRINTED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><style>
html {{ padding: 8mm 0; }}
body {{ margin: 0; font: 17pt serif; hyphens: auto; text-align: justify; }}
.run {{ position: fixed; left: 0; right: 0; font-size: 8pt; }}
.top {{ top: 0; }} .bottom {{ bottom: 0; }}
</style></head><body>
<div class="run top">Briefing series on South Asia, restricted circulation</div>
<div class="run bottom">Prepared for the incident-map test suite</div>
{body}</body></html>"""

WEB_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Example News</title>
<script>window.dataLayer = [{{"event": "pageview"}}];</script></head><body>
<header class="site"><a href="/">Example News</a>
<nav><a href="/world">World</a> <a href="/asia">Asia</a></nav></header>
<div id="cookie-consent">We use cookies on 4 May 2021 and every day. <button>Accept</button></div>
<div class="ad-slot">Advertisement</div>
<main><article>{body}</article>
<aside class="related"><h2>Related</h2><ul>
<li>On 3 March 2019 a suicide bomber in Herat killed 40 people</li></ul></aside></main>
<footer><p>Copyright Example News, 1 Main Street, Kabul.</p></footer></body></html>"""


def paragraphs_html(text: str, footnotes: bool) -> str:
    """The text's paragraphs as HTML, every third one closed by a footnote number."""
    blocks = [b for b in text.split("\n\n") if b.strip()]
    out = []
    for n, block in enumerate(blocks):
        lines = "<br>".join(html.escape(line) for line in block.split("\n"))
        mark = f"<sup>{n}</sup>" if footnotes and n % 3 == 0 and block.rstrip()[-1:] == "." \
            else ""
        out.append(f"<p>{lines}{mark}</p>")
    return "\n".join(out)


def print_pdf(chromium: str, page: Path, pdf: Path) -> Path:
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", f"--user-data-dir={page.parent / 'profile'}",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    return pdf


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, list[Path]]:
    """The held-out texts as they are, printed to PDF, and saved as web pages."""
    chromium = require_tool("chromium")
    folder = tmp_path_factory.mktemp("formats")
    made: dict[str, list[Path]] = {"txt": list(TEXTS), "pdf": [], "html": []}
    for text_path in TEXTS:
        text = text_path.read_text(encoding="utf-8")
        page = folder / f"{text_path.stem}_print.html"
        page.write_text(PRINTED_PAGE.format(title=text_path.stem,
                                            body=paragraphs_html(text, footnotes=True)),
                        encoding="utf-8")
        made["pdf"].append(print_pdf(chromium, page, folder / f"{text_path.stem}.pdf"))
        web = folder / f"{text_path.stem}.html"
        web.write_text(WEB_PAGE.format(title=text_path.stem,
                                       body=paragraphs_html(text, footnotes=False)),
                       encoding="utf-8")
        made["html"].append(web)
    return made


@pytest.fixture(scope="module")
def extracted(documents, tmp_path_factory) -> dict[str, Path]:
    outs = {}
    for kind, paths in documents.items():
        out = tmp_path_factory.mktemp(f"out-{kind}")
        assert main(["extract", *map(str, paths), "--out", str(out)]) == 0
        outs[kind] = out
    return outs


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def what_they_say(out: Path) -> list[tuple]:
    return sorted((Path(r["source_file"]).stem, *(r[c] for c in SAME))
                  for r in rows(out / "incidents.csv"))


@pytest.mark.parametrize("kind", ["pdf", "html"])
def test_a_pdf_and_a_web_page_give_the_records_of_their_plain_text(extracted, kind):
    plain = what_they_say(extracted["txt"])
    assert len(plain) >= 15
    assert what_they_say(extracted[kind]) == plain


@pytest.mark.parametrize("kind", ["txt", "pdf", "html"])
def test_offsets_point_into_the_texts_written_beside_the_records(extracted, kind):
    out = extracted[kind]
    for table in ("incidents", "areas"):
        for row in rows(out / f"{table}.csv"):
            text = (out / "texts" / f"{row['source_id']}.txt").read_text(encoding="utf-8")
            assert text[int(row["quote_start"]):int(row["quote_end"])] == row["summary"]


def test_the_pdf_text_is_the_plain_text_without_heads_breaks_or_footnote_numbers(
        extracted, documents):
    """Word for word the plain text, once the running head and foot are taken off: a
    head seen on one page only cannot be told from the text, so one-page prints keep it."""
    plain = {p.name: p.read_text(encoding="utf-8")
             for p in (extracted["txt"] / "texts").glob("*.txt")}
    pages = {pdf.stem.replace("_", "-"): len(PdfReader(pdf).pages) for pdf in documents["pdf"]}
    assert max(pages.values()) >= 2
    for path in (extracted["pdf"] / "texts").glob("*.txt"):
        words = path.read_text(encoding="utf-8").split()
        if pages[path.stem] == 1:
            words = " ".join(words).replace("Briefing series on South Asia, restricted "
                                            "circulation ", "").replace(
                " Prepared for the incident-map test suite", "").split()
        assert words == plain[path.name].split(), path.name


def test_running_heads_repeated_on_pages_are_dropped_and_paragraphs_rejoined():
    pages = [
        ["S/2024/556 Report of the Team", "",
         "41. The group struck Kabul on 3 May, killing four people in a",
         "market near the river and wounding many of the traders there.",
         "It claimed the attack through its outlet within a few hours of"],
        ["S/2024/556 Report of the Team", "", "Page 2",
         "the blast, as it has done after every such attack, and named",
         "the bomber in a statement that took respon-",
         "sibility for the operation and for two more.", "", "24-12345"],
        ["S/2024/556 Report of the Team", "43. Its fighters hold Achin.", "24-12346"],
    ]
    text = _paragraphs(_without_running_heads(pages))
    assert "S/2024" not in text and "24-1234" not in text and "Page 2" not in text
    first, *rest = text.split("\n\n")
    assert first.startswith("41. The group struck Kabul") and first.endswith(
        "within a few hours of the blast, as it has done after every such attack, and named "
        "the bomber in a statement that took responsibility for the operation and for two "
        "more.")
    assert rest == ["43. Its fighters hold Achin.\n"]


def test_a_pdf_without_a_text_layer_is_named_as_scanned_and_skipped(tmp_path, capsys):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    scan = tmp_path / "scan.pdf"
    with open(scan, "wb") as handle:
        writer.write(handle)
    good = tmp_path / "good.txt"
    good.write_text("Published 1 June 2022\n\nOn 3 May 2022 a bomb in Kabul killed four "
                    "people.\n", encoding="utf-8")
    assert main(["extract", str(scan), str(good), "--out", str(tmp_path / "out")]) == 4
    assert f"{scan}: has no text layer (scanned?)" in capsys.readouterr().err
    assert len(rows(tmp_path / "out" / "incidents.csv")) == 1


def test_a_pdf_is_dated_by_its_metadata_when_its_text_gives_no_date(tmp_path, documents,
                                                                     gazetteer):
    chromium = require_tool("chromium")
    page = tmp_path / "undated.html"
    page.write_text("<p>Last Friday, on 4 March, a bomber struck a Shia mosque in Peshawar, "
                    "killing 63 worshippers.</p>", encoding="utf-8")
    printed = print_pdf(chromium, page, tmp_path / "printed.pdf")
    writer = PdfWriter(clone_from=PdfReader(printed))
    writer.add_metadata({"/CreationDate": "D:20220310120000Z", "/Producer": "Report desk",
                         "/Creator": "Report desk", "/Title": "Frontier briefing"})
    dated = tmp_path / "briefing.pdf"
    buffer = io.BytesIO()
    writer.write(buffer)
    dated.write_bytes(buffer.getvalue())
    found = extract_documents([dated, printed], gazetteer)
    by_file = {r["source_file"]: r for r in found.incidents.to_dict("records")}
    assert by_file["briefing.pdf"]["date_start"] == "2022-03-04"
    sources = {r["file"]: r for r in found.sources.to_dict("records")}
    assert sources["briefing.pdf"]["published"] == "2022-03-10"
    assert sources["briefing.pdf"]["title"] == "Frontier briefing"
    # A browser stamps the moment it printed, which is no publication date.
    assert sources["printed.pdf"]["published"] == "undated"


@pytest.mark.parametrize("head", [
    '<meta property="article:published_time" content="2022-03-10T08:00:00Z">',
    '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", '
    '"datePublished": "2022-03-10"}]}</script>',
    "",  # the <time> of the byline below
])
def test_a_web_page_is_dated_by_its_metadata(tmp_path, gazetteer, head):
    page = tmp_path / "story.html"
    page.write_text(f"<html><head>{head}</head><body><article><h1>Peshawar mourns</h1>"
                    '<p class="byline">By staff <time datetime="2022-03-10">Thursday</time></p>'
                    "<p>Last Friday, on 4 March, a bomber struck a Shia mosque in Peshawar, "
                    "killing 63 worshippers.</p></article></body></html>", encoding="utf-8")
    found = extract_documents([page], gazetteer)
    assert [r["date_start"] for r in found.incidents.to_dict("records")] == ["2022-03-04"]
    assert found.sources.iloc[0]["published"] == "2022-03-10"


def test_a_web_pages_menus_related_stories_and_footer_are_not_read(tmp_path, gazetteer):
    page = tmp_path / "story.html"
    page.write_text(WEB_PAGE.format(title="Peshawar", body=(
        "<h1>Peshawar mourns</h1><p>On 4 March 2022 a bomber struck a Shia mosque in "
        "Peshawar, killing 63 worshippers.</p>")), encoding="utf-8")
    found = extract_documents([page], gazetteer)
    assert [r["place"] for r in found.incidents.to_dict("records")] == ["Peshawar"]
    text = next(iter(found.texts.values()))
    assert "Related" not in text and "cookies" not in text and "Copyright" not in text
    assert "dataLayer" not in text and text.startswith("Peshawar mourns")
