"""The document kinds are data (processes/register/dokumentarten.toml) and agree with DSMeld."""

from __future__ import annotations

from engine.register.codes import document_kinds
from engine.settings import Settings
from engine.xoev.codelists import CodeListRegistry

PASSART_LIST = "urn:de:dsmeld:schluesseltabelle:pass.und.ausweisdokumente"


def test_every_kind_carries_an_official_passart_and_a_statute() -> None:
    settings = Settings()
    official = CodeListRegistry.load(settings.message_types_dir.parent / "codelists", settings.xoev_schema_dir)
    codes = dict(official.get(PASSART_LIST).codes or {})
    kinds = document_kinds()
    assert len(kinds) >= 4
    for kind in kinds.values():
        assert kind.passart in codes, (kind.key, kind.passart)
        assert kind.legal_basis.startswith("§ ") and kind.max_validity_months > 0
    assert len({k.passart for k in kinds.values()}) == len(kinds)  # one kind per official key


def test_demo_shares_are_probabilities_with_distinct_serial_prefixes() -> None:
    demos = [k.demo for k in document_kinds().values() if k.demo is not None]
    assert demos
    assert all(0 <= d.minors <= d.adults <= 1 and d.min_age >= 0 for d in demos)
    assert len({d.serial_prefix for d in demos}) == len(demos)
