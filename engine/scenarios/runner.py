"""Running scenarios: each on a fresh temporary database, with the clock pinned to ``today``.

For every scenario: copy a migrated SQLite template into a temporary folder, load the demo
authorities, enter the scenario's residents into the register (kept by ``gefuehrt_von`` or the
Meldebehörde of their main dwelling), publish the package (from disk or the designer's
:class:`~engine.catalog.package.PackageFiles`), start a case at ``authority`` with
``start_data``, run the steps through the service layer with the scenario's ``mocks``, then
check ``expect``. The result lists every failure as a German sentence; the scenario never
touches the real database.

Messages and documents are read from the case's ``outbox_message`` and ``document`` rows. If
``message.send`` / ``document.render`` is not registered (or is mocked by the scenario), those
expectations are skipped with a note instead of failing.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from engine import clock
from engine.audit.log import case_events
from engine.catalog.compiled import PackageCache
from engine.catalog.package import PackageFiles, discover, read_from_disk
from engine.errors import AmtskofferError, DesignError, InputInvalid
from engine.operations import default_registry
from engine.operations.registry import OperationRegistry
from engine.register.query import SearchQuery, get_visible, person_record, search
from engine.register.service import RegisterService
from engine.register.validation import as_date
from engine.scenarios import checks
from engine.scenarios.driver import CaseDriver
from engine.scenarios.loader import REF, ScenarioInvalid, load_scenario
from engine.scenarios.model import AdvanceStep, ExpectedError, MessageStep, Scenario, TaskStep
from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT, Settings
from engine.store import migrate
from engine.store.db import connect
from engine.store.models import Authority

SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")
AUTHORITIES_FILE = PROJECT_ROOT / "demo" / "authorities.toml"
_STOPPED = "Weitere Schritte und die Erwartungen wurden nicht geprüft."


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioResult:
    name: str
    file: str
    passed: bool
    failures: tuple[str, ...]
    path: tuple[str, ...]
    duration_ms: float
    notes: tuple[str, ...] = ()
    """Checks that were skipped and why (e.g. an operation that does not exist yet)."""
    service_id: str = ""
    rule_refs: tuple[str, ...] = ()


# -- the migrated template database (once per process) -------------------------------------------
_template_lock = threading.Lock()
_template: Path | None = None


def _template_db() -> Path:
    global _template
    with _template_lock:
        if _template is None or not _template.exists():
            folder = Path(tempfile.mkdtemp(prefix="amtskoffer-scenarios-"))
            atexit.register(shutil.rmtree, folder, True)
            path = folder / "template.db"
            db = connect(f"sqlite:///{path}")
            try:
                migrate.upgrade(db)
            finally:
                db.dispose()
            _template = path
        return _template


# -- ${ref} substitution ---------------------------------------------------------------------------
def substitute(value: Any, refs: Mapping[str, str]) -> Any:
    """Replace ``${name}`` in every string of ``value`` (a whole-string reference keeps the id text)."""
    if isinstance(value, str):
        whole = REF.fullmatch(value)
        if whole and whole.group(1) in refs:
            return refs[whole.group(1)]
        return REF.sub(lambda m: refs.get(m.group(1), m.group(0)), value)
    if isinstance(value, Mapping):
        return {substitute(k, refs): substitute(v, refs) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [substitute(v, refs) for v in value]
    return value


def _describe(err: AmtskofferError) -> str:
    text = err.user_message
    if isinstance(err, InputInvalid) and err.errors:
        details = "; ".join(f"{path or '(Formular)'}: {' '.join(msgs)}" for path, msgs in err.errors.items())
        text = f"{text} ({details})"
    return text


def _error_matches(expected: ExpectedError, err: AmtskofferError) -> bool:
    fields = err.errors if isinstance(err, InputInvalid) else {}
    if expected.field is not None:
        hits = {p: m for p, m in fields.items() if p == expected.field or p.startswith(expected.field + "/")}
        if not hits:
            return False
        texts = [m for msgs in hits.values() for m in msgs] + [err.user_message]
    else:
        texts = [m for msgs in fields.values() for m in msgs] + [err.user_message, str(err)]
    wanted = (expected.contains or "").casefold()
    return not wanted or any(wanted in t.casefold() for t in texts)


def _expected_text(expected: ExpectedError) -> str:
    parts = []
    if expected.field:
        parts.append(f"bei „{expected.field}“")
    if expected.contains:
        parts.append(f"mit „{expected.contains}“")
    return " ".join(parts)


class ScriptedMocks(dict[str, Any]):
    """Scenario mocks: a list of answers gives the next one on each call, across all steps.

    (``OperationContext`` counts list answers per step only; a scenario's list spans the case.)
    """

    def __init__(self, answers: Mapping[str, Any]) -> None:
        super().__init__(answers)
        self.calls: dict[str, int] = {}

    def __getitem__(self, op_id: str) -> Any:
        answer = super().__getitem__(op_id)
        if not isinstance(answer, list):
            return answer
        n = self.calls.get(op_id, 0)
        if n >= len(answer):
            raise DesignError(f"mock for {op_id} has {len(answer)} answers, call {n + 1} needs another",
                              user_message=f"Für „{op_id}“ sind nur {len(answer)} Testantworten hinterlegt, "
                                           f"der {n + 1}. Aufruf braucht eine weitere.")
        self.calls[op_id] = n + 1
        return answer[n]


class _Run:
    """One scenario on one temporary database."""

    def __init__(self, scenario: Scenario, package: PackageFiles, engine: Engine, fixed: clock.FixedClock) -> None:
        self.s = scenario
        self.package = package
        self.engine = engine
        self.driver = CaseDriver(engine, Actor(name="szenario", roles=frozenset({"clerk"}), authority_ids=None,
                                               display_name="Testfall"), fixed)
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.refs: dict[str, str] = {}
        self.person_ids: dict[str, uuid.UUID] = {}

    # -- preparation ------------------------------------------------------------------------
    def prepare(self) -> bool:
        self.engine.authorities.load_file(AUTHORITIES_FILE)
        register = RegisterService(self.engine.db, self.engine.settings)
        for resident in self.s.register:
            try:
                # Earlier residents may be named, e.g. as gesetzliche_vertreter: ["${mutter}"].
                data = substitute(resident.data, self.refs)
                pid = register.add_person(data, authority=self.s.authority, actor="szenario")
            except AmtskofferError as err:
                where = f" (Zeile {resident.line})" if resident.line else ""
                self.failures.append(f"Einwohner „{resident.ref}“{where}: {_describe(err)}")
                continue
            self.person_ids[resident.ref] = pid
            self.refs[resident.ref] = str(pid)
            record = register.person(pid)
            for kind in ("dokumente", "wohnungen"):
                ids = [x["dokument_id" if kind == "dokumente" else "wohnung_id"] for x in record[kind]]
                # In the order the scenario listed them (the record is sorted differently).
                listed = list(resident.data.get(kind) or [])
                ordered = self._in_listed_order(kind, listed, record[kind]) or ids
                for i, item_id in enumerate(ordered):
                    self.refs[f"{resident.ref}.{kind}[{i}]"] = item_id
        unknown = [op for op in self.s.mocks if op not in self.engine.registry]
        for op in unknown:
            self.failures.append(f"Testantwort („mocks“) für die unbekannte Operation „{op}“.")
        try:
            self.engine.catalog.publish(self.package, Actor.system("szenario"), "Testfall")
        except AmtskofferError as err:
            problems = err.context.get("problems") or []
            detail = "; ".join(f"{p.location()}: {p.user_message}" for p in problems[:5]) or _describe(err)
            self.failures.append(f"Das Verfahren „{self.package.service_id}“ lässt sich nicht veröffentlichen: "
                                 f"{detail}")
        return not self.failures

    @staticmethod
    def _in_listed_order(kind: str, listed: list[Any], stored: list[dict[str, Any]]) -> list[str]:
        if kind == "dokumente":
            by_serial = {d["seriennummer"]: d["dokument_id"] for d in stored}
            keys = ["".join(str(x.get("seriennummer", "")).split()).upper() for x in listed if isinstance(x, Mapping)]
            return [by_serial[k] for k in keys if k in by_serial] if len(keys) == len(stored) else []
        by_start = {}
        for w in stored:
            by_start.setdefault((w["strasse"], w["eingezogen_am"].isoformat()), w["wohnung_id"])
        out = []
        for x in listed:
            if isinstance(x, Mapping):
                day = x.get("eingezogen_am")
                key = (str(x.get("strasse")), day.isoformat() if hasattr(day, "isoformat") else str(day))
                if key in by_start:
                    out.append(by_start[key])
        return out if len(out) == len(stored) else []

    # -- steps ------------------------------------------------------------------------------
    def run_steps(self) -> bool:
        start_data = substitute(self.s.start_data, self.refs)
        try:
            self.driver.start(self.package.service_id, self.s.authority, start_data)
        except AmtskofferError as err:
            self.failures.append(f"Start des Vorgangs: {_describe(err)}")
            return False
        self.refs["vorgang.nummer"] = self.driver.number
        self.refs["vorgang.id"] = str(self.driver.case_id)
        if not self._check_instructions("Start"):
            return False
        for n, step in enumerate(self.s.steps, start=1):
            if not self._step(n, step) or not self._check_instructions(self._label(n, step)):
                self.notes.append(_STOPPED)
                return False
        return True

    def _label(self, n: int, step: TaskStep | MessageStep | AdvanceStep) -> str:
        line = f", Zeile {step.line}" if step.line else ""
        if isinstance(step, TaskStep):
            return f"Schritt {n} (Aufgabe „{step.task}“{line})"
        if isinstance(step, MessageStep):
            return f"Schritt {n} (Nachricht „{step.message}“{line})"
        return f"Schritt {n} (Zeit +{step.advance.text}{line})"

    def _step(self, n: int, step: TaskStep | MessageStep | AdvanceStep) -> bool:
        label = self._label(n, step)
        try:
            if isinstance(step, TaskStep):
                return self._task(label, step)
            if isinstance(step, MessageStep):
                self.driver.deliver(step.message, substitute(step.payload, self.refs))
            else:
                self.driver.advance(step.advance)
        except AmtskofferError as err:
            self.failures.append(f"{label}: {_describe(err)}")
            return False
        return True

    def _task(self, label: str, step: TaskStep) -> bool:
        data = substitute(step.data, self.refs)
        if step.expect_error is None:
            self.driver.submit(step.task, data)
            return True
        before = self.driver.version()
        try:
            self.driver.submit(step.task, data)
        except AmtskofferError as err:
            if not _error_matches(step.expect_error, err):
                self.failures.append(f"{label}: erwartet war ein Fehler {_expected_text(step.expect_error)}, "
                                     f"gemeldet wurde: {_describe(err)}")
                return False
            if self.driver.version() != before:
                self.failures.append(f"{label}: trotz des Fehlers wurde der Vorgang verändert.")
                return False
            return True
        self.failures.append(f"{label}: der erwartete Fehler {_expected_text(step.expect_error)} trat nicht auf; "
                             "der Schritt wurde gespeichert.")
        return False

    # -- expectations -------------------------------------------------------------------------
    def check(self) -> tuple[str, ...]:
        exp = self.s.expect
        view = self.driver.view()
        path = tuple(view.path)
        if exp.status is not None:
            self.failures += checks.check_status(exp.status, view.case.status, [t.spec for t in view.ready])
        self.failures += checks.check_path(exp.path_includes, exp.path_excludes, path)
        if exp.data is not None:
            self.failures += checks.check_data(substitute(exp.data, self.refs), view.data)
        if exp.messages is not None and self._available("message.send", "Nachrichten"):
            with self.engine.db.read() as s:
                # Rows name the reader by DVDV identifier; scenarios name configured authorities by key.
                keys = {a.dvdv_kennung: a.key for a in s.execute(select(Authority)).scalars() if a.dvdv_kennung}
            rows = [{"type": m.message_type, "reader": keys.get(m.reader, m.reader), "reader_dvdv": m.reader,
                     "reader_name": m.reader_name}
                    for m in self.driver.outbox() if checks.XMELD_TYPE.fullmatch(m.message_type)]
            self.failures += checks.check_messages(substitute(list(exp.messages), self.refs), rows)
        if exp.documents is not None and self._available("document.render", "Dokumente"):
            docs = [{"art": d.kind, "titel": d.title, "dateiname": d.filename} for d in self.driver.documents()]
            self.failures += checks.check_documents(substitute(list(exp.documents), self.refs), docs)
        for i, entry in enumerate(exp.register, start=1):
            self.failures += self._register_check(i, substitute(dict(entry), self.refs))
        if exp.audit:
            with self.engine.db.read() as s:
                types = [e.type for e in case_events(s, self.driver.case_id)]
            self.failures += checks.check_audit(list(exp.audit), types)
        return path

    def _check_instructions(self, label: str) -> bool:
        """Every ready task's instructions render (a template error would only show up for clerks)."""
        broken = [(t.name, t.instructions_error) for t in self.driver.view().ready if t.instructions_error]
        for name, error in broken:
            self.failures.append(f"{label}: die Anweisungen von „{name}“ lassen sich nicht anzeigen: {error}")
        return not broken

    def _available(self, op: str, what: str) -> bool:
        if op not in self.engine.registry:
            self.notes.append(f"Erwartete {what} nicht geprüft: die Operation {op} gibt es noch nicht.")
            return False
        if op in self.s.mocks:
            self.notes.append(f"Erwartete {what} nicht geprüft: {op} ist in „mocks“ durch Testantworten ersetzt.")
            return False
        return True

    def _register_check(self, i: int, entry: Mapping[str, Any]) -> list[str]:
        today = clock.today()
        with self.engine.db.read() as s:
            if "ref" in entry:
                label = f"Register „{entry['ref']}“"
                pid = self.person_ids.get(str(entry["ref"]))
                person = get_visible(s, pid, sandbox=True) if pid is not None else None
                if person is None:
                    return [f"{label}: die Person ist nicht (mehr) im Melderegister."]
            else:
                query = dict(entry["suche"]) if isinstance(entry["suche"], Mapping) else {}
                label = f"Register (Suche {checks.show(query)})"
                try:
                    hits, _ = search(s, SearchQuery(
                        familienname=str(query.get("familienname", "")), vornamen=query.get("vornamen"),
                        geburtsdatum=as_date(query.get("geburtsdatum"))), today=today, sandbox=True)
                except (TypeError, ValueError):
                    hits = []
                exact = [h for h in hits if h["treffer_art"] in ("exakt", "gefaltet")]
                if len(exact) != 1:
                    return [f"{label}: erwartet genau eine Person, gefunden {len(exact)}."]
                person = get_visible(s, uuid.UUID(exact[0]["person_id"]), sandbox=True)
                assert person is not None
            record = person_record(s, person, today=today)
        return _register_failures(label, entry, record)


def _register_failures(label: str, entry: Mapping[str, Any], record: Mapping[str, Any]) -> list[str]:
    actual = {
        "gefuehrt_von": record["gefuehrt_von"],
        "dokumente": len(record["dokumente"]),
        "dokumente_gueltig": sum(1 for d in record["dokumente"] if d["status"] == "gueltig"),
        "wohnungen_aktiv": sum(1 for w in record["wohnungen"] if w["aktiv"]),
        "hauptwohnung": record["hauptwohnung"],
        "auskunftssperre": bool(record["auskunftssperren"]),
        "uebermittlungssperren": record["uebermittlungssperren"],
        "person": record,
    }
    failures = []
    for key, want in entry.items():
        if key in ("ref", "suche"):
            continue
        if not checks.same(want, actual[key]):
            failures.append(f"{label}: „{key}“ erwartet {checks.show(want)}, tatsächlich {checks.show(actual[key])}.")
    return failures


def run_scenario(scenario: Scenario, package: PackageFiles, *, settings: Settings,
                 registry: OperationRegistry | None = None, packages: PackageCache | None = None) -> ScenarioResult:
    """Run one scenario against ``package`` on a fresh temporary database."""
    started = time.perf_counter()
    fixed = clock.FixedClock.on(scenario.today)
    path: tuple[str, ...] = ()
    with tempfile.TemporaryDirectory(prefix="amtskoffer-scenario-") as tmp:
        db_file = Path(tmp) / "scenario.db"
        shutil.copyfile(_template_db(), db_file)
        run_settings = settings.with_(database_url=f"sqlite:///{db_file}", var_dir=Path(tmp) / "var")
        with clock.using(fixed):
            engine = Engine(run_settings, registry=registry or default_registry())
            if packages is not None:
                engine.packages = packages
            run = _Run(scenario, package, engine, fixed)
            try:
                # Mocks may name residents: resolve them once the residents exist.
                if run.prepare():
                    engine.mocks = ScriptedMocks(substitute(scenario.mocks, run.refs))
                    if run.run_steps():
                        path = run.check()
                    elif run.driver.case_id is not None:
                        path = tuple(run.driver.view().path)
            except AmtskofferError as err:
                run.failures.append(f"Abbruch: {_describe(err)}")
            finally:
                engine.close()
    return ScenarioResult(name=scenario.name, file=scenario.file, passed=not run.failures,
                          failures=tuple(run.failures), path=path,
                          duration_ms=round((time.perf_counter() - started) * 1000, 1), notes=tuple(run.notes),
                          service_id=package.service_id, rule_refs=scenario.rule_refs)


def scenario_files(package: PackageFiles) -> list[str]:
    """Paths of the scenario files in a package (``tests/*.yaml|yml|json``), sorted."""
    return sorted(p for p in package.files if p.startswith("tests/") and p.endswith(SCENARIO_SUFFIXES)
                  and p.count("/") == 1)


def run_package(package: PackageFiles, *, settings: Settings, registry: OperationRegistry | None = None,
                only: Iterable[str] | None = None) -> list[ScenarioResult]:
    """Run every scenario of a package (disk or designer draft); ``only`` limits to these file paths."""
    wanted = set(only) if only is not None else None
    cache = PackageCache(size=4)
    results = []
    for file in scenario_files(package):
        if wanted is not None and file not in wanted:
            continue
        label = f"{package.service_id}/{file}"
        try:
            scenario = load_scenario(package.files[file], label)
        except ScenarioInvalid as err:
            results.append(ScenarioResult(name=file, file=label, passed=False, failures=tuple(err.problems), path=(),
                                          duration_ms=0.0, service_id=package.service_id))
            continue
        results.append(run_scenario(scenario, package, settings=settings, registry=registry, packages=cache))
    return results


def run_services(service_ids: Iterable[str] | None, *, settings: Settings,
                 registry: OperationRegistry | None = None) -> list[ScenarioResult]:
    """Run the scenarios of the named services on disk (all services if None)."""
    ids = list(service_ids) if service_ids is not None else discover(settings)
    results = []
    for sid in ids:
        results.extend(run_package(read_from_disk(sid, settings), settings=settings, registry=registry))
    return results

