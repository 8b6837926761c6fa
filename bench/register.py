"""Register benchmarks: demo loading, the fuzzy search, reading a person, and scenario runs.

- *demo load*: generating and bulk-inserting the demo residents of the four pilot authorities
  (what ``make run`` does on a fresh database), and the idempotent second load (nothing new);
- *search*: ``register.find_person`` queries (exact, folded, phonetic, double-name part, with
  and without birth date) against a register of ``persons_per_authority`` × 4 residents;
- *get_person*: the full record of one person;
- *scenario*: one scenario of the ``register_test`` fixture package, end to end on its own
  temporary database (copy template, authorities, residents, publish, five steps, checks).

Measures only; never asserts. SQLite file with the engine's settings (WAL, synchronous=FULL).
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from engine import clock
from engine.register.query import SearchQuery, search
from engine.register.service import RegisterService
from engine.scenarios.runner import run_services
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT, Settings

RESIDENTS = PROJECT_ROOT / "demo" / "residents.toml"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 2),
            "n": len(ordered)}


def _timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def run(*, quick: bool = False, progress: Callable[[str], None] = print) -> dict[str, Any]:
    per_authority = 300 if quick else 2500
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="amtskoffer-bench-register-") as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}", var_dir=Path(tmp) / "var")
        with clock.using(clock.FixedClock.on(date(2026, 11, 15))):
            engine = Engine(settings)
            engine.migrate()
            engine.authorities.load_file(PROJECT_ROOT / "demo" / "authorities.toml")
            register = RegisterService(engine.db, settings)
            progress("register: demo residents (default size)")
            first = register.load_demo(RESIDENTS)
            again = register.load_demo(RESIDENTS)
            results["register_demo_load"] = {
                "persons": sum(first.added.values()), "seconds": round(first.seconds, 3),
                "second_load_seconds": round(again.seconds, 3), "second_load_added": sum(again.added.values()),
            }
            progress(f"register: {per_authority} residents per authority for the search")
            big = register.load_demo(RESIDENTS, count=per_authority, seed=99)
            total = register.count()
            results["register_large_load"] = {"persons": sum(big.added.values()), "seconds": round(big.seconds, 3)}
            sample = register.search(SearchQuery(familienname="Musterhagen"))[0]
            queries = {
                "exact": SearchQuery(familienname="Mustermeier"),
                "folded": SearchQuery(familienname="Pruefmann"),
                "phonetic": SearchQuery(familienname="Testmayr"),
                "double_name_part": SearchQuery(familienname="Probenbrink", vornamen="Anna"),
                "with_birth_date": SearchQuery(familienname="Musterhagen", geburtsdatum=sample["geburtsdatum"]),
            }
            search_stats: dict[str, Any] = {"register_persons": total}
            repeat = 10 if quick else 40
            with engine.db.read() as s:
                for label, query in queries.items():
                    hits, _ = search(s, query, today=date(2026, 11, 15))
                    search_stats[label] = {**_ms(_timed(lambda q=query: search(s, q, today=date(2026, 11, 15)),
                                                        repeat)), "hits": len(hits)}
            results["register_search"] = search_stats
            some = uuid.UUID(register.search(SearchQuery(familienname="Mustermeier"))[0]["person_id"])
            results["register_get_person"] = _ms(_timed(lambda: register.person(some), repeat))
            engine.close()
        progress("register: scenario runs")
        scenario_settings = settings.with_(processes_dir=FIXTURES / "packages", forms_dir=FIXTURES / "forms")
        durations = [r.duration_ms for _ in range(2 if quick else 5)
                     for r in run_services(["register_test"], settings=scenario_settings)]
        results["scenario_run"] = {"first_ms": durations[0], "p50_ms": statistics.median(durations[1:] or durations),
                                   "n": len(durations)}
    return results


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(run(), indent=2))
