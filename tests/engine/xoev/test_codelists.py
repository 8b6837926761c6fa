"""engine/xoev/codelists.py: versions come from the XSD, the copied official files, versions.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.errors import DesignError
from engine.settings import Settings
from engine.xoev.codelists import CodeListRegistry

SETTINGS = Settings()
CODELISTS = SETTINGS.message_types_dir.parent / "codelists"


@pytest.fixture(scope="module")
def registry() -> CodeListRegistry:
    return CodeListRegistry(CODELISTS, SETTINGS.xoev_schema_dir)


@pytest.mark.parametrize(("uri", "version", "source_prefix"), [
    ("urn:xoev-de:kosit:codeliste:verzeichnisdienst", "3", "urn-xoev-de-kosit-codeliste-verzeichnisdienst_3"),
    ("urn:de:xoev:codeliste:erreichbarkeit", "3", "urn-de-xoev-codeliste-erreichbarkeit_3"),
    ("urn:xoev-de:xinneres:codeliste:geschlecht", "1", "urn-xoev-de-xinneres-codeliste-geschlecht_1"),
    ("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staatsangehoerigkeit", "2024-08-01", "urn-de-bund"),
    ("urn:de:xmeld:schluesseltabelle:xmeld.nachrichten", "25.11a", "xsd:Code.XMeld.Nachrichten"),
    ("urn:de:dsmeld:schluesseltabelle:pass.und.ausweisdokumente", "5", "xsd:"),
    ("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags", "2025-01-31", "versions.toml"),
])
def test_versions_and_their_sources(registry: CodeListRegistry, uri: str, version: str, source_prefix: str) -> None:
    code_list = registry.get(uri)
    assert code_list.version == version
    assert code_list.source.startswith(source_prefix)


def test_codes_are_read_from_the_lists(registry: CodeListRegistry) -> None:
    assert dict(registry.get("urn:xoev-de:xinneres:codeliste:geschlecht").codes or {}) .keys() == {"m", "w", "x", "d"}
    pass_list = registry.get("urn:de:dsmeld:schluesseltabelle:pass.und.ausweisdokumente")
    assert pass_list.codes is not None
    assert pass_list.codes["01"] == "Deutscher Reisepass"
    assert pass_list.codes["09"] == "Personalausweis"
    assert "16" not in pass_list
    assert "any-code" in registry.get("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags")  # codes unknown


def test_copied_files_agree_with_the_xsd(registry: CodeListRegistry) -> None:
    assert registry.problems == []


def test_unknown_list_is_a_design_error_with_a_suggestion(registry: CodeListRegistry) -> None:
    with pytest.raises(DesignError) as info:
        registry.get("urn:xoev-de:xinneres:codeliste:geschlech")
    assert "Meinten Sie urn:xoev-de:xinneres:codeliste:geschlecht?" in info.value.user_message


def test_file_that_contradicts_the_xsd_is_reported(tmp_path: Path) -> None:
    source = CODELISTS / "urn-de-dsmeld-schluesseltabelle-familienstand_2.xml"
    text = source.read_text(encoding="utf-8").replace("<Version>2</Version>", "<Version>9</Version>")
    (tmp_path / "familienstand.xml").write_text(text, encoding="utf-8")
    shutil.copy(CODELISTS / "versions.toml", tmp_path / "versions.toml")
    registry = CodeListRegistry(tmp_path, SETTINGS.xoev_schema_dir)
    assert registry.get("urn:de:dsmeld:schluesseltabelle:familienstand").version == "2"
    assert any("version 9 but the XSD fixes 2" in p for p in registry.problems)


def test_list_without_any_version_is_unknown(tmp_path: Path) -> None:
    registry = CodeListRegistry(tmp_path, SETTINGS.xoev_schema_dir)  # no files, no versions.toml
    assert "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags" not in registry
    with pytest.raises(DesignError):
        registry.get("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags")
