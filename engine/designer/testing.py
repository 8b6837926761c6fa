"""Testing a package before publishing: its scenario files and its spiff-arena unit tests.

Scenarios (``tests/*.yaml|yml|json``) run through the scenario runner of
:mod:`engine.scenarios` (:func:`engine.scenarios.runner.run_package`), each on its own
temporary database with the package published there, so a draft can be tested without
being published here. spiff-arena unit tests (``tests/spiff/test_*.json``) run through
:func:`engine.designer.spiff_tests.run_unit_tests`. Neither touches the engine's database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.catalog.package import PackageFiles
from engine.designer.spiff_tests import UnitTestResult, run_unit_tests
from engine.operations.registry import OperationRegistry
from engine.scenarios.runner import ScenarioResult, run_package, scenario_files
from engine.settings import Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageTestReport:
    service_id: str
    content_hash: str
    scenarios: tuple[ScenarioResult, ...]
    unit_tests: tuple[UnitTestResult, ...]

    @property
    def passed(self) -> bool:
        """All scenarios and unit tests passed (a package without any test has not passed)."""
        return bool(self.scenarios or self.unit_tests) and all(r.passed for r in self.scenarios) and all(
            r.passed for r in self.unit_tests)

    @property
    def counts(self) -> dict[str, int]:
        ok = sum(r.passed for r in self.scenarios) + sum(r.passed for r in self.unit_tests)
        total = len(self.scenarios) + len(self.unit_tests)
        return {"passed": ok, "failed": total - ok, "total": total}

    def summary_de(self) -> str:
        c = self.counts
        if not c["total"]:
            return "Das Verfahren hat keine Testfälle."
        return f"{c['passed']} von {c['total']} Testfällen bestanden" + ("." if not c["failed"] else
                                                                          f", {c['failed']} fehlgeschlagen.")

    def as_dict(self) -> dict[str, Any]:
        return {
            "service_id": self.service_id, "content_hash": self.content_hash, "passed": self.passed,
            "summary": self.summary_de(), **self.counts,
            "scenarios": [{"name": r.name, "file": r.file, "passed": r.passed, "failures": list(r.failures),
                           "notes": list(r.notes), "path": list(r.path), "duration_ms": r.duration_ms}
                          for r in self.scenarios],
            "unit_tests": [{"file": r.file, "case": r.case, "passed": r.passed, "error": r.error,
                            "element_id": r.element_id} for r in self.unit_tests],
        }


def run_package_tests(package: PackageFiles, *, settings: Settings, registry: OperationRegistry,
                 only: Iterable[str] | None = None, today: date | None = None) -> PackageTestReport:
    """Run the package's scenarios and unit tests (``only``: these file paths)."""
    wanted = set(only) if only is not None else None
    scenarios = tuple(run_package(package, settings=settings, registry=registry,
                                  only=[f for f in scenario_files(package) if wanted is None or f in wanted]))
    units: list[UnitTestResult] = []
    for result in run_unit_tests(package, registry=registry, settings=settings, today=today):
        if wanted is None or result.file in wanted:
            units.append(result)
    return PackageTestReport(service_id=package.service_id, content_hash=package.content_hash,
                             scenarios=scenarios, unit_tests=tuple(units))
