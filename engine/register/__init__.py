"""The resident register (Melderegister): persons, dwellings, identity documents, blocks.

Contract:

- Procedures use the register only through the ``register.*`` operations
  (:mod:`engine.register.register_ops`); every change is written in the step's transaction and
  emits one audit event with the values before and after.
- The register is kept per Meldebehörde (``gefuehrt_von``), searched across all authorities of
  the installation (:mod:`engine.register.query`; fuzzy names via :mod:`engine.register.names`
  and the Kölner Phonetik in :mod:`engine.register.phonetics`).
- Input is validated by :mod:`engine.register.validation` (DIN SPEC 91379 names, official code
  lists from :mod:`engine.register.codes`) with German messages keyed by field path.
- Outside of cases (command line, demo data, scenario residents) use
  :class:`engine.register.service.RegisterService`; :mod:`engine.register.demo` generates the
  obviously fictitious demo residents.

Others may import: ``register_ops`` (registered automatically), ``service.RegisterService``,
``query.SearchQuery``, ``names.match``/``phonetics.koelner_phonetik`` (pure), ``models`` (tables).
"""
