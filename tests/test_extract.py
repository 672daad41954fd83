"""Extraction from documents: scored against the development set and on texts it was not
tuned on, and pinned behaviour by behaviour on small documents written for these tests."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.score import score as bench_score
from geo.extract import extract_documents, read_document
from geo.extract.dates import parse_when
from geo.extract.documents import UnreadableDocument
from geo.records import LeftOutWarning
from maps.cli import main
from tests.conftest import ROOT, SEEDS, require_shared

HELDOUT = ROOT / "tests" / "fixtures" / "heldout"


def score(gold: Path, out: Path) -> dict:
    """Our scorer (bench/score.py, the development set's metrics) over an extract folder."""
    return bench_score(gold, out / "incidents.csv", out / "areas.csv")


def shared_score(gold: Path, out: Path) -> dict:
    """The development set's own scorer, run as its README says."""
    scorer = require_shared("eval/score.py")
    result = subprocess.run([sys.executable, str(scorer), str(gold), str(out / "incidents.csv"),
                             str(out / "areas.csv"), "--json"],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def extract_and_score(tmp_path: Path, folder: str) -> dict:
    """`extract` over a held-out folder of tests/fixtures, scored against its gold."""
    fixtures = ROOT / "tests" / "fixtures" / folder
    out = tmp_path / folder
    assert main(["extract", *map(str, sorted(fixtures.glob("*.txt"))), "--out", str(out)]) == 0
    return score(fixtures / "gold.json", out)["incidents"]


def ratio(fraction: str) -> float:
    right, total = map(int, fraction.split("/"))
    return right / total if total else 1.0


def rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def extract_one(tmp_path, gazetteer, text: str, published: str | None = None) -> list[dict]:
    path = write(tmp_path, "note.txt", text)
    found = extract_documents([path], gazetteer,
                              published=parse_when(published) if published else None)
    return found.incidents.to_dict("records")


@pytest.fixture(scope="module")
def development(tmp_path_factory) -> tuple[Path, dict]:
    docs = sorted(require_shared("eval/docs").glob("*.txt"))
    out = tmp_path_factory.mktemp("eval")
    assert main(["extract", *map(str, docs), "--out", str(out)]) == 0
    return out, score(require_shared("eval/gold.json"), out)


def test_our_scorer_gives_the_shared_scorers_figures(development):
    """bench/score.py stands in for ../shared/eval/score.py on the held-out sets."""
    out, result = development
    assert result == shared_score(require_shared("eval/gold.json"), out)


def test_development_set_meets_every_target(development):
    _, result = development
    incidents = result["incidents"]
    assert incidents["recall"] >= 0.9, incidents["misses"]
    assert incidents["precision"] >= 0.85, incidents["extras"]
    assert ratio(incidents["fatalities_right"]) >= 0.9
    assert ratio(incidents["admin1_right"]) >= 0.95
    assert ratio(incidents["claim_right"]) >= 0.8
    assert result["areas"]["found"] == result["areas"]["gold"], result["areas"]["misses"]


# Written by helpers who saw neither the extractor nor the development set. Their
# first runs, before the general fixes they prompted (recall, precision): heldout
# 0.71, 0.89; heldout2 0.50, 0.74; heldout3 0.82, 0.92; heldout4 0.61, 0.71 (its
# gold had Darzab 47 km east of the district, since corrected); heldout5 0.80, 0.86;
# heldout6 0.43, 0.81; heldout7 0.72, 0.84.
@pytest.mark.parametrize("folder", ["heldout", "heldout2", "heldout3", "heldout4", "heldout5",
                                    "heldout6", "heldout7"])
def test_texts_written_apart_from_the_extractor_meet_the_targets(tmp_path, folder):
    incidents = extract_and_score(tmp_path, folder)
    assert incidents["recall"] >= 0.9, incidents["misses"]
    assert incidents["precision"] >= 0.85, incidents["extras"]
    assert ratio(incidents["fatalities_right"]) >= 0.9
    assert ratio(incidents["admin1_right"]) >= 0.95


def test_every_record_quotes_its_sentence_by_offset(development):
    out, _ = development
    docs = {p.name: p.read_text(encoding="utf-8")
            for p in require_shared("eval/docs").glob("*.txt")}
    for table in ("incidents", "areas"):
        for row in rows(out / f"{table}.csv"):
            quoted = docs[row["source_file"]][int(row["quote_start"]):int(row["quote_end"])]
            assert " ".join(quoted.split()) == row["summary"]


def test_extracted_files_load_back_as_records_and_build_a_map(development, tmp_path):
    out, _ = development
    built = tmp_path / "map"
    assert main(["build", "--incidents", str(out / "incidents.csv"), "--areas",
                 str(out / "areas.csv"), "--sources", str(out / "sources.csv"),
                 "--no-basemap", "--out", str(built)]) == 0
    assert len(rows(built / "incidents.csv")) == len(rows(out / "incidents.csv"))


def test_seed_documents_yield_most_curated_incidents_dated_to_the_day_or_month(
        tmp_path, placed):
    docs = [require_shared(f"seeds/{name}") for name in ("000_42fb193f511c7a27.txt",
                                                          "003_e4a08d6225cd5825.txt")]
    assert main(["extract", *map(str, docs), "--sources", str(SEEDS / "sources.csv"),
                 "--out", str(tmp_path)]) == 0
    found = rows(tmp_path / "incidents.csv")
    curated = [r for r in rows(SEEDS / "incidents.csv") if r["date_precision"] in ("day", "month")]
    points = {r["event_id"]: (r["latitude"], r["longitude"])
              for r in placed.incidents.to_dict("records")}
    used: set[int] = set()
    matched = 0
    for seed in curated:
        for n, row in enumerate(found):
            if n in used or row["source_file"] != seed["source_file"]:
                continue
            if row["date_start"] > seed["date_end"] or row["date_end"] < seed["date_start"]:
                continue
            where = points.get(seed["event_id"])
            if where is None:  # a curated event with no place: same kind, no place either
                ok = not row["latitude"] and row["event_type"] == seed["event_type"]
            else:
                ok = bool(row["latitude"]) and _km(where, (row["latitude"], row["longitude"])) <= 50
            if ok:
                used.add(n)
                matched += 1
                break
    print(f"seed incidents found: {matched}/{len(curated)}")
    assert matched / len(curated) >= 0.8, f"{matched}/{len(curated)}"


def _km(a, b) -> float:
    from geo.gazetteer import distance_km

    return distance_km(tuple(map(float, a)), tuple(map(float, b)))


def test_yearless_and_relative_dates_are_read_against_the_publication_date(tmp_path, gazetteer):
    text = ("Quetta notes\nPublished: 20 December 2017\n\n"
            "On 12 August a truck bomb hit a military vehicle in Quetta, killing 15. "
            "Two days later gunmen stormed a checkpoint in Mastung, killing four police.\n\n"
            "And last Sunday two attackers raided a church in Quetta, killing nine.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["date_start"], r["place"], r["fatalities"]) for r in found] == [
        ("2017-08-12", "Quetta", 15), ("2017-08-14", "Mastung", 4),
        ("2017-12-17", "Quetta", 9)]


def test_publication_date_from_the_user_when_the_text_has_none(tmp_path, gazetteer):
    text = "Kunar\n\nIn early January an airstrike in Chapa Dara district killed 11 fighters.\n"
    found = extract_one(tmp_path, gazetteer, text, published="2019-02")
    assert (found[0]["date_start"], found[0]["date_end"]) == ("2019-01-01", "2019-01-10")
    assert found[0]["event_type"] == "airstrike"
    assert found[0]["claim_status"] == "n/a"


def test_two_events_in_one_sentence_stay_apart(tmp_path, gazetteer):
    text = ("Leaders\nPublished: 1 August 2017\n\n"
            "A bomb killed 12 people at a market in Jalalabad in April 2017, and in July 2017 "
            "gunmen killed six guards at a checkpoint in Kunduz.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["date_start"][:7], r["place"], r["fatalities"]) for r in found] == [
        ("2017-04", "Jalālābād", 12), ("2017-07", "Kunduz", 6)]


def test_one_event_told_in_a_headline_and_the_body_is_one_record(tmp_path, gazetteer):
    text = ("Suicide bombing hits Kabul wedding hall\nPublished: 19 August 2019\n\n"
            "On 17 August a suicide bomber killed 63 guests at a wedding hall in Kabul. "
            "The group claimed the attack through Amaq.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert len(found) == 1
    assert (found[0]["date_start"], found[0]["fatalities"], found[0]["claim_status"]) == (
        "2019-08-17", 63, "claimed")


def test_claim_status_follows_the_texts_cues(tmp_path, gazetteer):
    text = ("Claims\nPublished: 30 May 2019\n\n"
            "On 12 April 2019 a bomb exploded at a market in Quetta, killing 20. "
            "The Islamic State and Lashkar-e-Jhangvi both claimed it.\n\n"
            "On 3 May 2019 a bomb killed five people in Peshawar. No group claimed it.\n\n"
            "On 20 May 2019 gunmen killed seven in Kabul. The Taliban denied involvement.\n\n"
            "On 25 May 2019 gunmen attacked a shrine in Kabul and killed three. "
            "Officials attributed the attack to the group.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [r["claim_status"] for r in found] == ["disputed", "unclaimed", "disputed",
                                                  "attributed"]
    assert found[0]["assoc_actors"] == "Lashkar-e-Jhangvi"


def test_a_country_alone_is_no_place_to_map(tmp_path, gazetteer):
    text = ("Province\nPublished: 30 May 2019\n\n"
            "In May 2019 the group released a video announcing a new province for Pakistan.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert found[0]["location"] == "" and found[0]["country"] == "PK"


def test_held_areas_are_read_with_their_status_and_end(tmp_path, gazetteer):
    path = write(tmp_path, "areas.txt", (
        "Territory\nPublished: 20 April 2020\n\n"
        "By mid-2015 the group controlled Achin and Deh Bala districts. It ran a training "
        "camp in the Mamand valley. Its fighters were driven out of their strongholds in "
        "Achin in late 2019. Recruiters remain active in Karachi.\n"))
    areas = extract_documents([path], gazetteer).areas.to_dict("records")
    got = {(a["name"], a["status"], a["date_start"][:7], a["date_end"][:7]) for a in areas}
    assert got == {("Achin", "control", "2015-05", "2019-12"),  # held until driven out
                   ("Deh Bala", "control", "2015-05", ""),
                   ("Mamand", "training_camp", "2015-05", ""),
                   ("Karachi", "presence", "2020-04", "")}


def test_same_document_gives_the_same_ids_and_bytes(tmp_path):
    doc = sorted(HELDOUT.glob("*.txt"))[0]
    first, second = tmp_path / "a", tmp_path / "b"
    assert main(["extract", str(doc), "--out", str(first)]) == 0
    assert main(["extract", str(doc), "--out", str(second)]) == 0
    for name in ("incidents.csv", "areas.csv", "incidents.geojson", "sources.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    ids = [r["event_id"] for r in rows(first / "incidents.csv")]
    assert len(ids) == len(set(ids)) > 0


def test_reviewed_rows_stick_and_deleted_rows_stay_out(tmp_path, capsys):
    docs = sorted(HELDOUT.glob("*.txt"))
    first = tmp_path / "first"
    assert main(["extract", str(docs[0]), "--out", str(first)]) == 0
    extracted = rows(first / "incidents.csv")
    edited, deleted = extracted[0], extracted[1]
    edited["fatalities"], edited["fatalities_qualifier"] = "99", "exact"
    review = first / "reviewed.csv"
    with open(review, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(extracted[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows([r for r in extracted if r is not deleted])
    again = tmp_path / "again"
    capsys.readouterr()
    assert main(["extract", str(docs[0]), str(docs[1]), "--review", str(review),
                 "--out", str(again)]) == 0
    assert "were left out" in capsys.readouterr().out
    result = {r["event_id"]: r for r in rows(again / "incidents.csv")}
    assert result[edited["event_id"]]["fatalities"] == "99"
    assert deleted["event_id"] not in result
    assert [r["event_id"] for r in rows(again / "not_in_review.csv")] == [deleted["event_id"]]
    assert any(r["source_file"] == docs[1].name for r in result.values())  # a new document


def test_unreadable_files_are_named_and_the_others_still_extracted(tmp_path, capsys):
    good = write(tmp_path, "good.txt", "Note\nPublished: 1 May 2017\n\n"
                 "On 12 April 2017 gunmen killed six guards in Kunduz.\n")
    empty = write(tmp_path, "empty.txt", "  \n")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    latin = write(tmp_path, "latin.txt", "Caf\u00e9 notes on 12 April 2017 in Kunduz.", "latin-1")
    pdf = tmp_path / "report.txt"
    pdf.write_bytes(b"%PDF-1.7\n")
    missing = tmp_path / "missing.txt"
    out = tmp_path / "out"
    code = main(["extract", str(good), str(empty), str(binary), str(latin), str(pdf),
                 str(missing), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 4
    assert f"{empty}: is empty" in err
    assert f"{binary}: is binary" in err
    assert f"{latin}: is not UTF-8 (byte 0xe9 at offset 3)" in err and "--encoding" in err
    assert f"{pdf}: is a damaged PDF" in err
    assert f"{missing}: cannot be read" in err
    assert [r["place"] for r in rows(out / "incidents.csv")] == ["Kunduz"]
    assert "[1/1]" in err  # progress, over the documents that could be read


def test_an_unreadable_file_takes_no_source_id(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    empty = write(tmp_path / "a", "report.txt", "  \n")
    good = write(tmp_path / "b", "report.txt", "Note\nPublished: 1 May 2017\n\n"
                 "On 12 April 2017 gunmen killed six guards in Kunduz.\n")
    assert main(["extract", str(empty), str(good), "--out", str(tmp_path / "out")]) == 4
    alone = tmp_path / "alone"
    assert main(["extract", str(good), "--out", str(alone)]) == 0
    assert [r["source_id"] for r in rows(tmp_path / "out" / "sources.csv")] == ["report"]
    assert (tmp_path / "out" / "incidents.csv").read_bytes() == \
        (alone / "incidents.csv").read_bytes()


def test_other_encodings_read_when_marked_or_named(tmp_path):
    text = "Note\nPublished: 1 May 2017\n\nOn 12 April 2017 gunmen killed six guards in Kunduz."
    assert read_document(write(tmp_path, "u16.txt", "\ufeff" + text, "utf-16-le")).text == text
    assert read_document(write(tmp_path, "bom.txt", "\ufeff" + text)).text == text
    latin = write(tmp_path, "latin.txt", text.replace("guards", "gard\u00e9s"), "cp1252")
    with pytest.raises(UnreadableDocument):
        read_document(latin)
    assert "gard\u00e9s" in read_document(latin, encoding="cp1252").text


def test_no_document_readable_writes_nothing(tmp_path):
    empty = write(tmp_path, "empty.txt", "")
    assert main(["extract", str(empty), "--out", str(tmp_path / "out")]) == 2
    assert not (tmp_path / "out").exists()


def test_build_maps_extracted_records_with_the_curated_ones(tmp_path, placed):
    hostile = write(tmp_path, "hostile.txt", (
        "Note </script><script>alert(1)</script>\nPublished: 1 May 2017\n\n"
        "On 12 April 2017 gunmen <img src=x onerror=alert(2)> killed six guards in Kunduz.\n"))
    assert main(["build", "--docs", str(hostile), "--no-basemap", "--out", str(tmp_path)]) == 0
    mapped = rows(tmp_path / "incidents.csv")
    assert len(mapped) == len(placed.incidents) + 1
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "alert(1)" in html  # the text is there, but never as markup
    assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_a_list_item_headed_by_place_and_date_dates_the_lines_under_it(tmp_path, gazetteer):
    text = ("Brief\nPublished: 1 June 2015\n\nKey incidents\n"
            "1. Karachi, Sindh - 13 May 2015. Gunmen boarded a bus and shot dead at least 43 "
            "passengers. The group later claimed the massacre.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["date_start"], r["place"], r["fatalities"], r["claim_status"]) for r in found] == [
        ("2015-05-13", "Karachi", 43, "claimed")]
    assert found[0]["geo_precision"] == 2  # the place came from the heading, not the sentence


def test_a_place_named_inside_another_must_lie_in_it(tmp_path, gazetteer):
    text = ("Monitor\nPublished: 1 August 2016\n\n"
            "On 23 July 2016 two blasts hit a march at Deh Mazang square in western Kabul, "
            "killing at least 80.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["place"], r["fatalities"]) for r in found] == [("Kabul", 80)]


def test_where_people_came_from_and_who_spoke_are_not_where_it_happened(tmp_path, gazetteer):
    text = ("Notes\nPublished: 1 June 2017\n\n"
            "On 20 May 2017 police in Karachi arrested three students from Lahore.\n\n"
            "On 22 May 2017 the Nangarhar governor's office said a bomb killed four in Kabul.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [r["place"] for r in found] == ["Karachi", "Kabul"]


def test_without_a_publication_date_the_story_moves_forward(tmp_path, gazetteer, capsys):
    text = ("Notebook\n\nIt opened on 2017-12-28, when a bomber killed 41 in Kabul. "
            "On April 22nd a bomber killed 57 in Kabul.\n\n"
            "On the 3rd of August attackers stormed a mosque in Gardez, killing 29.\n")
    path = write(tmp_path, "notebook.txt", text)
    found = extract_documents([path], gazetteer)
    assert [r["date_start"] for r in found.incidents.to_dict("records")] == [
        "2017-12-28", "2018-04-22", "2018-08-03"]
    assert any("no publication date" in note for note in found.notes)


def test_a_publication_line_at_the_end_is_read(tmp_path, gazetteer):
    text = ("Spring\n\nOn February 7 a suicide bomber killed at least 20 staff at the Supreme "
            "Court in Kabul.\n\nFirst published 29 May 2017.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert found[0]["date_start"] == "2017-02-07"


def test_a_publication_date_that_is_not_a_date_is_refused(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["extract", "x.txt", "--published", "spring", "--out", "unused"])
    assert stop.value.code == 2
    assert "'spring' is not a date" in capsys.readouterr().err


def test_a_document_whose_every_record_was_deleted_stays_reviewed(tmp_path, capsys):
    doc = sorted(HELDOUT.glob("*.txt"))[0]
    first = tmp_path / "first"
    assert main(["extract", str(doc), "--out", str(first)]) == 0
    header = (first / "incidents.csv").read_text(encoding="utf-8").splitlines()[0]
    review = first / "reviewed.csv"
    review.write_text(header + "\n", encoding="utf-8")  # the analyst deleted them all
    again = tmp_path / "again"
    assert main(["extract", str(doc), "--review", str(review), "--out", str(again)]) == 0
    assert rows(again / "incidents.csv") == []
    assert len(rows(again / "not_in_review.csv")) == len(rows(first / "incidents.csv"))


def test_a_review_from_another_run_brings_its_sources_or_names_what_is_missing(tmp_path,
                                                                              capsys):
    docs = sorted(HELDOUT.glob("*.txt"))
    first = tmp_path / "first"
    assert main(["extract", str(docs[0]), "--out", str(first)]) == 0
    earlier = rows(first / "sources.csv")
    review = first / "reviewed.csv"
    review.write_bytes((first / "incidents.csv").read_bytes())
    again = tmp_path / "again"
    assert main(["extract", str(docs[1]), "--review", str(review), "--out", str(again)]) == 0
    assert {r["source_id"] for r in earlier} <= {r["source_id"]
                                                 for r in rows(again / "sources.csv")}
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    moved = lonely / "reviewed.csv"
    moved.write_bytes(review.read_bytes())
    capsys.readouterr()
    assert main(["extract", str(docs[1]), "--review", str(moved), "--out",
                 str(tmp_path / "third")]) == 2
    err = capsys.readouterr().err
    assert f"{moved}:0: column 'source_id'" in err
    assert f"is not a document of this run and {lonely / 'sources.csv'} is missing" in err


def test_a_document_that_breaks_the_extractor_is_reported_and_the_rest_extracted(
        tmp_path, gazetteer, monkeypatch):
    import geo.extract as extraction

    good = write(tmp_path, "good.txt", "Note\nPublished: 1 May 2017\n\n"
                 "On 12 April 2017 gunmen killed six guards in Kunduz.\n")
    bad = write(tmp_path, "bad.txt", "Note\nPublished: 1 May 2017\n\nOn 12 April 2017 boom.\n")
    real = extraction.extract

    def fragile(doc, *args):
        if doc.name == "bad.txt":
            raise RuntimeError("simulated fault")
        return real(doc, *args)

    monkeypatch.setattr(extraction, "extract", fragile)
    with pytest.warns(LeftOutWarning, match="simulated fault"):
        found = extract_documents([bad, good], gazetteer)
    assert [r["place"] for r in found.incidents.to_dict("records")] == ["Kunduz"]
    assert found.failed == [f"{bad}: could not be extracted (RuntimeError: simulated fault); "
                            "please report this with the file"]


def test_hard_wrapped_lines_are_one_sentence(tmp_path, gazetteer):
    text = ("Notes\nPublished: 10 May 2021\n\n"
            "On 8 May 2021 a suicide bomber struck a mosque in the west of\n"
            "Kabul, killing 20 worshippers and wounding dozens of others who\n"
            "had come to pray. ISKP claimed the attack through its outlet\n"
            "Amaq the same evening, naming the bomber as a local recruit.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["place"], r["fatalities"], r["claim_status"]) for r in found] == [
        ("Kabul", 20, "claimed")]


def test_two_bombs_the_same_day_in_one_city_stay_two_records(tmp_path, gazetteer):
    text = ("Notes\nPublished: 10 May 2021\n\n"
            "On 8 May 2021 a bomb killed 5 people at a market in Kabul. "
            "On 8 May 2021 a second, separate bomb exploded near a school in Kabul, "
            "wounding 12.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["fatalities"], r["injured"]) for r in found] == [(5, None), (None, 12)]


def test_the_capital_of_a_story_about_afghanistan_is_kabul_roughly(tmp_path, gazetteer):
    text = ("Notes\nPublished: 10 May 2021\n\nThe group has long been active in Jalalabad.\n\n"
            "On 8 May 2021 a car bomb went off at a girls' school in the capital, killing 85.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["place"], r["geo_precision"]) for r in found] == [("Kabul", 2)]


def test_a_broken_utf16_file_is_unreadable_not_fatal(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(b"\xff\xfeA")
    with pytest.raises(UnreadableDocument, match="not valid UTF-16"):
        read_document(path)


def test_a_script_with_a_sentence_a_line_reads_as_one_story(tmp_path, gazetteer):
    text = ("EVENING BULLETIN - FRIDAY 29 SEPTEMBER 2023\n\nANCHOR:\n"
            "A bomb has torn through a religious procession in Balochistan.\n"
            "It happened this afternoon in Mastung town.\n"
            "A bomber blew himself up beside a police car.\n"
            "At least 52 people are dead.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["date_start"], r["place"], r["fatalities"]) for r in found] == [
        ("2023-09-29", "Mastung", 52)]


def test_a_date_and_place_told_just_before_the_attack_date_it(tmp_path, gazetteer):
    text = ("Notes\nPublished: 1 August 2023\n\n"
            "The clearest contrast came on 30 July 2023 in Khar, the headquarters of Bajaur "
            "district. A suicide bomber blew himself up under the tent of a party convention. "
            "The toll rose over the following days to 63.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["date_start"], r["place"], r["fatalities"]) for r in found] == [
        ("2023-07-30", "Khar", 63)]


def test_list_items_are_paragraphs_of_their_own(tmp_path, gazetteer):
    text = ("DIGEST -- Week of 18-24 April 2022\n\n"
            "- Kunduz (Friday): An explosion at a mosque in Imam Sahib district killed 33.\n"
            "- Wednesday: officials said several suspects had been detained.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["date_start"], r["place"]) for r in found] == [
        ("2022-04-22", "Imam Sahib"), ("2022-04-20", "")]


def test_the_newest_held_out_set_stays_at_least_where_it_was_measured(tmp_path):
    """heldout8 first ran at recall 0.60, precision 0.72; after the general fixes it
    showed, 0.77 and 0.96. It is below the issue's recall target: its misses are a
    feature whose dates never name a year, a court report whose places ("a residential
    street") are in no gazetteer, and a press release dated "Sunday" with no date to
    count from. This pins the level so a change cannot lose it."""
    incidents = extract_and_score(tmp_path, "heldout8")
    assert incidents["recall"] >= 0.76, incidents["misses"]
    assert incidents["precision"] >= 0.9, incidents["extras"]


def test_strict_stops_at_an_unreadable_document_and_writes_nothing(tmp_path, capsys):
    good = write(tmp_path, "good.txt", "Note\nPublished: 1 May 2017\n\n"
                 "On 12 April 2017 gunmen killed six guards in Kunduz.\n")
    empty = write(tmp_path, "empty.txt", "  \n")
    code = main(["extract", str(good), str(empty), "--strict", "--out", str(tmp_path / "out")])
    assert code == 2
    assert f"skipped {empty}: is empty" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_attacks_abroad_are_placed_in_their_own_country(tmp_path, gazetteer):
    text = ("Abroad\nPublished 2 September 2024\n\n"
            "On 22 March 2024 gunmen attacked the Crocus City Hall concert venue in "
            "Krasnogorsk, outside Moscow, killing more than 140 people.\n\n"
            "On 28 January 2024 two gunmen shot dead a worshipper at the Santa Maria church "
            "in Istanbul.\n\n"
            "German police arrested three men in Cologne on 24 December 2023.\n\n"
            "On 7 August 2024 Austrian police arrested a man suspected of plotting to attack "
            "concerts in Vienna.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["place"], r["country"]) for r in found] == [
        ("Krasnogorsk", "RU"), ("Istanbul", "TR"), ("Köln", "DE"), ("Vienna", "AT")]


def test_a_town_abroad_needs_its_country_named_unless_it_is_a_great_city(tmp_path, gazetteer):
    head = "Notes\nPublished 2 September 2024\n\n"
    alone = extract_one(tmp_path, gazetteer, head + "On 3 March 2024 gunmen attacked a "
                        "market in Derbent, killing four.\n")
    assert (alone[0]["location"], alone[0]["country"]) == ("", "")
    named = extract_one(tmp_path, gazetteer, head + "On 3 March 2024 gunmen attacked a "
                        "market in Derbent, Russia, killing four.\n")
    assert (named[0]["place"], named[0]["country"]) == ("Derbent", "RU")
    great = extract_one(tmp_path, gazetteer, head + "On 5 March 2024 a bomb killed two "
                        "people in Moscow.\n")
    assert (great[0]["place"], great[0]["country"]) == ("Moscow", "RU")


def test_a_capital_standing_for_its_government_or_a_venue_is_no_place(tmp_path, gazetteer):
    text = ("Notes\nPublished 2 September 2024\n\n"
            "On 29 August 2021 a drone strike on a car killed ten civilians. Washington has "
            "since admitted the error.\n\n"
            "On 17 August 2019 a suicide bomber struck a wedding at the Dubai City hall, "
            "killing 63.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert {r["country"] for r in found} <= {"", "AF"}


def test_a_claim_told_later_goes_to_the_event_it_names(tmp_path, gazetteer):
    text = ("Notes\nPublished 2 September 2024\n\n"
            "On 17 May 2024 gunmen opened fire on foreign tourists in Bamyan, killing six "
            "people.\n\n"
            "On 20 May 2024 a bomb killed two people in Kabul.\n\n"
            "The Bamyan attack was later claimed by ISIL-K.\n\n"
            "On 30 July 2023 a bomber struck a rally in Khar, killing at least 54 people. The "
            "group claimed the bombing through Amaq the following day.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [(r["date_start"], r["place"], r["claim_status"]) for r in found] == [
        ("2024-05-17", "Bamyan", "claimed"), ("2024-05-20", "Kabul", "attributed"),
        ("2023-07-30", "Khar", "claimed")]  # the claim's day is no second event


def test_claims_read_as_analysts_read_them(tmp_path, gazetteer):
    text = ("Claims\nPublished 1 November 2023\n\n"
            "On 19 April 2022 explosions outside a school in Kabul killed six students; rights "
            "groups blamed ISKP, although the group never formally claimed the attack.\n\n"
            "On 29 September 2023 a suicide bomber killed 52 people in Mastung. No group has "
            "claimed responsibility, and the TTP issued a statement denying involvement.\n\n"
            "On 13 October 2023 a bomber killed seven worshippers in Pul-e-Khumri, according "
            "to Taliban officials, in an attack that Islamic State claimed within hours.\n\n"
            "On 22 March 2024 gunmen killed 145 people in Krasnogorsk, Russia. The Islamic "
            "State claimed the massacre, but the Kremlin blamed Ukraine.\n")
    found = extract_one(tmp_path, gazetteer, text)
    assert [r["claim_status"] for r in found] == ["attributed", "unclaimed", "claimed",
                                                  "disputed"]


def test_an_area_that_fell_to_the_group_ends_when_its_men_surrendered(tmp_path, gazetteer):
    path = write(tmp_path, "areas.txt", (
        "Territory\nPublished: 22 July 2024\n\n"
        "Large parts of Darzab district in Jowzjan province fell to ISIL-K in 2017, and the "
        "group held the area until its commanders surrendered to the Government in August "
        "2018.\n\n"
        "Two years after the Taliban seized Kabul, the group has traded territory for "
        "reach.\n"))
    areas = extract_documents([path], gazetteer).areas.to_dict("records")
    assert [(a["name"], a["status"], a["date_start"], a["date_end"]) for a in areas] == [
        ("Darzab", "control", "2017-01-01", "2018-08-31")]


def test_the_newest_held_out_set_of_pdf_web_and_abroad_holds_its_level(tmp_path):
    """heldout10 (a UN-style PDF, a saved news page, two stories of attacks abroad) first
    ran at recall 0.82/0.53/0.67 and precision 0.68/0.62/0.77 (README); after the general
    fixes it showed, this pins where it stands."""
    fixtures = ROOT / "tests" / "fixtures" / "heldout10"
    out = tmp_path / "heldout10"
    docs = sorted(p for p in fixtures.iterdir() if p.suffix in (".pdf", ".html", ".txt"))
    assert main(["extract", *map(str, docs), "--out", str(out)]) == 0
    incidents = score(fixtures / "gold.json", out)["incidents"]
    assert incidents["recall"] >= 0.79, incidents["misses"]
    assert incidents["precision"] >= 0.8, incidents["extras"]
    assert ratio(incidents["claim_right"]) >= 0.9
