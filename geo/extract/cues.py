"""The words that tell what happened: event type, claim status, target, actor, area status.

Each table is ordered: the first label whose pattern matches wins, so the
specific comes before the general (a suicide bombing is a suicide attack
before it is a bombing). The labels are the contract's vocabularies
(`geo.schema`); the patterns are ours, written from how analysts and
wire reports phrase these things, not from any one document.
"""

from __future__ import annotations

import re

from geo.schema import AREA_STATUSES, CLAIM_STATUSES, EVENT_TYPES


def _table(rows: list[tuple[str, str]],
           vocabulary: tuple[str, ...]) -> list[tuple[str, re.Pattern]]:
    for label, _ in rows:
        assert label in vocabulary, label
    return [(label, re.compile(pattern, re.IGNORECASE)) for label, pattern in rows]


# What makes a clause an event, by type, most specific first.
EVENT_CUES = _table([
    ("suicide_attack", r"\bsuicide\s+(?:bomb|attack|vest|car|truck|belt|blast|assault)\w*|"
                       r"\bblew\s+(?:himself|herself|themselves)\s+up|\bself-detonat\w*|"
                       r"\bsuicide\s+bomber"),
    ("airstrike", r"\bair\s*-?\s*strikes?\b|\bdrone\s+(?:strike|attack)s?\b|\bair\s+raids?\b|"
                  r"\bdrop(?:ped|ping)\b[^.]{0,60}\bbombs?\b|\bbombing\s+raids?\b|"
                  r"\bmother\s+of\s+all\s+bombs\b|\b(?:US|U\.S\.|American|coalition|NATO|precision)\s+"
                  r"strikes?\b|\bmissiles?\b"),
    ("mass_killing", r"\bmassacre\w*|\bbeheaded\b|\bbeheading\w*|\bexecuted\b|\bcarnage\b|"
                     r"\bslaughter\w*"),
    ("bombing", r"\bbomb(?:s|ing|ings|ed|ers?)?\b|\bexplosions?\b|\bexplosives?\b|\bblasts?\b|"
                r"\bIEDs?\b|\bexploded\b|\bdetonat\w+|\bgrenades?\b|\bmagnetic\s+mine\b|"
                r"\b(?:explosive\s+)?devices?\b"),
    ("armed_assault", r"\bgunm[ae]n\b|\bstormed\b|\bopened\s+fire\b|\bfired\s+(?:on|at|upon)\b|"
                      r"\bshot\s+dead\b|\bshooting\b|\bambush\w*|\bassault\w*|\battack(?:s|ed)?\b|"
                      r"\battackers?\b|\btargeted\b|\bstruck\b|\bassassinat\w+|\bkidnapp\w+|"
                      r"\babduct\w+|\brockets?\b|\bmortars?\b|\bstabb(?:ed|ing)\b|"
                      r"\b(?:assailants?|gunm[ae]n|attackers?|militants|fighters)\s+"
                      r"(?:\w+\s+)?(?:killed|shot|murdered)\b"),
    ("clash", r"\bclash\w*|\bbattles?\b|\bfighting\b|\bfought\b|\boffensive\b|\bcounter-?attack\w*|"
              r"\bmilitary\s+operations?\b|\bwiped\s+out\b|\boverr[au]n\b|\bcaptured\s+the\b|"
              r"\bseized\b|\bretook\b|\bretaken\b|\brecaptured\b"),
    ("arrest", r"\barrest\w*|\bdetain\w*|\bapprehend\w*|\braid(?:s|ed)?\b|\bbusted\b|"
               r"\bcaptured\b"),
    ("surrender", r"\bsurrender\w*|\blaid\s+down\s+(?:their|his)\s+arms\b"),
    ("allegiance", r"\ballegiance\b|\bpledged\b|\bbay'?ah\b|\bdefected\s+to\b"),
    ("recruitment", r"\brecruit\w*"),
    ("propaganda", r"\bvideos?\b|\bleaflets?\b|\bpamphlets?\b|\bpropaganda\b|\bflags?\b|"
                   r"\bnight\s+letters?\b|\bbanner\b|\bradio\s+(?:station|broadcasts?)\b|"
                   r"\bmagazine\b"),
], EVENT_TYPES)
# Words that say something happened without saying what: an event they open
# must also give a toll, a place or a claim ("after almost every attack" is not one).
WEAK = re.compile(r"^(?:attack|attacked|attackers?|targeted|struck|assault\w*)$", re.IGNORECASE)
# Plural nouns tell of many events at once ("similar attacks in Afghanistan"): never one.
PLURAL = re.compile(r"^(?:attacks|assaults|bombings|blasts|explosions|raids|strikes)$",
                    re.IGNORECASE)
