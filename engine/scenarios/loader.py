"""Reading scenario files (YAML or JSON) with German errors that name the line.

:func:`load_scenario` checks the whole structure before anything runs and reports *every*
problem at once as :class:`ScenarioInvalid` (a :class:`~engine.errors.DesignError`): unknown
keys (with a "Meinten Sie …?"), missing or mistyped entries, a step that is neither a task, a
message nor an advance, an unknown ``${ref}``, a malformed duration. Whether tasks, messages
and operations exist is decided when the scenario runs against its package.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import yaml

from engine.errors import DesignError
from engine.forms.dates import Period
from engine.scenarios.model import (
    AdvanceStep,
    Duration,
    Expectations,
    ExpectedError,
    MessageStep,
    Resident,
    Scenario,
    Step,
    TaskStep,
)

TOP_KEYS = ("name", "rule_refs", "authority", "today", "register", "mocks", "start_data", "steps", "expect")
EXPECT_KEYS = ("status", "path_includes", "path_excludes", "data", "messages", "documents", "register", "audit")
STATUSES = ("active", "waiting", "completed")
REGISTER_CHECKS = ("ref", "suche", "gefuehrt_von", "dokumente", "dokumente_gueltig", "wohnungen_aktiv",
                   "hauptwohnung", "auskunftssperre", "uebermittlungssperren", "person")
REF = re.compile(r"\$\{([^}]*)\}")
REF_FORM = re.compile(r"(?P<ref>[A-Za-z_][A-Za-z0-9_]*)(?:\.(?P<what>dokumente|wohnungen)\[(?P<index>\d+)\])?")
_DURATION = re.compile(
    r"P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?"
)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SPECIAL_REFS = ("vorgang.nummer", "vorgang.id")


class ScenarioInvalid(DesignError):
    """A scenario file is malformed; ``problems`` lists every German message (with line)."""

    user_message = "Die Testfall-Datei ist fehlerhaft."

    def __init__(self, log_message: str, *, problems: Sequence[str], file: str) -> None:
        shown = "; ".join(problems[:3]) + (f" (und {len(problems) - 3} weitere)" if len(problems) > 3 else "")
        super().__init__(log_message, user_message=f"Die Testfall-Datei {file} ist fehlerhaft: {shown}",
                         file=file)
        self.problems = list(problems)


def _line_index(text: str) -> dict[tuple[Any, ...], int]:
    """Path (keys and list indexes) → 1-based line, from the YAML node tree (JSON is YAML too)."""
    lines: dict[tuple[Any, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, key.value)
                lines[sub] = key.start_mark.line + 1
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def parse_duration(text: str) -> Duration | None:
    """``P15D``, ``P1M``, ``PT2H``, ``P1DT12H`` … as a :class:`Duration`; None if malformed."""
    m = _DURATION.fullmatch(text.strip()) if isinstance(text, str) else None
    if m is None:
        return None
    years, months, weeks, days, hours, minutes, seconds = (int(g or 0) for g in m.groups())
    return Duration(text=text.strip(), period=Period(years, months, weeks * 7 + days),
                    clock=timedelta(hours=hours, minutes=minutes, seconds=seconds))


class _Reader:
    def __init__(self, file: str, lines: dict[tuple[Any, ...], int]) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[str] = []

    def line(self, path: tuple[Any, ...]) -> int | None:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def add(self, path: tuple[Any, ...], message: str) -> None:
        where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")
        line = self.line(path)
        prefix = f"Zeile {line}" if line else "Datei"
        prefix += f" ({where})" if where else ""
        self.problems.append(f"{prefix}: {message}")

    def unknown(self, data: Mapping[str, Any], allowed: Sequence[str], path: tuple[Any, ...]) -> None:
        for key in data:
            if key not in allowed:
                near = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" Meinten Sie „{near[0]}“?" if near else f" Erlaubt: {', '.join(allowed)}."
                self.add((*path, key), f"Unbekannter Eintrag „{key}“.{hint}")

    def mapping(self, value: Any, path: tuple[Any, ...], what: str) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(path, f"{what} muss ein Objekt (Schlüssel: Wert) sein.")
            return {}
        return value

    def sequence(self, value: Any, path: tuple[Any, ...], what: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, f"{what} muss eine Liste sein.")
            return []
        return value

    def text(self, value: Any, path: tuple[Any, ...], what: str, *, required: bool = True) -> str | None:
        if value is None or value == "":
            if required:
                self.add(path, f"{what} fehlt.")
            return None
        if not isinstance(value, str):
            self.add(path, f"{what} muss ein Text sein (in Anführungszeichen, wenn er wie eine Zahl aussieht).")
            return None
        return value


def _as_day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _refs_in(value: Any, path: tuple[Any, ...]) -> list[tuple[str, tuple[Any, ...]]]:
    found: list[tuple[str, tuple[Any, ...]]] = []
    if isinstance(value, str):
        found.extend((m.group(1), path) for m in REF.finditer(value))
    elif isinstance(value, Mapping):
        for k, v in value.items():
            found.extend(_refs_in(k, path))
            found.extend(_refs_in(v, (*path, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found.extend(_refs_in(v, (*path, i)))
    return found


def _residents(r: _Reader, value: Any) -> tuple[Resident, ...]:
    residents = []
    seen: set[str] = set()
    for i, item in enumerate(r.sequence(value, ("register",), "„register“")):
        path = ("register", i)
        data = r.mapping(item, path, "Ein Einwohner")
        ref = r.text(data.get("ref"), (*path, "ref"), "Der Verweisname „ref“")
        if ref is not None and not _IDENT.fullmatch(ref):
            r.add((*path, "ref"), f"„{ref}“ ist als Verweisname ungeeignet (Buchstaben, Ziffern, Unterstrich).")
        elif ref is not None and ref in seen:
            r.add((*path, "ref"), f"Der Verweisname „{ref}“ ist doppelt vergeben.")
        for key, label in (("familienname", "Der Familienname"), ("vornamen", "Die Vornamen")):
            r.text(data.get(key), (*path, key), label)
        if data and _as_day(data.get("geburtsdatum")) is None:
            r.add((*path, "geburtsdatum"), "Das Geburtsdatum fehlt oder ist kein Datum (JJJJ-MM-TT).")
        if ref:
            seen.add(ref)
            residents.append(Resident(ref=ref, data={k: v for k, v in data.items() if k != "ref"},
                                      line=r.line(path)))
    return tuple(residents)


def _steps(r: _Reader, value: Any) -> tuple[Step, ...]:
    steps: list[Step] = []
    items = r.sequence(value, ("steps",), "„steps“")
    if value is None or (isinstance(value, list) and not value):
        r.add(("steps",), "Es ist kein Schritt angegeben („steps“).")
    for i, item in enumerate(items):
        path = ("steps", i)
        data = r.mapping(item, path, "Ein Schritt")
        kinds = [k for k in ("task", "message", "advance") if k in data]
        if len(kinds) != 1:
            r.add(path, "Ein Schritt braucht genau einen der Einträge „task“, „message“ oder „advance“"
                        + (f" (angegeben: {', '.join(kinds)})." if kinds else "."))
            if not kinds:
                r.unknown(data, ("task", "data", "expect_error", "message", "payload", "advance"), path)
            continue
        kind = kinds[0]
        line = r.line(path)
        if kind == "task":
            r.unknown(data, ("task", "data", "expect_error"), path)
            task = r.text(data.get("task"), (*path, "task"), "Die BPMN-Kennung der Aufgabe")
            form = r.mapping(data.get("data"), (*path, "data"), "„data“")
            expected = None
            if "expect_error" in data:
                err = r.mapping(data.get("expect_error"), (*path, "expect_error"), "„expect_error“")
                r.unknown(err, ("field", "contains"), (*path, "expect_error"))
                field_name = r.text(err.get("field"), (*path, "expect_error", "field"), "„field“", required=False)
                contains = r.text(err.get("contains"), (*path, "expect_error", "contains"), "„contains“",
                                  required=False)
                if not field_name and not contains:
                    r.add((*path, "expect_error"), "„expect_error“ braucht „field“ und/oder „contains“.")
                expected = ExpectedError(field=field_name, contains=contains)
            if task:
                steps.append(TaskStep(task=task, data=dict(form), expect_error=expected, line=line))
        elif kind == "message":
            r.unknown(data, ("message", "payload"), path)
            name = r.text(data.get("message"), (*path, "message"), "Der Nachrichtenname")
            payload = r.mapping(data.get("payload"), (*path, "payload"), "„payload“")
            if name:
                steps.append(MessageStep(message=name, payload=dict(payload), line=line))
        else:
            r.unknown(data, ("advance",), path)
            text = data.get("advance")
            duration = parse_duration(text) if isinstance(text, str) else None
            if duration is None:
                r.add((*path, "advance"), f"„{text}“ ist keine Dauer nach ISO 8601 (z. B. P15D, P1M, PT2H).")
            else:
                steps.append(AdvanceStep(advance=duration, line=line))
    return tuple(steps)


def _expect(r: _Reader, value: Any) -> Expectations:
    data = r.mapping(value, ("expect",), "„expect“")
    r.unknown(data, EXPECT_KEYS, ("expect",))
    status = data.get("status")
    if status is not None and status not in STATUSES:
        r.add(("expect", "status"), f"„{status}“ ist kein Status; erlaubt: {', '.join(STATUSES)}.")

    def names(key: str) -> tuple[str, ...]:
        items = r.sequence(data.get(key), ("expect", key), f"„{key}“")
        for i, item in enumerate(items):
            if not isinstance(item, str):
                r.add(("expect", key, i), "Erwartet wird die BPMN-Kennung eines Elements (Text).")
        return tuple(str(x) for x in items)

    def listed(key: str, allowed: Sequence[str]) -> tuple[Mapping[str, Any], ...] | None:
        if key not in data:
            return None
        items = r.sequence(data.get(key), ("expect", key), f"„{key}“")
        out = []
        for i, item in enumerate(items):
            entry = r.mapping(item, ("expect", key, i), "Ein Eintrag")
            r.unknown(entry, allowed, ("expect", key, i))
            out.append(dict(entry))
        return tuple(out)

    register = listed("register", REGISTER_CHECKS) or ()
    for i, entry in enumerate(register):
        if ("ref" in entry) == ("suche" in entry):
            r.add(("expect", "register", i), "Ein Registereintrag braucht genau einen der Einträge „ref“ "
                                             "(Einwohner aus „register“) oder „suche“ (Familienname …).")
    expected_data = data.get("data")
    if expected_data is not None:
        expected_data = r.mapping(expected_data, ("expect", "data"), "„data“")
    return Expectations(
        status=status if status in STATUSES else None,
        path_includes=names("path_includes"),
        path_excludes=names("path_excludes"),
        data=dict(expected_data) if expected_data is not None else None,
        messages=listed("messages", ("type", "reader", "reader_name")),
        documents=listed("documents", ("art", "titel", "dateiname")),
        register=register,
        audit=_event_types(r, data.get("audit")),
    )


def _event_types(r: _Reader, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = r.sequence(value, ("expect", "audit"), "„audit“")
    for i, item in enumerate(items):
        if not isinstance(item, str) or not re.fullmatch(r"[a-z]+(_[a-z]+)+", item):
            r.add(("expect", "audit", i), "Erwartet wird der Typ eines Protokolleintrags, z. B. "
                                          "„register_auskunft_blocked“.")
    return tuple(str(x) for x in items)


def _check_ref(r: _Reader, ref: str, path: tuple[Any, ...], refs: Sequence[str], special: Sequence[str]) -> None:
    m = REF_FORM.fullmatch(ref)
    if ref in special or (m is not None and m.group("ref") in refs):
        return
    near = difflib.get_close_matches(ref, [*refs, *special], n=1)
    hint = f" Meinten Sie „${{{near[0]}}}“?" if near else ""
    r.add(path, f"„${{{ref}}}“ verweist auf keinen Einwohner aus „register“.{hint}")


def _check_refs(r: _Reader, raw: Mapping[str, Any], residents: Sequence[Resident]) -> None:
    refs = [res.ref for res in residents]
    for key in ("start_data", "mocks", "steps", "expect"):
        for ref, path in _refs_in(raw.get(key), (key,)):
            _check_ref(r, ref, path, refs, SPECIAL_REFS)
    items = raw.get("register") if isinstance(raw.get("register"), list) else []
    for i, item in enumerate(items):
        # A resident may name residents listed before it (the case does not exist yet).
        earlier = [str(x.get("ref")) for x in items[:i] if isinstance(x, Mapping) and x.get("ref")]
        for ref, path in _refs_in(item, ("register", i)):
            _check_ref(r, ref, path, earlier, ())


def parse(text: str, file: str) -> Any:
    """The raw data of a YAML or JSON scenario file; ScenarioInvalid on a syntax error."""
    try:
        if file.endswith(".json"):
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as err:
        raise ScenarioInvalid(f"{file}: JSON syntax: {err}", file=file,
                              problems=[f"Zeile {err.lineno}: kein gültiges JSON ({err.msg})."]) from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f"Zeile {mark.line + 1}" if mark is not None else "Datei"
        problem = getattr(err, "problem", None) or str(err)
        raise ScenarioInvalid(f"{file}: YAML syntax: {err}", file=file,
                              problems=[f"{line}: kein gültiges YAML ({problem})."]) from err


def load_scenario(text: str, file: str) -> Scenario:
    """Parse and check one scenario file (``file`` is its name for messages: ``tests/fall1.yaml``)."""
    raw = parse(text, file)
    r = _Reader(file, _line_index(text))
    if not isinstance(raw, Mapping):
        raise ScenarioInvalid(f"{file}: not a mapping", file=file,
                              problems=["Datei: Ein Testfall ist ein Objekt mit „name“, „authority“, „today“, "
                                        "„steps“ …"])
    r.unknown(raw, TOP_KEYS, ())
    name = r.text(raw.get("name"), ("name",), "Der Name des Testfalls („name“)")
    authority = r.text(raw.get("authority"), ("authority",), "Die bedienende Behörde („authority“)")
    today = _as_day(raw.get("today"))
    if today is None:
        r.add(("today",), "„today“ fehlt oder ist kein Datum (JJJJ-MM-TT).")
    rule_refs = r.sequence(raw.get("rule_refs"), ("rule_refs",), "„rule_refs“")
    residents = _residents(r, raw.get("register"))
    mocks = r.mapping(raw.get("mocks"), ("mocks",), "„mocks“")
    start_data = r.mapping(raw.get("start_data"), ("start_data",), "„start_data“")
    steps = _steps(r, raw.get("steps"))
    expect = _expect(r, raw.get("expect"))
    _check_refs(r, raw, residents)
    if r.problems:
        raise ScenarioInvalid(f"{file}: {len(r.problems)} problems", problems=r.problems, file=file)
    assert name and authority and today
    return Scenario(name=name, file=file, authority=authority, today=today, steps=steps,
                    rule_refs=tuple(str(x) for x in rule_refs), register=residents, mocks=dict(mocks),
                    start_data=dict(start_data), expect=expect)
