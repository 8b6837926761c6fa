"""Insight for designers: where procedures stall, per diagram element, and overview charts.

Public API: :class:`engine.insight.service.InsightService` (``InsightService(engine)``:
``version``/``elements`` → :class:`VersionInsight` with one :class:`ElementStat` per element,
``overview`` → :class:`engine.insight.overview.Overview`). The numbers are defined in the
docstrings of the pure modules :mod:`engine.insight.elements` and :mod:`engine.insight.overview`;
:mod:`engine.insight.graph` reads the diagram structure both (and the auditor's path view) need.
Reads cases and steps only, never workflow states; sandbox cases never count.
"""