# A death the text tells as a leader's rather than as a toll.
LEADER_KILLED = re.compile(
    r"\b(?:death|killing)\s+of\s+(?:the\s+)?(?:group's\s+|its\s+)?(?:leader|amir|emir|"
    r"commander|chief|founder|spokesman|deputy|[A-Z][a-z]+\s+[A-Z])|"
    r"\b(?:leader|amir|emir|commander|chief|founder|spokesman|deputy|succeeded)\b[^.]{0,80}"
    r"\b(?:killed|dead|died)\b|\b(?:killed|dead|died)\b[^.]{0,40}\b(?:leader|amir|emir|"
    r"commander|chief)\b")
# Attacks the group makes, as against actions taken against it or by it in peace.
ATTACKS = ("suicide_attack", "bombing", "armed_assault", "mass_killing")
AGAINST_THE_GROUP = ("airstrike", "clash", "arrest", "surrender", "leader_killed")

CLAIM_CUES = _table([
    ("disputed", r"\bden(?:y|ied|ies|ial)\b|\brejected\b|\brejects\b|"
                 r"\bfalsely\b|\bcompeting\s+claims?\b|\bdisputed\b|\bdoubts?\b|\bdoubtful\b|"
                 r"\bquestioned\b|\bboth\s+claimed\b|\balso\s+claimed\b(?!\s+by)|\bclaim\s+and\s+denial\b|"
                 r"\bmost\s+likely\s+perpetrators?\b|\bwho\s+did\s+it\b|\bor\s+was\s+it\b|"
                 r"\b(?:unclear|not\s+clear)\s+who\s+(?:carried|was\s+behind|is\s+behind|did|"
                 r"was\s+responsible|is\s+responsible)\b"),
    ("unclaimed", r"\bno\s+(?:group|one|organi[sz]ation)\s+(?:has\s+|had\s+)?(?:yet\s+)?"
                  r"claimed\b|\bunclaimed\b|\bnot\s+(?:been\s+)?claimed\b|"
                  r"\bnever\s+(?:\w+\s+)?claimed\b|\b(?:did|does|has|have|had)\s+not\s+"
                  r"(?:\w+\s+)?claim(?:ed)?\b|\bwithout\s+(?:a\s+)?claim\b|\bno\s+(?:\w+\s+)?claim\b"),
    ("claimed", r"\bclaim(?:ed|ing|s)?\s+(?:responsibility|credit|it|them|both|"
                r"(?:the|that|this|these|those|a|an)\s+(?!lives\b)\w+)\b|"
                r"\bclaimed\s*(?:[.;,)]|$)|\btook\s+credit\b|\bdid\s+claim\b|"
                r"\bclaimed\s+(?:on|within|later|hours|quickly|swiftly|promptly|through|via|"
                r"online|shortly|soon|in\s+a|the\s+same|that\s+(?:day|night|evening))\b|\bclaim\s+in\s+(?:the\s+)?name\s+of\b|"
                r"\bclaim\s+(?:of\s+responsibility\s+)?followed\b|\b(?:issued|carried|made)\s+a\s+claim\b|"
                r"\bsaid\s+(?:it|they)\s+had\s+(?:targeted|attacked|struck|killed|fired|"
                r"launched|carried\s+out)\b|\btook\s+responsibility\b|"
                r"\bsaid\s+(?:it|its\s+\w+|the\s+\w+|they)\s+(?:was|were|had\s+been)\s+"
                r"(?:responsible|theirs|behind)\b|\b(?:said|stated)\s+(?:that\s+)?(?:it|they|"
                r"one\s+of\s+its\s+\w+|its\s+\w+)\s+(?:had\s+)?carried\s+out\b|"
                r"\bclaimed\s+by\b|\btook\s+responsibility\b|\bclaim\s+of\s+responsibility\b|"
                r"\bresponsibility\s+was\s+claimed\b|\bAmaq\b"),
    ("attributed", r"\battribut(?:ed|es?|ing)\b[^.;]{0,60}\bto\b|\blinked\b[^.;]{0,60}\bto\b|"
                   r"\bblamed\b|\bsuspected\b|\bbelieved\s+to\s+be\b|"
                   r"\baccused\b|\bcarried\s+out\s+by\b|\bbears?\s+the\s+hallmarks\b"),
], CLAIM_STATUSES)

