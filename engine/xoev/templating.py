"""The Jinja environment in which message templates render, with the shared XML helpers.

Contract: templates render only the payload of a message, from data that has already
passed the type's input schema (so names are NFC and inside DIN SPEC 91379, codes are in
their lists, dates are well-formed). What every template needs is provided here, once:

- autoescaping for XML (``&``, ``<``, ``>``, ``"`` and ``'`` are escaped in every ``{{ }}``),
  ``StrictUndefined`` (a missing key fails), a :class:`SandboxedEnvironment` (templates
  cannot reach Python internals);
- a ``finalize`` guard: every value printed with ``{{ }}`` must be a string or number
  inside DIN SPEC 91379 datatype C – the widest type XMeld uses – and never ``None``;
  a value that slipped past the input schema stops rendering with :class:`DesignError`;
- globals that write whole XÖV structures: ``code(element, list_uri, value)``,
  ``allgemeiner_name(element, value)``, ``teilbekanntes_datum(element, value)``,
  ``datum_mit_unbekannt(element, value)``, ``hausnummer(value)``;
- filters ``xsd_date`` (``YYYY-MM-DD``) and ``xsd_datetime`` (milliseconds and zone).

Element names passed to the globals are written as given (``"xmeld:passart"`` for a
qualified XMeld element, ``"geschlecht"`` for an unqualified one); the prefix ``xmeld``
is bound on the message root by the engine.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from jinja2 import FileSystemLoader, StrictUndefined, Undefined
from jinja2.runtime import Context, Macro
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from engine import din91379
from engine.errors import DesignError
from engine.xoev.codelists import CodeListRegistry

_ELEMENT_NAME = re.compile(r"^(?:xmeld:)?[A-Za-z_][A-Za-z0-9._-]*$")
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_HAUSNUMMER = re.compile(r"^\s*(\d{1,4})\s*([^\d\s].{0,3})?\s*$")


@functools.lru_cache(maxsize=1024)
def _element(name: str) -> str:
    # Cached: templates use a few dozen element names, each checked once per process.
    if not _ELEMENT_NAME.match(name):
        raise DesignError(f"template uses invalid element name {name!r}",
                          user_message=f"Die Vorlage verwendet einen ungültigen Elementnamen: {name}")
    return name


def _wrap(name: str, inner: Markup | str, attributes: str = "") -> Markup:
    tag = _element(name)
    # One Markup per element: concatenating Markup objects escapes and allocates at every "+".
    body = inner if isinstance(inner, Markup) else escape(inner)
    return Markup(f"<{tag}{attributes}>{body}</{tag}>")


def xsd_date(value: date | str) -> str:
    """``xs:date`` without time zone (XInneres ``Tagesdatum``)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(str(value)).isoformat()


