"""PDFs written byte by byte, for the tests that need a file no printer makes.

A PDF is numbered objects, a cross-reference table of their offsets and a
trailer; `pdf_file` lays them out, and the builders below make a page of text
(in a Type 1 font whose encoding names ligature glyphs, as pdfTeX writes
them), a page whose content stream inflates to gigabytes, and a page holding
an array nested thousands deep.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

# Codes 1-7 of the text font draw the ligature glyphs. Its encoding names them as in
# the Adobe Glyph List (as pdfTeX writes them), and its ToUnicode map gives each its
# ligature character (as Chromium's Skia and most typesetters write them): the text
# layer says U+FB00-U+FB06, as real reports' do.
LIGATURES = {"\ufb00": (1, "ff"), "\ufb01": (2, "fi"), "\ufb02": (3, "fl"),
             "\ufb03": (4, "ffi"), "\ufb04": (5, "ffl"), "\ufb05": (6, "longst"),
             "\ufb06": (7, "st")}
_TO_UNICODE = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
               b"/CMapName /Ligatures def /CMapType 2 def "
               b"1 begincodespacerange <00> <FF> endcodespacerange "
               b"1 beginbfrange <20> <7E> <0020> endbfrange "
               b"7 beginbfchar " + b" ".join(b"<%02X> <%04X>" % (code, ord(ch))
                                             for ch, (code, _) in LIGATURES.items())
               + b" endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")


def _font() -> list[bytes]:
    """The text font (object 5) and its ToUnicode map (object 6)."""
    return [b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /ToUnicode 6 0 R "
            b"/Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 "
            + b" ".join(b"/" + name.encode() for _, name in LIGATURES.values()) + b"] >> >>",
            stream(_TO_UNICODE)]


def pdf_file(objects: Iterable[bytes]) -> bytes:
    """A PDF of `objects` (numbered from 1, the first the catalog) with a correct
    cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(offsets) + 1, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    """A stream object's body: its dictionary (with `extra` entries) and its data."""
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def page_pdf(content: bytes, extra: bytes = b"", more: Iterable[bytes] = ()) -> bytes:
    """One A4 page whose content stream (object 4) is `content`, with `extra` entries
    in the stream's dictionary, in the text font (objects 5 and 6), and `more`
    objects after."""
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream(content, extra),
        *_font(),
        *more,
    ])


def text_pdf(lines: list[str]) -> bytes:
    """A page with `lines` set in Times, ligature characters drawn as the font's glyphs."""
    shown = []
    for line in lines:
        encoded = "".join(chr(LIGATURES[ch][0]) if ch in LIGATURES else ch for ch in line)
        escaped = encoded.encode("cp1252").replace(b"\\", b"\\\\").replace(b"(", b"\\(")
        shown.append(b"(" + escaped.replace(b")", b"\\)") + b") Tj T*")
    return page_pdf(b"BT /F1 11 Tf 14 TL 56 780 Td " + b" ".join(shown) + b" ET")


def deflated_zeros(gigabytes: float = 2.0, chunk_mb: int = 4) -> bytes:
    """A zlib stream of `gigabytes` GB of zeros (about 1 MB a GB), made in a second.

    Each chunk is compressed after a full flush, which byte-aligns the output and
    forgets the window, so every chunk after the first deflates to the same bytes:
    those are compressed once and repeated, and the Adler-32 checksum at the end is
    counted over all the chunks, so the stream is whole and valid.
    """
    packer, zeros = zlib.compressobj(9), bytes(chunk_mb * 2**20)
    first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)  # with the header
    again = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    assert again == packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    chunks = max(2, int(gigabytes * 1024 / chunk_mb))
    checksum = 1
    for _ in range(chunks):
        checksum = zlib.adler32(zeros, checksum)
    end = packer.flush()[:-4] + checksum.to_bytes(4, "big")
    return first + again * (chunks - 1) + end


def bomb_pdf(gigabytes: float = 2.0) -> bytes:
    """A page whose content stream is `gigabytes` GB of zeros, deflated to about 2 MB."""
    return page_pdf(deflated_zeros(gigabytes), b"/Filter /FlateDecode ")


def nested_pdf(depth: int = 50_000) -> bytes:
    """A page whose resources hold an array nested `depth` deep: a parser that
    recurses on arrays runs out of stack."""
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /Deep " + b"[" * depth + b"]" * depth + b" >> >>",
        stream(b"BT /F1 11 Tf 56 780 Td (On 3 May 2022 a bomb in Kabul killed four people.) Tj ET"),
        *_font(),
    ])


def shared_form_pdf(lines: list[str], megabytes: int = 3) -> bytes:
    """One page per line, each drawing the same form XObject, whose stream is
    `megabytes` MB of zeros deflated: the document inflates to `megabytes` MB, however
    many pages show it."""
    free = [n for n in range(3, 2 * len(lines) + 6) if n not in (5, 6)]  # 5, 6: the font
    pages, contents, form = free[:len(lines)], free[len(lines):2 * len(lines)], free[-1]
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
               2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
                   b" ".join(b"%d 0 R" % p for p in pages), len(pages))}
    objects[5], objects[6] = _font()
    for page, content, line in zip(pages, contents, lines, strict=True):
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                         b"/Contents %d 0 R /Resources << /Font << /F1 5 0 R >> "
                         b"/XObject << /Fm %d 0 R >> >> >>" % (content, form))
        text = line.encode("cp1252").replace(b"(", b"\\(").replace(b")", b"\\)")
        objects[content] = stream(b"BT /F1 11 Tf 56 780 Td (" + text + b") Tj ET /Fm Do")
    objects[form] = stream(deflated_zeros(megabytes / 1024, chunk_mb=1),
                           b"/Type /XObject /Subtype /Form /BBox [0 0 10 10] "
                           b"/Filter /FlateDecode ")
    return pdf_file(objects[n] for n in range(1, form + 1))