# When accounts of one event disagree, the first of these that any of them gives.
CLAIM_PRECEDENCE = ("disputed", "claimed", "unclaimed", "attributed", "n/a")

# Who was hit, first match wins; labels follow the contract's examples.
TARGET_CUES = [(label, re.compile(pattern, re.IGNORECASE)) for label, pattern in [
    ("sikh", r"\bsikhs?\b|\bgurdwara\b|\bhindus?\b"),
    ("christian", r"\bchristians?\b|\bchurch(?:es)?\b"),
    ("sufi", r"\bsufis?\b|\bshrine\b|\bdargah\b"),
    ("hazara", r"\bhazaras?\b"),
    ("shia", r"\bshi'?[ai]\w*\b|\bimambargah\b|\bashura\b|\bmuharram\b"),
    ("foreign", r"\bembass(?:y|ies)\b|\bconsulate\b|\bforeigners?\b|\bsave\s+the\s+children\b|"
                r"\baid\s+(?:agency|workers?|group)\b|\bngo\b|\binternational\s+\w+\s+office\b"),
    ("journalists", r"\bjournalists?\b|\breporters?\b|\bmedia\s+(?:office|outlet)\b"),
    ("political", r"\belection\b|\brally\b|\bcandidate\b|\bpolitical\s+party\b|\bvoter\w*"),
    ("security_forces", r"\bpolice\b|\bsoldiers?\b|\barmy\b|\bsecurity\s+forces\b|"
                        r"\bcheckpoints?\b|\bmilitary\s+(?:base|academy|hospital)\b|\btroops\b"),
    ("government", r"\bgovernment\b|\bministry\b|\bofficials?\b|\bcourt\b|\bparliament\b"),
    ("religious", r"\bmosques?\b|\bclerics?\b|\bworshipp?ers?\b|\breligious\b|\bprayers?\b"),
    ("civilians", r"\bcivilians?\b|\bwedding\b|\bmarket\b|\bschool\b|\bhospital\b|"
                  r"\bfamilies\b|\bstudents?\b"),
]]