def xsd_datetime(value: datetime | str) -> str:
    """``xs:dateTime`` with milliseconds and time zone, as XÖV asks for time stamps."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DesignError(f"time stamp {value!r} has no time zone",
                          user_message="Ein Zeitpunkt in der Nachricht hat keine Zeitzone.")
    return moment.isoformat(timespec="milliseconds")


def _partial_date_choice(value: str) -> Markup:
    match = _PARTIAL_DATE.match(str(value))
    if match is None:
        raise DesignError(f"{value!r} is not a (partially known) date",
                          user_message=f"{value} ist kein gültiges (teilbekanntes) Datum.")
    year, month, day = match.groups()
    if day:
        return _wrap("jahrMonatTag", xsd_date(value))
    if month:
        return _wrap("jahrMonat", f"{year}-{month}")
    return _wrap("jahr", year)


def teilbekanntes_datum(element: str, value: str | None, *, unbekannt_erlaubt: bool = True) -> Markup:
    """XInneres ``TeilbekanntesDatumMitUnbekannt`` (or ``TeilbekanntesDatum`` with
    ``unbekannt_erlaubt=False``): ``"1985-04-12"``, ``"1985-04"``, ``"1985"`` or None (unknown)."""
    if value in (None, ""):
        if not unbekannt_erlaubt:
            raise DesignError(f"{element}: a date is required here",
                              user_message=f"Für {element} ist ein Datum erforderlich.")
        return _wrap(element, _wrap("unbekannt", "true"))
    inner = _partial_date_choice(str(value))
    return _wrap(element, _wrap("teilbekanntesDatum", inner) if unbekannt_erlaubt else inner)


def datum_mit_unbekannt(element: str, value: str | None) -> Markup:
    """XInneres ``TagesdatumMitUnbekannt``: a full date, or None for "unknown"."""
    if value in (None, ""):
        return _wrap(element, _wrap("unbekannt", "true"))
    return _wrap(element, _wrap("datum", xsd_date(str(value))))


def allgemeiner_name(element: str, value: str | None) -> Markup:
    """XInneres ``AllgemeinerName``: the name, or ``nichtVorhanden`` if it rightly does not exist."""
    if value in (None, ""):
        return _wrap(element, _wrap("nichtVorhanden", "true"))
    return _wrap(element, _wrap("name", str(value)))


def hausnummer(value: str | None) -> Markup:
    """``hausnummer`` (digits) and ``hausnummerBuchstabeZusatzziffer`` from ``"12"``/``"12a"``/None."""
    if value in (None, ""):
        return Markup("")
    match = _HAUSNUMMER.match(str(value))
    if match is None:
        raise DesignError(f"house number {value!r} cannot be split into number and suffix",
                          user_message=f"Die Hausnummer {value} hat kein zulässiges Format.")
    number, suffix = match.groups()
    out = _wrap("hausnummer", number)
    if suffix:
        out += _wrap("hausnummerBuchstabeZusatzziffer", suffix.strip())
    return out


class _Helpers:
    """Globals that need the code list registry and the bundle (bound per environment)."""

    def __init__(self, registry: CodeListRegistry, bundle: Path) -> None:
        self.registry = registry
        self.bundle = bundle
        # Element names, codes and list URIs repeat in every message; checking each string
        # once keeps the guard below from dominating the rendering time.
        self._valid_c = functools.lru_cache(maxsize=8192)(
            lambda text: din91379.is_valid(text, "C", bundle=bundle)
        )
        # The registry is immutable, so a code element, once written, is the same every time.
        self._code_cached = functools.lru_cache(maxsize=4096)(self._code)

    def checked(self, value: str | None) -> str | None:
        """Text handed to a helper passes the same DIN SPEC 91379 guard as ``{{ }}`` output."""
        return None if value is None else str(self.finalize(str(value)))

    def allgemeiner_name(self, element: str, value: str | None) -> Markup:
        return allgemeiner_name(element, self.checked(value))

    def teilbekanntes_datum(self, element: str, value: str | None, *, unbekannt_erlaubt: bool = True) -> Markup:
        return teilbekanntes_datum(element, self.checked(value), unbekannt_erlaubt=unbekannt_erlaubt)

    def datum_mit_unbekannt(self, element: str, value: str | None) -> Markup:
        return datum_mit_unbekannt(element, self.checked(value))

    def hausnummer(self, value: str | None) -> Markup:
        return hausnummer(self.checked(value))

    def code(self, element: str, list_uri: str, value: str) -> Markup:
        if type(value) is str and type(element) is str and type(list_uri) is str:
            return self._code_cached(element, list_uri, value)
        return self._code(element, list_uri, value)

    def _code(self, element: str, list_uri: str, value: str) -> Markup:
        code_list = self.registry.get(list_uri)
        if value not in code_list:
            raise DesignError(f"code {value!r} is not in {list_uri} version {code_list.version}",
                              user_message=f"Der Schlüssel {value} ist in der Codeliste {list_uri} "
                              f"(Version {code_list.version}) nicht enthalten.")
        attributes = f' listURI="{escape(list_uri)}" listVersionID="{escape(code_list.version)}"'
        return _wrap(element, _wrap("code", str(self.checked(value))), attributes)

    def finalize(self, value: Any) -> Any:
        if type(value) is str:  # the common case first: every printed data value
            if value and not self._valid_c(value):
                self._refuse(value)
            return value
        if isinstance(value, Markup | Undefined):
            return value  # Markup: built by a helper from checked parts; Undefined raises when printed
        if value is None:
            raise DesignError("template prints None (use {% if %} for optional data)",
                              user_message="Die Nachrichtenvorlage gibt einen leeren Wert (None) aus.")
        if isinstance(value, bool):
            return "true" if value else "false"  # xs:boolean, not Python's "True"
        if isinstance(value, int | float):
            return value
        if not isinstance(value, str):
            raise DesignError(f"template prints a {type(value).__name__}; only text and numbers are allowed",
                              user_message="Die Nachrichtenvorlage gibt einen Wert ohne Textform aus.")
        if value and not self._valid_c(value):
            self._refuse(value)
        return value

    def _refuse(self, value: str) -> NoReturn:
        bad = "".join(din91379.invalid_characters(value, "C", bundle=self.bundle))
        raise DesignError(
            f"template prints text with characters outside DIN SPEC 91379 datatype C: {bad!r}",
            user_message="Die Nachrichtenvorlage gibt ungeprüften Text mit unzulässigen Zeichen aus "
            f"({bad}); das Eingabeschema muss dieses Feld prüfen.",
        )


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _MessageEnvironment(SandboxedEnvironment):
    """The sandbox, with a shortcut for the plain dicts that message data consists of.

    ``p.familienname`` on a dict makes the sandbox try ``getattr`` first, which raises and
    catches an ``AttributeError`` for every lookup – the largest single cost of rendering.
    For a plain ``dict`` and a name that is not a dict attribute, the item is what the sandbox
    would return anyway, so it is looked up directly; everything else takes the sandbox's path.
    """

    trusted: frozenset[int] = frozenset()
    """``id()`` of the engine's own helper functions (the globals below, which keep them alive);
    by identity, because arbitrary callables need not be hashable."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # Same result as the sandbox's path (safety check, then Context.call), without the
        # per-call inspection for the two kinds of callables templates use all the time: the
        # engine's helpers (plain functions) and macros (which take the eval context first).
        if id(__obj) in __self.trusted:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            return __obj(*args, **kwargs)
        if type(__obj) is Macro:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            return __obj(__context.eval_ctx, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def build_environment(template_dir: Path, registry: CodeListRegistry, bundle: Path) -> SandboxedEnvironment:
    """One environment per message-types folder; templates may import shared ``_*.xml.j2`` macros."""
    helpers = _Helpers(registry, bundle)
    env = _MessageEnvironment(
        loader=FileSystemLoader(str(template_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=helpers.finalize,
        auto_reload=False,
    )
    functions = {
        "code": helpers.code,
        "allgemeiner_name": helpers.allgemeiner_name,
        "teilbekanntes_datum": helpers.teilbekanntes_datum,
        "datum_mit_unbekannt": helpers.datum_mit_unbekannt,
        "hausnummer": helpers.hausnummer,
    }
    env.globals.update(functions)
    env.trusted = frozenset(id(f) for f in functions.values())
    env.filters.update(xsd_date=xsd_date, xsd_datetime=xsd_datetime)
    return env


TEMPLATE_GLOBALS = ("code", "allgemeiner_name", "teilbekanntes_datum", "datum_mit_unbekannt", "hausnummer")
TEMPLATE_FILTERS = ("xsd_date", "xsd_datetime")
