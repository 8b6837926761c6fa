"""The engine side of the designer's workspace: drafts, validation, tests, sandbox, versions.

Public API (import from the modules; this package imports nothing so that loading its
``models`` for migrations stays cheap):

- :class:`engine.designer.service.DesignerService` (``DesignerService(engine)``): the facade the
  web pages and the CLI use: ``.drafts``, ``.sandbox``, version files and diffs, zip and
  spiff-arena import/export, tests of a draft.
- :mod:`engine.designer.drafts`: :class:`DraftService` (create, save with validation and
  optimistic locking, publish with change note and diff), :class:`DraftView`, :class:`PublishResult`.
- :mod:`engine.designer.validation`: catalog check + bpmnlint as one :class:`Validation` with
  markers per diagram element; :mod:`engine.designer.bpmnlint` runs ``frontend/bin/lint-bpmn.mjs``.
- :mod:`engine.designer.diff`: :func:`diff_packages` (element-level diff of two versions).
- :mod:`engine.designer.archive`: zip export/import; :mod:`engine.designer.spiff_arena`:
  spiff-arena model folders; :mod:`engine.designer.spiff_tests`: their ``test_*.json`` runner.
- :mod:`engine.designer.testing`: scenarios (via :mod:`engine.scenarios`) + unit tests of a package.
- :mod:`engine.designer.sandbox`: :class:`SandboxService`, one seeded SQLite database per draft.

Published versions stay in ``package_version`` (owned by the catalog); drafts live in
``package_draft`` (:mod:`engine.designer.models`). Nothing here runs a real case.
"""
