"""Child process for the crash-safety test: completes steps until killed or done.

Usage: python crash_child.py DB_URL TARGET_STEPS
Prints "ready" once the engine is up, then one line per committed step.
"""

from __future__ import annotations

import sys
from pathlib import Path

from engine.service_layer.actors import Actor
from engine.service_layer.core import Engine
from engine.settings import PROJECT_ROOT, Settings

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


def main() -> None:
    url, target = sys.argv[1], int(sys.argv[2])
    settings = Settings(root=PROJECT_ROOT, database_url=url, var_dir=Path(url.split("///")[1]).parent,
                        processes_dir=FIXTURES / "packages", forms_dir=FIXTURES / "forms")
    engine = Engine(settings)
    actor = Actor.system("crash-test")
    cases = engine.cases.list(actor, limit=10)
    while len(cases) < 3:
        engine.cases.start("schleife", "neubukow-salzhaff", actor)
        cases = engine.cases.list(actor, limit=10)
    print("ready", flush=True)
    done = sum(c.version - 1 for c in cases)
    while done < target:
        for c in sorted(engine.cases.list(actor, limit=10), key=lambda c: c.number):
            if c.status != "active":
                continue
            h = c.version - 1
            data = {"vorname": "Crash", "familienname": "Testfall", "geburtsort": "Rerik",
                    "strasse": c.number, "hausnummer": str(h), "weitere": True}
            engine.cases.submit(c.id, c.ready_tasks[0]["task_id"], data, actor)
            done += 1
            print("step", c.number, h + 1, flush=True)
            if done >= target:
                break
    print("finished", flush=True)


if __name__ == "__main__":
    main()
