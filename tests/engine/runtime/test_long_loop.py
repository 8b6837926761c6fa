"""Long cases stay correct: a loop of 1,000 rounds completes with all its data.

Stock SpiffWorkflow marks such a case completed at about 334 rounds (its task iterator stops at
depth 1,000); compaction keeps the live tree shallow, so the case runs on.
"""

from __future__ import annotations

import pytest

from tests.helpers import assert_reload_equal

ROUNDS = 1000


@pytest.mark.slow
def test_a_loop_of_a_thousand_rounds_completes(engine, clerk, fixed_clock) -> None:  # type: ignore[no-untyped-def]
    view = engine.cases.start("schleife", "neubukow-salzhaff", clerk)
    case_id, task = view.case.id, view.ready[0].task_id
    depths = []
    for i in range(ROUNDS):
        data = {"vorname": "Runde", "familienname": "Testfall", "hausnummer": str(i), "weitere": i < ROUNDS - 1}
        outcome = engine.cases.submit(case_id, task, data, clerk)
        if i in (0, 333, 334, 500, 998):
            assert_reload_equal(engine, case_id)
            wf = engine.workflows.take(case_id, outcome.case.version)
            depths.append(max(t.depth for t in wf.tasks.values()))
            engine.workflows.put(case_id, outcome.case.version, wf)
        if i < ROUNDS - 1:
            assert outcome.case.status == "active", f"round {i}: {outcome.case.status}"
            task = outcome.ready[0]["task_id"]
    assert outcome.case.status == "completed"
    view = engine.cases.view(case_id, clerk, log_read=False)
    assert view.data["runde"] == ROUNDS
    assert [p["hausnummer"] for p in view.data["personen"]] == [str(i) for i in range(ROUNDS)]
    assert max(depths) < 20, depths  # the live tree stays shallow