# Groups a report may name, with the forms it may name them by. The first
# named as claiming or carrying out an attack is its actor.
GROUPS = [
    ("ISKP", r"\bISKP\b|\bISK-P\b|\bIS-?K\b|\bISIS-K\b|\bISIL-?K\b|"
             r"\bIslamic\s+State(?:'s|’s)?\s+(?:in\s+)?Khorasan(?:\s+Province)?\b|"
             r"\bIS\s+Khorasan\b|\bWilayat(?:-e-|\s+)Khorasan\b|\bDaesh\s+Khorasan\b"),
    ("Islamic State", r"\bIslamic\s+State\b|\bISIS\b|\bISIL\b|\bIS\b|\bDaesh\b|\bDaish\b"),
    ("Lashkar-e-Jhangvi", r"\bLashkar-e-?\s?Jhangvi\b|\bLeJ\b"),
    ("Tehrik-e Taliban Pakistan (TTP)",
     r"\bTTP\b|\bTehrik-e-?\s?Taliban\b|\bPakistani\s+Taliban\b"),
    ("Jamaat-ul-Ahrar", r"\bJamaat-ul-Ahrar\b|\bJamaat\s+ul\s+Ahrar\b"),
    ("Jundullah", r"\bJundullah\b"),
    ("Lashkar-e-Islam", r"\bLashkar-e-?\s?Islam\b|\bLeI\b"),
    ("Taliban", r"\bTaliban\b|\bTaleban\b"),
    ("Haqqani network", r"\bHaqqani\b"),
    ("al-Qaeda", r"\bal-?\s?Qa'?[ie]da\b"),
]
GROUP_PATTERNS = [(name, re.compile(pattern)) for name, pattern in GROUPS]
# "claimed by X", "X claimed", "attributed to X": the group in the claim.
_NAMED_AFTER = re.compile(r"\b(?:claimed\s+by|attributed\s+to|blamed\s+(?:on|for)|"
                          r"carried\s+out\s+by)\s+", re.IGNORECASE)
_NAMED_BEFORE = re.compile(r"\b(?:claimed|took\s+responsibility)\b", re.IGNORECASE)

# Areas: what the text says the group does there, most telling first.
AREA_CUES = _table([
    ("training_camp", r"\btraining\s+(?:camps?|cent(?:er|re)s?|facilit(?:y|ies)|bases?|"
                      r"grounds?)\b|\btrains?\s+(?:its\s+)?(?:fighters|recruits)\b"),
    ("control", r"-(?:controlled|held)\b|\bcontrolled\s+by\b|\bheld\s+by\b|"
                r"\bran\s+(?:its\s+own\s+)?(?:courts|checkpoints|tax)|\b(?:collected|levied)\s+"
                r"tax(?:es)?\b|\btax\s+collection\s+in\b|\bgoverned\b|"
                r"\bcontrolled\b(?!\s+by\s+(?:the\s+)?(?:government|army|state|security|police))|"
                r"\bheld\b(?!\s+(?:talks|a\s+meeting|meetings|elections?|a\s+rally|hostages?|"
                r"responsible|captive|by\s+(?:the\s+)?(?:government|army|police)))|"
                r"\bunder\s+(?:the\s+)?(?:group's\s+|its\s+|their\s+|ISKP's\s+|IS\s+)?control\b|"
                r"\b(?:seized|overran|overrun|captured|took\s+control\s+of|took\s+over|"
                r"controls|holds|occupied)\b|\bfell\s+to\b|\bcame\s+under\b[^.;]{0,30}\bcontrol\b"),
    ("base", r"\bbases?\s+in\b|\bbased\s+in\b|(?<!the\s)\bheadquarter\w*(?!\s+of\b)|"
             r"\bstrongholds?\b|"
             r"\bheart(?:land)?\s+of\s+the\s+group\b|\bits\s+heartland\b|"
             r"\bsafe\s+havens?\b|\bsanctuar(?:y|ies)\b|\bcamp(?:ed|ing)\b|"
             r"\bestablish\w*\s+(?:new\s+)?bases?\b|\bas\s+(?:a|its)\s+(?:main\s+)?base\b"),
    ("presence", r"\bactive\s+in\b|\bpresence\s+in\b|\bmoved\b[^.]{0,30}\binto\b|"
                 r"\brelocated\s+to\b|\bretreated\s+(?:to|into)\b|\bregrouped\s+in\b|"
                 r"\bfled\s+(?:to|into)\b|\bcells?\s+in\b|\bfoothold\b|\boperat\w+\s+in\b|"
                 r"\bremain\s+active\b|\bshelter(?:s|ed|ing)?\s+in\b|\bhid(?:e|es|ing)\s+in\b"),
], AREA_STATUSES)
# Someone else holding or taking an area: "after the Taliban seized Kabul" is not the group's.
AREA_OTHERS = re.compile(
    r"\b(?:Taliban|Taleban|government|army|military|security\s+forces|police|troops|"
    r"authorities)\s+(?:had\s+|have\s+|has\s+)?(?:seized|captured|took|controls?|controlled|"
    r"holds?|held|overran|recaptured|retook)\b", re.IGNORECASE)
