"""engine/xoev/catalog.py: bundle integrity, catalog rules, offline resolution, defused parsing."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest
from lxml import etree

from engine.errors import DesignError, MessageInvalid
from engine.settings import Settings
from engine.xoev.catalog import OfflineResolutionError, XmlCatalog, load_catalog, parse_untrusted
from engine.xoev.validate import ENTRY_SCHEMA, XMeldValidator

BUNDLE = Settings().xoev_schema_dir
CODELISTS = Settings().message_types_dir.parent / "codelists"
XS = "http://www.w3.org/2001/XMLSchema"


def _sums(folder: Path) -> dict[str, str]:
    sums = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip()] = digest
    return sums


@pytest.mark.parametrize("folder", [BUNDLE, CODELISTS], ids=["xsd-bundle", "codelists"])
def test_sha256sums_hold_for_every_listed_file(folder: Path) -> None:
    sums = _sums(folder)
    assert sums, "SHA256SUMS is empty"
    wrong = {name: digest for name, digest in sums.items()
             if hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest}
    assert not wrong, f"files differ from their published bytes: {sorted(wrong)}"


@pytest.mark.parametrize(("folder", "pattern"), [(BUNDLE, "*.xsd"), (CODELISTS, "*.xml")])
def test_every_official_file_is_listed(folder: Path, pattern: str) -> None:
    listed = set(_sums(folder))
    present = {p.relative_to(folder).as_posix() for p in folder.rglob(pattern)}
    assert present == listed


def test_catalog_maps_every_import_of_the_bundle_to_a_bundle_file() -> None:
    catalog = load_catalog(BUNDLE)
    locations = set()
    for xsd in BUNDLE.rglob("*.xsd"):
        locations |= {str(v) for v in etree.parse(str(xsd)).xpath("//xs:import/@schemaLocation",
                                                                    namespaces={"xs": XS})}
    assert len(locations) == 16
    for url in sorted(locations):
        path = catalog.resolve_file(url)
        assert path is not None, url
        assert path.resolve().is_relative_to(BUNDLE.resolve())


def _catalog(tmp_path: Path, body: str) -> XmlCatalog:
    (tmp_path / "catalog.xml").write_text(
        '<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">' + body + "</catalog>", encoding="utf-8"
    )
    return XmlCatalog(tmp_path / "catalog.xml")


def test_catalog_rules_exact_rewrite_suffix_and_xml_base(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, """
        <system systemId="http://a.example/x.xsd" uri="local/x.xsd"/>
        <rewriteSystem systemIdStartString="http://b.example/" rewritePrefix="b/"/>
        <rewriteSystem systemIdStartString="http://b.example/deep/" rewritePrefix="deep/"/>
        <group xml:base="sub/"><uri name="urn:n" uri="n.xsd"/></group>
        <uriSuffix uriSuffix="/tail.xsd" uri="t.xsd"/>
        <public publicId="-//X//Y" uri="ignored.dtd"/>""")
    base = tmp_path.resolve().as_uri()
    assert catalog.resolve("http://a.example/x.xsd") == f"{base}/local/x.xsd"
    assert catalog.resolve("http://b.example/deep/q.xsd") == f"{base}/deep/q.xsd"  # longest prefix wins
    assert catalog.resolve("http://b.example/q.xsd") == f"{base}/b/q.xsd"
    assert catalog.resolve("urn:n") == f"{base}/sub/n.xsd"
    assert catalog.resolve("http://c.example/any/tail.xsd") == f"{base}/t.xsd"
    assert catalog.resolve("http://unknown.example/z.xsd") is None


def test_catalog_refuses_next_catalog(tmp_path: Path) -> None:
    with pytest.raises(DesignError, match="nextCatalog"):
        _catalog(tmp_path, '<nextCatalog catalog="http://evil.example/catalog.xml"/>')


def test_catalog_target_must_be_an_existing_local_file(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, '<system systemId="http://a.example/x.xsd" uri="missing.xsd"/>')
    with pytest.raises(OfflineResolutionError, match="not a local file"):
        catalog.resolve_file("http://a.example/x.xsd")


def _mini_bundle(tmp_path: Path, import_location: str, catalog_body: str = "") -> Path:
    bundle = tmp_path / "bundle"
    (bundle / ENTRY_SCHEMA.parent).mkdir(parents=True)
    (bundle / "catalog.xml").write_text(
        f'<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">{catalog_body}</catalog>', encoding="utf-8")
    (bundle / ENTRY_SCHEMA).write_text(textwrap.dedent(f"""\
        <xs:schema xmlns:xs="{XS}" targetNamespace="urn:test" version="1">
          <xs:import namespace="urn:other" schemaLocation="{import_location}"/>
          <xs:element name="root" type="xs:string"/>
        </xs:schema>"""), encoding="utf-8")
    return bundle


def test_unmapped_network_import_is_refused_without_touching_the_network(
    tmp_path: Path, no_network: list[str]
) -> None:
    bundle = _mini_bundle(tmp_path, "http://schemas.example.org/other.xsd")
    with pytest.raises(OfflineResolutionError, match=r"refusing network access: http://schemas\.example\.org/other\.xsd"):
        XMeldValidator(bundle)
    assert no_network == []


def test_mapped_import_is_loaded_from_the_bundle(tmp_path: Path) -> None:
    bundle = _mini_bundle(tmp_path, "http://schemas.example.org/other.xsd",
                          '<system systemId="http://schemas.example.org/other.xsd" uri="other.xsd"/>')
    (bundle / "other.xsd").write_text(
        f'<xs:schema xmlns:xs="{XS}" targetNamespace="urn:other"><xs:element name="o"/></xs:schema>',
        encoding="utf-8")
    validator = XMeldValidator(bundle)
    assert validator.is_valid(b'<root xmlns="urn:test">x</root>')


def test_local_schema_outside_the_bundle_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.xsd").write_text(
        f'<xs:schema xmlns:xs="{XS}" targetNamespace="urn:other"/>', encoding="utf-8")
    bundle = _mini_bundle(tmp_path, "../../outside.xsd")
    with pytest.raises(OfflineResolutionError, match="outside the schema bundle"):
        XMeldValidator(bundle)


def test_untrusted_xml_with_entities_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("geheim", encoding="utf-8")
    xxe = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>'.encode()
    laughs = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
              b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>')
    for doc in (xxe, laughs):
        with pytest.raises(MessageInvalid) as info:
            parse_untrusted(doc)
        assert "DOCTYPE" in info.value.user_message


def test_untrusted_xml_not_well_formed_reports_the_line() -> None:
    with pytest.raises(MessageInvalid) as info:
        parse_untrusted(b"<a>\n<b>\n</a>")
    assert info.value.context["line"] == 3
