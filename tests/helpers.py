"""Test helpers shared across the suite (builders and checks; no fixtures here)."""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import WorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.runtime import state
from engine.service_layer.core import Engine


def stock_instance_json(wf: BpmnWorkflow) -> str:
    """The instance part of a workflow as SpiffWorkflow's *stock* converters write it."""
    registry = BpmnWorkflowSerializer.configure(dict(SPIFF_CONFIG))
    conv = WorkflowConverter(BpmnWorkflow, registry)
    dct = WorkflowConverter.to_dict(conv, wf)
    return json.dumps(dct, sort_keys=True, default=str)


def assert_reload_equal(engine: Engine, case_id: Any) -> None:
    """After a step: the state in the database, reloaded cold, equals the warm in-memory workflow."""
    from engine.store.models import Case

    with engine.db.read() as s:
        case = s.get(Case, case_id)
        version = case.version
        package = engine.catalog.compiled(s, case.package_version_id)
    stored = engine.cases.state_json(case_id)
    warm = engine.workflows.take(case_id, version)
    assert warm is not None, "the step did not leave its workflow in the cache"
    try:
        cold = state.loads(stored, package.spec, package.subprocess_specs)
        assert state.dumps(warm) == stored, "in-memory workflow differs from the stored state"
        assert state.dumps(cold) == stored, "reloading the stored state does not reproduce it"
        assert stock_instance_json(cold) == stock_instance_json(warm), "stock converter sees a difference"
    finally:
        engine.workflows.put(case_id, version, warm)


def run_cli(env: dict[str, str], *args: str, code: int = 0) -> str:
    """Run ``amtskoffer ARGS`` with ``env``; assert the exit code; return the output."""
    from click.testing import CliRunner

    from amtskoffer.cli import main

    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output