# The group losing an area: the area was held until then.
AREA_LOST = re.compile(r"\b(?:driven|pushed|forced|expelled|ousted|cleared)\s+(?:out\s+)?"
                       r"(?:of|from)\b|\bdislodged\b|\bsurrender(?:ed)?\s+to\b|"
                       r"\blost\s+(?:control\s+of|their|its)\b|\brecaptured\b|\bretook\b",
                       re.IGNORECASE)


def first_label(table: list[tuple[str, re.Pattern]], text: str) -> str | None:
    """The label of the first pattern in `table` that occurs in `text`."""
    for label, pattern in table:
        if pattern.search(text):
            return label
    return None


# "a year after the bombing", "the anniversary of the attack": an event recalled, not told.
_RECALLED = re.compile(r"\b(?:after|since|before|anniversary\s+of|memory\s+of|mourn\w*|"
                       r"remember\w*)\s+(?:the|that|this)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_KILLED = re.compile(r"\b(?:was|were)\s+killed\b|\bdeath\s+of\b|\bdied\b", re.IGNORECASE)
_LEADER_WORDS = re.compile(r"\b(?:leader|amir|emir|commander|chief|founder|spokesman|deputy|"
                           r"succeeded|in\s+charge)\b", re.IGNORECASE)


def trigger(text: str, context: str = "") -> str | None:
    """The words that made `text` an event, or None.

    `context` is the whole sentence: "but he too was killed in July 2017"
    tells a leader's death when the sentence is about who leads the group.
    """
    for _, pattern in EVENT_CUES:
        for m in pattern.finditer(text):
            if not _RECALLED.search(text, max(0, m.start() - 40), m.start()):
                return m.group()
    killed = _KILLED.search(text)
    if killed and (LEADER_KILLED.search(text) or _LEADER_WORDS.search(context or text)):
        return killed.group()
    return None


def event_type(text: str, context: str = "") -> str | None:
    """The type of event `text` tells of, or None when it tells of none."""
    label = first_label(EVENT_CUES, text)
    if label is None and trigger(text, context):
        return "leader_killed"
    if label in ("bombing", "armed_assault") and _complex(text):
        return "armed_assault"  # gunmen after a blast: a complex attack
    if label in (None, "armed_assault", "propaganda") and LEADER_KILLED.search(text):
        return "leader_killed"
    return label


def _complex(text: str) -> bool:
    bomb = dict(EVENT_CUES)["bombing"].search(text)
    gunmen = re.search(r"\bgunm[ae]n\b|\bstormed\b|\bfought\b|\bopened\s+fire\b", text,
                       re.IGNORECASE)
    return bool(bomb and gunmen)


def groups_named(text: str) -> list[str]:
    """The groups `text` names, in order of first mention, each once."""
    found = []
    for name, pattern in GROUP_PATTERNS:
        m = pattern.search(text)
        if m:
            found.append((m.start(), name))
    names = [name for _, name in sorted(found)]
    if "ISKP" in names and "Islamic State" in names:
        names.remove("Islamic State")  # the same group, named twice
    return names


def claimants(text: str) -> list[str]:
    """The groups named in the text's claims or attributions."""
    found: list[str] = []
    named = [groups_named(re.split(r"[.;]", text[m.end():m.end() + 80])[0])
             for m in _NAMED_AFTER.finditer(text)]
    # "according to Taliban officials, in an attack that Islamic State claimed": the
    # claimants are those named in the clause before the verb ("Both X and Y claimed")
    named += [groups_named(re.split(r"[.;,]", text[max(0, m.start() - 80):m.start()])[-1])
              for m in _NAMED_BEFORE.finditer(text) if not text[:m.start()].endswith("by ")]
    for names in named:
        for name in names:
            if name not in found:
                found.append(name)
    return found
