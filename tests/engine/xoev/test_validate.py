"""engine/xoev/validate.py: the samples in samples/MANIFEST and the KoSIT reference messages."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from engine.errors import MessageInvalid
from engine.settings import Settings
from engine.xoev.validate import SchemaIssue, XMeldValidator
from tests.conftest import need_shared

from .conftest import KOSIT_EXAMPLES, SAMPLES


def _manifest() -> list[tuple[str, int, int | None]]:
    rows = []
    for line in (SAMPLES / "MANIFEST").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, count, first_line = line.split()
            rows.append((name, int(count), None if first_line == "-" else int(first_line)))
    return rows


def _sample(name: str) -> Path:
    if name.startswith("kosit/"):
        path = KOSIT_EXAMPLES / name.removeprefix("kosit/")
        need_shared(KOSIT_EXAMPLES)
        return path
    return SAMPLES / name


@pytest.fixture(scope="module")
def validator() -> XMeldValidator:
    return XMeldValidator.for_bundle(Settings().xoev_schema_dir)


def test_manifest_lists_every_own_sample() -> None:
    listed = {name for name, _, _ in _manifest() if not name.startswith("kosit/")}
    assert listed == {p.name for p in SAMPLES.glob("*.xml")}


@pytest.mark.parametrize(("name", "count", "first_line"), _manifest(), ids=[r[0] for r in _manifest()])
def test_sample_has_expected_issues(validator: XMeldValidator, name: str, count: int, first_line: int | None) -> None:
    xml = _sample(name).read_bytes()
    issues = list(validator.iter_errors(xml))
    assert len(issues) == count, [str(i) for i in issues]
    assert validator.is_valid(xml) is (count == 0)
    if first_line is not None:
        assert issues[0].line == first_line
        assert all(isinstance(i, SchemaIssue) and i.message for i in issues)


def test_all_seven_kosit_reference_messages_are_checked() -> None:
    need_shared(KOSIT_EXAMPLES)
    in_manifest = {n.removeprefix("kosit/") for n, _, _ in _manifest() if n.startswith("kosit/")}
    assert in_manifest == {p.name for p in KOSIT_EXAMPLES.glob("*.xml")}
    assert len(in_manifest) == 7


# Broken variants of a KoSIT message, made at test time (the reference files are not copied).
MUTATIONS = [
    ("renamed element", "<nachrichtenUUID>", "<nachrichtenUUIDx>", "</nachrichtenUUID>", "</nachrichtenUUIDx>"),
    ("bad value", "<erstellungszeitpunkt>2025", "<erstellungszeitpunkt>20xx", None, None),
    ("missing required attribute", ' listVersionID="3">', ">", None, None),
]


@pytest.mark.parametrize(("label", "old", "new", "old2", "new2"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_broken_kosit_variants_are_rejected_with_line_numbers(
    validator: XMeldValidator, label: str, old: str, new: str, old2: str | None, new2: str | None
) -> None:
    path = _sample("kosit/FachspezifischBehoerdenauskunft006a-1330.xml")
    text = path.read_text(encoding="utf-8")
    assert old in text
    broken = text.replace(old, new, 1)
    if old2:
        broken = broken.replace(old2, new2, 1)
    expected_line = text[: text.index(old)].count("\n") + 1
    issues = list(validator.iter_errors(broken.encode("utf-8")))
    assert issues, label
    assert issues[0].line == expected_line
    assert issues[0].path.startswith("/xmeld:datenabruf.personensuche.suchanfrage.1330/")


def test_validate_raises_message_invalid_with_issues_and_details(validator: XMeldValidator) -> None:
    xml = (SAMPLES / "0006-renamed-element.xml").read_bytes()
    with pytest.raises(MessageInvalid) as info:
        validator.validate(xml, message_type="fortschreibung.dokument.0006")
    err = info.value
    assert [i.line for i in err.context["issues"]] == [50]
    assert err.context["message_type"] == "fortschreibung.dokument.0006"
    assert re.search(r"XMeld-Schema 25\.11a \(1 Fehler\)\. Zeile 50 \(/xmeld:fortschreibung", err.user_message)
    # xmlschema's second opinion names the element it expected instead
    assert any("seriennumer" in d.message for d in err.context["details"])


def test_validate_accepts_a_valid_message(validator: XMeldValidator) -> None:
    validator.validate((SAMPLES / "0006-valid.xml").read_bytes())


def test_validator_is_compiled_once_per_bundle() -> None:
    bundle = Settings().xoev_schema_dir
    first = XMeldValidator.for_bundle(bundle)
    assert XMeldValidator.for_bundle(str(bundle) + "/") is first
    assert (first.namespace, first.version) == ("http://www.osci.de/xmeld2511a", "25.11a")


def test_concurrent_validation_gives_consistent_results(validator: XMeldValidator) -> None:
    valid = (SAMPLES / "0006-valid.xml").read_bytes()
    invalid = (SAMPLES / "0006-two-errors.xml").read_bytes()
    jobs = [valid, invalid] * 40
    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(lambda x: len(list(validator.iter_errors(x))), jobs))
    assert counts == [0, 2] * 40
