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
import textwrap
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from geo.extract import extract_documents
from geo.extract._pdf import _paragraphs, _without_running_heads
from geo.extract._unfold import reader_text
from geo.extract.documents import read_text
from maps.assets import AssetError, package_file
from maps.cli import main
from tests.conftest import ROOT, require_tool
from tests.pdfs import text_pdf

TEXTS = sorted((ROOT / "tests" / "fixtures" / "heldout9").glob("*.txt"))
# What a record says, whatever file it came from.
SAME = ("date_start", "date_end", "event_type", "place", "latitude", "longitude", "fatalities",
        "claim_status", "target")

# The printed pages' font, pinned so the PDFs are the same on every machine whatever
# fonts Chromium finds: Noto Serif (latin subset, regular), from npm @fontsource/noto-serif
# 5.3.0 (package.json devDependencies; SIL Open Font License 1.1, see the package's
# LICENSE). It sets "ff", "fi", "ffi", "ffl" and "fl" as ligature glyphs.
FONT = ("@fontsource/noto-serif", "5.3.0", "files/noto-serif-latin-400-normal.woff2")

PRINTED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><style>
@font-face {{ font-family: "Pinned Serif"; src: url("{font}") format("woff2"); }}
html {{ padding: 8mm 0; }}
body {{ margin: 0; font: 17pt "Pinned Serif"; hyphens: auto; text-align: justify; }}
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


def pinned_font() -> str:
    """The file: URL of the pinned font, checked to be the pinned version (maps.assets)."""
    try:
        return package_file(*FONT).as_uri()
    except AssetError as err:
        pytest.fail(f"{err} (the printed pages' font; `npm ci` installs it)")


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
        page.write_text(PRINTED_PAGE.format(title=text_path.stem, font=pinned_font(),
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


# Each ligature character in a word a report might use, and the word as a reader reads it.
LIGATURE_WORDS = {"o\ufb03cials": "officials", "\ufb01rst": "first", "\ufb02ed": "fled",
                  "sta\ufb00": "staff", "ba\ufb04ed": "baffled", "\ufb05reet": "street",
                  "police \ufb06ation": "police station"}
LIGATURE_TEXT = ("Published: 2 June 2022\n\nOn 3 May 2022 a bomb in Kabul killed four people, "
                 "o\ufb03cials said. The sta\ufb00 \ufb02ed the \ufb05reet; the \ufb01rst to "
                 "arrive were ba\ufb04ed, the police \ufb06ation said.\n")


def test_unfolding_turns_ligatures_into_letters_and_keeps_what_a_reader_must_keep():
    for folded, letters in LIGATURE_WORDS.items():
        assert reader_text(folded) == letters
    # Typesetting, not text: presentation forms, full-width digits, soft hyphens, zero width.
    assert reader_text("\ufe8d\ufedf\ufea9\ufe8e\ufeed\ufe97\ufbff") == unicodedata.normalize(
        "NFKC", "\ufe8d\ufedf\ufea9\ufe8e\ufeed\ufe97\ufbff")  # Arabic shapes: the letters
    assert reader_text("\uff12\uff10\uff11\uff17") == "2017"
    assert reader_text("respon\u00adsibility, respon\u00ad\nsibility") == \
        "responsibility, responsibility"
    assert reader_text("Ka\u200bbul") == "Kabul"
    # What NFKC would change and a reader keeps: a footnote mark is not a digit, a fraction
    # not three characters, an ellipsis not three full stops, a no-break space and the
    # Persian zero-width non-joiner stay where they are.
    kept = ("BBC\u00b2 10 km\u00b2 \u00bd mile \u2026 Mr\u00a0Khan "
            "\u0645\u06cc\u200c\u0634\u0648\u062f \u2122")
    assert reader_text(kept) == kept


def test_a_pdf_whose_text_layer_carries_each_ligature_reads_as_plain_letters(tmp_path, gazetteer):
    """A page set in a font whose ligature glyphs the text layer names U+FB00-U+FB06."""
    pdf = tmp_path / "ligatures.pdf"
    heading, _, body = LIGATURE_TEXT.strip().split("\n")
    pdf.write_bytes(text_pdf([heading, "", *textwrap.wrap(body, 70)]))
    layer = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert all(ch in layer for ch in "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06")
    text = read_text(pdf).text
    assert all(word in text for word in LIGATURE_WORDS.values())
    assert not any("\ufb00" <= ch <= "\ufb06" for ch in text)
    found = extract_documents([pdf], gazetteer).incidents.to_dict("records")
    assert [(r["place"], r["date_start"], r["fatalities"]) for r in found] == \
        [("Kabul", "2022-05-03", 4)]


@pytest.mark.parametrize("kind", ["txt", "html", "pdf"])
def test_a_text_pasted_from_a_pdf_with_its_ligatures_reads_as_the_letters(tmp_path, kind):
    """The plain text, a web page and a real print of it all carry the ligature characters
    (the print in the pinned font, its fallback drawing them); each reads as letters."""
    plain = tmp_path / "plain.txt"
    plain.write_text(reader_text(LIGATURE_TEXT), encoding="utf-8")
    folded = tmp_path / f"folded.{kind}"
    if kind == "txt":
        folded.write_text(LIGATURE_TEXT, encoding="utf-8")
    else:
        page = tmp_path / "folded_page.html"
        page.write_text(PRINTED_PAGE.format(title="Kabul", font=pinned_font(),
                                            body=paragraphs_html(LIGATURE_TEXT, False)),
                        encoding="utf-8")
        if kind == "html":
            page.rename(folded)
        else:
            print_pdf(require_tool("chromium"), page, folded)
    outs = {}
    for name, path in (("plain", plain), ("folded", folded)):
        outs[name] = tmp_path / f"out-{name}"
        assert main(["extract", str(path), "--out", str(outs[name])]) == 0
    text = next((outs["folded"] / "texts").iterdir()).read_text(encoding="utf-8")
    assert all(word in text for word in LIGATURE_WORDS.values()), text
    said = [[(r["place"], r["date_start"], r["fatalities"], r["summary"])
             for r in rows(out / "incidents.csv")] for out in outs.values()]
    assert said[0] == said[1] and said[0][0][:3] == ("Kabul", "2022-05-03", "4")
