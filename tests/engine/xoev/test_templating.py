"""engine/xoev/templating.py: the shared XML helpers and the finalize guard."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from engine.errors import DesignError
from engine.settings import Settings
from engine.xoev.codelists import CodeListRegistry
from engine.xoev.templating import build_environment, hausnummer, teilbekanntes_datum, xsd_datetime

SETTINGS = Settings()
REGISTRY = CodeListRegistry.load(SETTINGS.message_types_dir.parent / "codelists", SETTINGS.xoev_schema_dir)
ENV = build_environment(SETTINGS.message_types_dir, REGISTRY, SETTINGS.xoev_schema_dir)


def render(source: str, **context: object) -> str:
    return ENV.from_string(source).render(**context)


@pytest.mark.parametrize(("value", "xml"), [
    ("1984-08-12", "<g><teilbekanntesDatum><jahrMonatTag>1984-08-12</jahrMonatTag></teilbekanntesDatum></g>"),
    ("1984-08", "<g><teilbekanntesDatum><jahrMonat>1984-08</jahrMonat></teilbekanntesDatum></g>"),
    ("1984", "<g><teilbekanntesDatum><jahr>1984</jahr></teilbekanntesDatum></g>"),
    (None, "<g><unbekannt>true</unbekannt></g>"),
])
def test_partially_known_dates(value: str | None, xml: str) -> None:
    assert str(teilbekanntes_datum("g", value)) == xml


@pytest.mark.parametrize(("value", "xml"), [
    ("12", "<hausnummer>12</hausnummer>"),
    ("12a", "<hausnummer>12</hausnummer><hausnummerBuchstabeZusatzziffer>a</hausnummerBuchstabeZusatzziffer>"),
    ("7 b", "<hausnummer>7</hausnummer><hausnummerBuchstabeZusatzziffer>b</hausnummerBuchstabeZusatzziffer>"),
    (None, ""),
])
def test_house_numbers_are_split(value: str | None, xml: str) -> None:
    assert str(hausnummer(value)) == xml


def test_time_stamps_have_milliseconds_and_a_zone() -> None:
    assert xsd_datetime("2025-11-03T09:41:07+01:00") == "2025-11-03T09:41:07.000+01:00"
    with pytest.raises(DesignError):
        xsd_datetime("2025-11-03T09:41:07")


def test_code_writes_list_uri_and_version_from_the_registry() -> None:
    out = render('{{ code("geschlecht", "urn:xoev-de:xinneres:codeliste:geschlecht", "x") }}')
    assert out == ('<geschlecht listURI="urn:xoev-de:xinneres:codeliste:geschlecht" listVersionID="1">'
                   "<code>x</code></geschlecht>")
    with pytest.raises(DesignError, match="not in"):
        render('{{ code("geschlecht", "urn:xoev-de:xinneres:codeliste:geschlecht", "q") }}')


def test_output_is_escaped_for_xml() -> None:
    assert render("<a>{{ v }}</a>", v='<b> & "c" \'d\'') == "<a>&lt;b&gt; &amp; &#34;c&#34; &#39;d&#39;</a>"


@pytest.mark.parametrize(("source", "context", "error"), [
    ("{{ v }}", {"v": None}, DesignError),
    ("{{ v }}", {"v": "Ǆ"}, DesignError),
    ('{{ allgemeiner_name("n", v) }}', {"v": "\x07"}, DesignError),
    ("{{ missing }}", {}, UndefinedError),
])
def test_guard_stops_unchecked_values(source: str, context: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        render(source, **context)


def test_sandbox_blocks_python_internals() -> None:
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        render("{{ v.__class__.__mro__ }}", v="x")


@pytest.mark.parametrize(("source", "context", "out"), [
    ("{{ d.name }}", {"d": {"name": "Ada"}}, "Ada"),
    ("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"a": "1", "b": "2"}}, "a=1;b=2;"),
    ('{{ d["items"] }}', {"d": {"items": "Liste"}}, "Liste"),  # a key named like a dict method
    ("{{ d.get('x', 'fehlt') }}", {"d": {}}, "fehlt"),
    ('{% macro m(x) %}[{{ x }}|{{ caller() }}]{% endmacro %}{% call m("a") %}b{% endcall %}', {}, "[a|b]"),
    ("{% for p in l %}{{ loop.index }}{{ allgemeiner_name('n', p) }}{% endfor %}", {"l": ["A"]},
     "1<n><name>A</name></n>"),
])
def test_shortcuts_give_the_sandbox_results(source: str, context: dict[str, object], out: str) -> None:
    assert render(source, **context) == out


def test_shortcuts_keep_the_sandbox_checks() -> None:
    from jinja2.exceptions import SecurityError

    with pytest.raises(UndefinedError):
        render("{{ d.fehlt }}", d={"da": "x"})
    with pytest.raises(DesignError):  # d.items is the method, not the key: printing it is refused
        render("{{ d.items }}", d={"items": "x"})
    with pytest.raises(SecurityError):
        render("{{ d.pop.__self__ }}", d={"a": "b"})
