"""The engine side of the auditor's workspace: search, case record, diagram path, chain, dossier.

Public API: :class:`engine.auditing.service.AuditorService` (``AuditorService(engine)``) with
``search``, ``case_record`` (timeline with German descriptions and before/after, steps,
messages with XML, documents, chain status), ``diagram`` (version, path, current position),
``chain``/``global_chain`` and ``dossier``/``dossier_pdf``. Every read of a case through it is
logged as ``case_read`` first. Event descriptions: :mod:`engine.auditing.describe`; search:
:mod:`engine.auditing.search`; dossier layout: :mod:`engine.auditing.dossier`.
"""
