"""DIN SPEC 91379 character sets, read from the official datatype schema.

The allowed characters are not retyped here: they come from the ``xs:pattern`` of the
``datatypeA`` … ``datatypeE`` simple types in ``din91379/din-norm-91379-datatypes.xsd`` of the
XMeld bundle, so a newer bundle brings its own character set. Input is normalised to NFC
first: a decomposed "A" + U+0308 becomes "Ä", which the standard lists.

Data types (DIN SPEC 91379): A = names of natural persons, B = names of legal persons and
places (A plus digits and punctuation), C = other strings, D/E = with Greek/Cyrillic.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from lxml import etree

from engine.settings import Settings

XSD_NS = "http://www.w3.org/2001/XMLSchema"
DATATYPE_FILE = Path("din91379") / "din-norm-91379-datatypes.xsd"
DATATYPES = ("A", "B", "C", "D", "E")


def _datatype_xsd(bundle: Path | None = None) -> Path:
    return (bundle or Settings().xoev_schema_dir) / DATATYPE_FILE


@lru_cache(maxsize=8)
def _patterns(xsd_path: str) -> dict[str, re.Pattern[str]]:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    tree = etree.parse(xsd_path, parser)
    patterns: dict[str, re.Pattern[str]] = {}
    for kind in DATATYPES:
        values = tree.xpath(
            f"//xs:simpleType[@name='datatype{kind}']//xs:pattern/@value", namespaces={"xs": XSD_NS}
        )
        if not values:
            raise ValueError(f"{xsd_path}: no pattern for datatype{kind}")
        # XSD patterns are implicitly anchored; the constructs used (classes, groups, '|', '*')
        # mean the same in Python's re.
        patterns[kind] = re.compile(values[0])
    return patterns


def normalize(text: str) -> str:
    """NFC-normalise ``text`` (the form in which DIN SPEC 91379 lists its characters)."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=64)
def _pattern(datatype: str, bundle: Path | None) -> re.Pattern[str]:
    # Cached by the bundle path itself: joining and printing paths cost more than the match.
    return _patterns(str(_datatype_xsd(bundle)))[datatype]


def is_valid(text: str, datatype: str = "A", *, bundle: Path | None = None) -> bool:
    """True if the NFC form of ``text`` consists only of characters of ``datatype``."""
    return _pattern(datatype, bundle).fullmatch(normalize(text)) is not None


def invalid_characters(text: str, datatype: str = "A", *, bundle: Path | None = None) -> list[str]:
    """The characters (after NFC) that make ``text`` invalid for ``datatype``, in order, unique.

    Combining marks are reported together with their base letter, since validity depends on
    the pair (``"Q̈"`` is not in the set although ``"Q"`` and U+0308 alone could be).
    """
    pattern = _patterns(str(_datatype_xsd(bundle)))[datatype]
    text = normalize(text)
    bad: list[str] = []
    clusters: list[str] = []
    for ch in text:
        if clusters and unicodedata.combining(ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    for cluster in clusters:
        if pattern.fullmatch(cluster) is None and cluster not in bad:
            bad.append(cluster)
    return bad
