"""Scenario tests for service packages: designers' executable examples.

A scenario file (``processes/bpmn/<service>/tests/*.yaml`` or ``.json``) names the serving
authority, the day, fictitious residents, scripted answers of operations (``mocks``), the data
entered at each user task, messages and clock advances, and what must hold at the end (status,
path, data, XMeld messages, documents, register). ``docs/process-authoring.md`` (Testfälle) is the
reference for the format.

Public API:

- :func:`~engine.scenarios.loader.load_scenario` → :class:`~engine.scenarios.model.Scenario`,
  raising :class:`~engine.scenarios.loader.ScenarioInvalid` with every problem (German, with line);
- :func:`~engine.scenarios.runner.run_scenario`, :func:`~engine.scenarios.runner.run_package`
  (a package from disk or a designer draft) and :func:`~engine.scenarios.runner.run_services`
  → :class:`~engine.scenarios.runner.ScenarioResult`;
- :class:`~engine.scenarios.driver.CaseDriver`: drive one case task by task (reusable for other
  test formats);
- :mod:`engine.scenarios.report`: results as text.

Every scenario runs on its own temporary SQLite database; the real database is never touched.
"""
