"""The restricted script environment: attacks are blocked with our errors, ordinary code works."""

from __future__ import annotations

import threading
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.errors import ScriptError, ScriptLimitExceeded, ScriptSecurityError
from engine.runtime import sandbox
from engine.runtime.helpers import HELPER_NAMES, HelperInputError
from engine.runtime.sandbox import (
    RESERVED_NAMES,
    SAFE_BUILTINS,
    Limits,
    RestrictedEnvironment,
    check_source,
    evaluate,
    execute,
)

# Small limits keep the suite fast; every attack must still be stopped by them.
FAST = Limits(time_s=0.3, memory_mb=64)

# (id, source, expected error class, fragment of the German message, accepted limit kinds)
ATTACKS: list[tuple[str, str, type[Exception], str, set[str] | None]] = [
    # --- compile time: imports, dunders, introspection, dynamic code ---
    ("import", "import os", ScriptSecurityError, "„import“ ist in Skripten nicht erlaubt", None),
    ("from-import", "from os import system", ScriptSecurityError, "„import“ ist in Skripten nicht erlaubt", None),
    ("dunder-import", "__import__('os')", ScriptSecurityError, "„__import__“ ist nicht erlaubt", None),
    ("subclasses", "().__class__.__base__.__subclasses__()", ScriptSecurityError, "„.__class__“", None),
    ("helper-globals", "g = today.__globals__", ScriptSecurityError, "„.__globals__“", None),
    ("helper-code", "c = age_on.__code__", ScriptSecurityError, "„.__code__“", None),
    ("getattr", "getattr(x, '__class__')", ScriptSecurityError, "„getattr“ ist in Skripten nicht erlaubt", None),
    ("str-format", "'{0.__class__}'.format(1)", ScriptSecurityError, "„.format()“", None),
    ("format-map", "'{}'.format_map({})", ScriptSecurityError, "„.format_map()“", None),
    ("fstring-dunder", "x = 1\ns = f'{x.__class__}'", ScriptSecurityError, "„.__class__“", None),
    ("open", "open('/etc/passwd')", ScriptSecurityError, "„open“ ist in Skripten nicht erlaubt", None),
    ("eval", "eval('1')", ScriptSecurityError, "„eval“ ist in Skripten nicht erlaubt", None),
    ("exec", "exec('x=1')", ScriptSecurityError, "„exec“ ist in Skripten nicht erlaubt", None),
    ("compile", "compile('1', 'f', 'eval')", ScriptSecurityError, "„compile“", None),
    ("globals", "g = globals()", ScriptSecurityError, "„globals“", None),
    ("vars", "v = vars()", ScriptSecurityError, "„vars“", None),
    ("type", "t = type(1)", ScriptSecurityError, "„type()“", None),
    ("class", "class A:\n    pass", ScriptSecurityError, "Klassen („class“)", None),
    ("gen-frame", "f = (x for x in []).gi_frame", ScriptSecurityError, "„.gi_frame“", None),
    ("list-class", "c = [].__class__", ScriptSecurityError, "„.__class__“", None),
    ("breakpoint", "breakpoint()", ScriptSecurityError, "„breakpoint“", None),
    ("help", "help()", ScriptSecurityError, "„help“", None),
    ("print", "print('x')", ScriptSecurityError, "„print“", None),
    ("setattr", "setattr(date, 'x', 1)", ScriptSecurityError, "„setattr“", None),
    ("mro", "m = int.mro()", ScriptSecurityError, "„.mro()“", None),
    ("aug-item", "d = {'k': 1}\nd['k'] += 1", ScriptSecurityError, "nur für einfache Variablen", None),
    ("percent-width", "s = '%0999999999d' % 1", ScriptSecurityError, "ist zu breit", None),
    ("percent-star", "s = '%*d' % (10**9, 1)", ScriptSecurityError, "„*“ als Breite", None),
    ("fstring-width", "s = f'{1:0999999999}'", ScriptSecurityError, "ist zu breit", None),
    ("fstring-dynamic-spec", "w = 10**9\ns = f'{1:{w}}'", ScriptSecurityError, "müssen fest sein", None),
    # --- run time guards: writes, clock ---
    ("write-helper-attr", "today.x = 1", ScriptSecurityError, "„function“ können in Skripten nicht verändert", None),
    ("write-date-attr", "d = date(2020, 1, 1)\nd.year = 3", ScriptSecurityError, "„date“ können in Skripten", None),
    ("write-type-attr", "list.append = 1", ScriptSecurityError, "„list“ können in Skripten", None),
    ("date-today", "d = date.today()", ScriptSecurityError, "Systemuhr", None),
    ("datetime-now", "d = datetime.now()", ScriptSecurityError, "Systemuhr", None),
    (
        "swallow-security-error",
        "try:\n    d = date.today()\nexcept Exception:\n    d = None",
        ScriptSecurityError,
        "Systemuhr",
        None,
    ),
    # --- time ---
    ("while-true", "while True:\n    pass", ScriptLimitExceeded, "Zeitlimit", {"time"}),
    ("iter-sentinel", "for i in iter(int, 1):\n    pass", ScriptLimitExceeded, "Zeitlimit", {"time"}),
    ("in-iter-sentinel", "found = 1 in iter(int, 2)", ScriptLimitExceeded, "Zeitlimit", {"time"}),
    (
        # Without the re-raise in every except block, this script would finish normally.
        "swallow-limit",
        "x = 0\ntry:\n    while True:\n        pass\nexcept Exception:\n    x = 1",
        ScriptLimitExceeded,
        "Zeitlimit",
        {"time"},
    ),
    (
        "swallow-limit-in-loop",
        "while True:\n    try:\n        while True:\n            pass\n    except Exception:\n        pass",
        ScriptLimitExceeded,
        "Zeitlimit",
        {"time"},
    ),
    (
        "exponential-recursion-bounded",
        "def f(n):\n    return 1 if n > 60 else f(n + 1) + f(n + 1)\nf(0)",
        ScriptLimitExceeded,
        "Zeitlimit",
        {"time"},
    ),
    (
        "nested-comprehension",
        "x = [[j for j in range(10**6)] for i in range(10**6)]",
        ScriptLimitExceeded,
        "limit",
        {"time", "memory"},
    ),
    ("map-grows-list", "l = [1]\nany(map(l.append, l))", ScriptLimitExceeded, "limit", {"time", "memory"}),
    # --- recursion ---
    ("recursion", "def f(n):\n    return f(n + 1)\nf(0)", ScriptLimitExceeded, "Rekursion", {"recursion"}),
    (
        "exponential-recursion",
        "def f(n):\n    return f(n + 1) + f(n + 1)\nf(0)",
        ScriptLimitExceeded,
        "",
        {"recursion", "time"},
    ),
    ("lambda-recursion", "f = lambda n: f(n + 1) or f(n + 1)\nf(0)", ScriptLimitExceeded, "", {"recursion", "time"}),
    (
        "swallow-recursion",
        "def f():\n    try:\n        f()\n    except Exception:\n        f()\nf()",
        ScriptLimitExceeded,
        "",
        {"recursion", "time"},
    ),
    # --- memory ---
    (
        "list-grows",
        "l = []\nwhile True:\n    l.append('x' * 1000)",
        ScriptLimitExceeded,
        "limit",
        {"memory", "time"},
    ),
    (
        "comprehension-bomb",
        "x = [[0] * 1000 for i in range(10**7)]",
        ScriptLimitExceeded,
        "limit",
        {"memory", "time"},
    ),
    # --- single huge operations ---
    ("pow-tower", "x = 10**10**8", ScriptLimitExceeded, "Bits einer ganzen Zahl", {"size"}),
    ("pow-huge-exponent", "x = 2 ** (10**400)", ScriptLimitExceeded, "Bits einer ganzen Zahl", {"size"}),
    ("str-repeat", "x = 'x' * 10**10", ScriptLimitExceeded, "Länge", {"size"}),
    ("list-repeat", "x = [0] * 10**10", ScriptLimitExceeded, "Länge", {"size"}),
    ("repeat-left", "x = 10**10 * (0,)", ScriptLimitExceeded, "Länge", {"size"}),
    ("inplace-repeat", "x = [0]\nx *= 10**10", ScriptLimitExceeded, "Länge", {"size"}),
    ("shift", "x = 1 << 10**10", ScriptLimitExceeded, "Bits einer ganzen Zahl", {"size"}),
    ("ljust", "x = 'a'.ljust(10**10)", ScriptLimitExceeded, "Breite", {"size"}),
    ("unbound-center", "x = str.center('a', 10**10)", ScriptLimitExceeded, "Breite", {"size"}),
    ("zfill", "x = '1'.zfill(10**10)", ScriptLimitExceeded, "Breite", {"size"}),
    ("expandtabs", "x = ('\\t' * 1000).expandtabs(10**6)", ScriptLimitExceeded, "Textlänge", {"size"}),
    ("replace", "x = ('a' * 1000).replace('a', 'a' * 10000)", ScriptLimitExceeded, "Textlänge", {"size"}),
    ("join", "x = ','.join(['x' * 100000] * 100)", ScriptLimitExceeded, "Textlänge", {"size"}),
    ("translate", "x = ('a' * 10000).translate({97: 'b' * 10000})", ScriptLimitExceeded, "Textlänge", {"size"}),
    ("to-bytes", "x = (1).to_bytes(10**10, 'big')", ScriptLimitExceeded, "Länge", {"size"}),
    ("dynamic-percent", "f = '%0' + '999999999d'\nx = f % 1", ScriptLimitExceeded, "ist zu breit", {"size"}),
    ("repr-bomb", "s = 'x' * 100000\nt = str([s] * 1000)", ScriptLimitExceeded, "Textlänge", {"size"}),
    ("fstring-repr-bomb", "s = 'x' * 100000\nt = f'{[s] * 1000}'", ScriptLimitExceeded, "Textlänge", {"size"}),
    ("fstring-doubling", "s = 'x'\nwhile True:\n    s = f'{s}{s}'", ScriptLimitExceeded, "Textlänge", {"size"}),
    ("range-list", "x = list(range(10**12))", ScriptLimitExceeded, "range()", {"size"}),
    ("range-sum", "x = sum(range(10**12))", ScriptLimitExceeded, "range()", {"size"}),
    ("range-fromkeys", "x = dict.fromkeys(range(10**10))", ScriptLimitExceeded, "range()", {"size"}),
    ("decimal-int", "x = int(Decimal('1e999999'))", ScriptLimitExceeded, "Dezimalzahl", {"size"}),
    ("decimal-round", "x = round(Decimal('1e999999'))", ScriptLimitExceeded, "Dezimalzahl", {"size"}),
    ("decimal-fstring", "x = f\"{Decimal('1e100000000'):f}\"", ScriptLimitExceeded, "Dezimalzahl", {"size"}),
    ("decimal-percent", "x = '%d' % Decimal('1e100000000')", ScriptLimitExceeded, "Dezimalzahl", {"size"}),
    ("big-int-division", "a = 7 ** 100000\nx = a // 3", ScriptLimitExceeded, "Bits einer ganzen Zahl", {"size"}),
]


@pytest.mark.parametrize(
    ("source", "error_class", "fragment", "limits"),
    [pytest.param(*attack[1:], id=attack[0]) for attack in ATTACKS],
)
def test_attack_is_blocked(source: str, error_class: type[Exception], fragment: str, limits: set[str] | None) -> None:
    with pytest.raises(error_class) as info:
        execute(source, {"x": 1}, limits=FAST)
    err = info.value
    assert type(err) is error_class, f"{type(err).__name__}: {err}"
    assert fragment in err.user_message
    assert err.context.get("line"), "every sandbox error names the script line"
    assert err.user_message.startswith(f"Zeile {err.context['line']}: ")
    if limits is not None:
        assert err.context["limit"] in limits


def test_there_are_at_least_thirty_attacks() -> None:
    assert len({a[0] for a in ATTACKS}) == len(ATTACKS) >= 30


def test_memory_limit_is_enforced_by_memory() -> None:
    # Generous time, small memory: the only way to stop this is the memory check.
    with pytest.raises(ScriptLimitExceeded) as info:
        execute("l = []\nwhile True:\n    l.append('x' * 100000)", {}, limits=Limits(time_s=20, memory_mb=32))
    assert info.value.context["limit"] == "memory"
    assert "Speicherlimit von 32 MB" in info.value.user_message


@pytest.mark.parametrize(
    "expression",
    [
        pytest.param("().__class__", id="dunder"),
        pytest.param("open('x')", id="open"),
        pytest.param("[x for x in iter(int, 1)]", id="endless-comprehension"),
        pytest.param("10 ** 10 ** 8", id="pow"),
    ],
)
def test_conditions_are_restricted_too(expression: str) -> None:
    with pytest.raises((ScriptSecurityError, ScriptLimitExceeded)):
        evaluate(expression, {}, limits=FAST)


def test_builtins_offer_no_escape() -> None:
    escapes = {"BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit", "object", "type", "getattr"}
    assert escapes.isdisjoint(SAFE_BUILTINS)
    with pytest.raises(NameError):
        execute("raise SystemExit", {}, limits=FAST)


def test_import_hook_serves_only_the_time_modules() -> None:
    # strftime/strptime import time/_strptime through the script's builtins; nothing else passes.
    result = execute(
        "s = d.strftime('%d.%m.%Y')\nt = datetime.strptime('15.11.2026', '%d.%m.%Y')", {"d": date(2026, 1, 2)}
    )
    assert result["s"] == "02.01.2026"
    assert result["t"] == datetime(2026, 11, 15)
    with pytest.raises(ScriptSecurityError):
        SAFE_BUILTINS["__import__"]("os")


def test_task_data_may_not_shadow_a_helper() -> None:
    env = RestrictedEnvironment()
    data = {"today": "2020-01-01", "name": "Anna"}
    with pytest.raises(ScriptError) as info:
        env.execute("x = 1", data)
    assert type(info.value) is ScriptError
    assert "„today“" in info.value.user_message
    assert info.value.context["names"] == ["today"]
    assert data == {"today": "2020-01-01", "name": "Anna"}, "nothing ran, nothing changed"


def test_task_data_cannot_replace_a_guard_in_conditions() -> None:
    assert evaluate("name.upper()", {"name": "anna", "_getattr_": "not a function"}) == "ANNA"


def test_runtime_error_names_the_line() -> None:
    with pytest.raises(ScriptLimitExceeded) as info:
        execute("a = 1\nb = 2\nwhile True:\n    a = a + 1", {}, limits=FAST)
    assert info.value.context["line"] in (3, 4)
    assert info.value.user_message.startswith(f"Zeile {info.value.context['line']}: ")


def test_helper_errors_name_the_line_and_can_be_caught() -> None:
    with pytest.raises(HelperInputError) as info:
        execute("x = 1\nd = parse_date('kaputt')", {})
    assert info.value.user_message.startswith("Zeile 2: „kaputt“ ist kein gültiges Datum")
    assert execute("try:\n    d = parse_date('kaputt')\nexcept ValueError:\n    d = None", {}) == {"d": None}


def test_limits_are_per_thread() -> None:
    # A shared deadline would kill the slow-but-legal loop when the endless one hits its limit.
    results: dict[str, Any] = {}

    def endless() -> None:
        try:
            execute("while True:\n    pass", {}, limits=Limits(time_s=0.2))
        except ScriptLimitExceeded as err:
            results["endless"] = err.context["limit"]

    def legal() -> None:
        try:
            results["legal"] = execute("t = 0\nfor i in range(300000):\n    t += i", {}, limits=Limits(time_s=30))["t"]
        except ScriptLimitExceeded as err:  # pragma: no cover - the failure this test looks for
            results["legal"] = err

    threads = [threading.Thread(target=endless), threading.Thread(target=legal)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == {"endless": "time", "legal": sum(range(300000))}


def test_escaped_function_fails_outside_its_run() -> None:
    # A lambda hidden in a list survives Spiff's clean-up (the list is not callable). Outside a
    # run its guards are gone, so it fails instead of running without limits.
    data = execute("fs = [lambda: [0 for _ in iter(int, 1)]]", {})
    with pytest.raises(NameError, match="_tick_"):
        data["fs"][0]()
    # Called from a later script, it is limited by that script's budget.
    with pytest.raises(ScriptLimitExceeded):
        execute("r = fs[0]()", data, limits=FAST)


# ------------------------------------------------------------------------------------------
# Ordinary code keeps working
# ------------------------------------------------------------------------------------------

DATA: dict[str, Any] = {
    "alter": 30,
    "gebuehr": 70.0,
    "antrag": date(2026, 11, 15),
    "geburtsdatum": date(2002, 11, 15),
    "einzug": date(2026, 11, 2),
    "name": "  Müller ",
    "werte": [1, 2, 3, 4, 5],
    "personen": [{"name": "Bert", "alter": 40}, {"name": "Anna", "alter": 17}],
}

EXPRESSIONS: list[tuple[str, str, Any]] = [
    ("arithmetic", "1 + 2 * 3 - 4 / 2 + 7 // 2 + 7 % 4 + 2 ** 10", 1 + 2 * 3 - 4 / 2 + 7 // 2 + 7 % 4 + 2**10),
    ("chained-comparison", "18 <= alter < 65 and gebuehr == 70.0", True),
    ("age-on-birthday", "age_on(geburtsdatum, antrag)", 24),
    ("age-condition", "age_on('2002-11-16', antrag) < 24", True),
    ("date-plus-timedelta", "antrag + timedelta(days=14)", date(2026, 11, 29)),
    ("date-difference", "(date(2026, 12, 31) - antrag).days", 46),
    ("ternary", "'erwachsen' if alter >= 18 else 'minderjährig'", "erwachsen"),
    ("list-comprehension", "[w * 2 for w in werte if w % 2]", [2, 6, 10]),
    ("dict-comprehension", "{p['name']: p['alter'] for p in personen}", {"Bert": 40, "Anna": 17}),
    ("sorted-key-lambda", "[p['name'] for p in sorted(personen, key=lambda p: p['alter'])]", ["Anna", "Bert"]),
    ("money-decimal", "money('70') + money('22.00') * 2 - Decimal('0.5')", Decimal("113.50")),
    ("period-end", "period_end(einzug, weeks=2)", date(2026, 11, 16)),
    ("string-methods", "name.strip().upper().startswith('MÜ') and name.strip().lower() == 'müller'", True),
    (
        "isinstance-guarded-types",
        "isinstance(werte, list) and isinstance(alter, (int, float)) and isinstance(name, str)",
        True,
    ),
    (
        "builtins",
        "(len(werte), sum(werte), min(werte), max(werte, key=lambda w: -w), any(werte), all(werte))",
        (5, 15, 1, 1, True, True),
    ),
    ("zip-dict", "dict(zip(['a', 'b'], [1, 2]))", {"a": 1, "b": 2}),
    ("join-and-map", "', '.join(map(str, sorted(set(werte), reverse=True)))", "5, 4, 3, 2, 1"),
    ("str-method-as-key", "sorted(['b', 'A', 'c'], key=str.lower)", ["A", "b", "c"]),
    ("fstring-format-spec", "f'{gebuehr:>8.2f}|{alter:03d}|{antrag:%d.%m.%Y}'", "   70.00|030|15.11.2026"),
    ("percent-format", "'%s ist %d Jahre alt' % ('Anna', 17)", "Anna ist 17 Jahre alt"),
    ("repetition", "'-' * 10 + str([0] * 3)", "----------[0, 0, 0]"),
    ("helpers", "same_name(name, 'MUELLER') and format_date(parse_date('2026-01-05')) == '05.01.2026'", True),
    ("slicing", "werte[1:3] + werte[::-2]", [2, 3, 5, 3, 1]),
    ("large-but-legal", "len(list(range(200000))) + sum(range(1000))", 200000 + 499500),
]


@pytest.mark.parametrize(("expression", "expected"), [pytest.param(*e[1:], id=e[0]) for e in EXPRESSIONS])
def test_ordinary_expressions(expression: str, expected: Any) -> None:
    assert evaluate(expression, DATA) == expected


SCRIPTS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "item-updates",
        "d = {'a': 1, 'x': 0}\nd['k'] = 5\ndel d['x']\nl = [0, 1]\nl[0] = 'a'\nl.append(3)\nl.extend(werte[:2])",
        {"d": {"a": 1, "k": 5}, "l": ["a", 1, 3, 1, 2]},
    ),
    (
        "augmented-assignment",
        "n = 1\nn += 2\nn *= 3\nn -= 1\nn //= 3\nn **= 2\ns = 'a'\ns += 'b'\ns *= 2\nl = [1]\nalias = l\nl += [2]",
        {"n": 4, "s": "abab", "l": [1, 2], "alias": [1, 2]},
    ),
    (
        "fstring-strftime",
        "frist = antrag + timedelta(days=14)\ntext = f\"Bitte bis {frist.strftime('%d.%m.%Y')} melden.\"",
        {"frist": date(2026, 11, 29), "text": "Bitte bis 29.11.2026 melden."},
    ),
    (
        "enumerate-loop",
        "out = []\nfor i, w in enumerate(werte[:3], start=1):\n    out.append(f'{i}:{w}')",
        {"out": ["1:1", "2:2", "3:3"], "i": 3, "w": 3},
    ),
    (
        "while-break-continue",
        "i = 0\nfound = None\nwhile True:\n    i += 1\n    if i % 2:\n        continue\n    if i > 6:\n        found = i\n        break",
        {"i": 8, "found": 8},
    ),
    (
        "functions-are-stripped",
        "def plus(a, b=1):\n    return a + b\ny = plus(2)\nz = (lambda v: v * 2)(y)",
        {"y": 3, "z": 6},
    ),
    (
        "try-except",
        "try:\n    v = int('x')\nexcept ValueError:\n    v = -1\ntry:\n    w = parse_date('15.11.2026')\nexcept ValueError as e:\n    w = 'ungültig'",
        {"v": -1, "w": "ungültig"},
    ),
    (
        "tuple-unpacking",
        "a, (b, c) = 1, (2, 3)\nfirst, *rest = werte\npairs = [(k, v) for k, v in {'x': 1}.items()]",
        {"a": 1, "b": 2, "c": 3, "first": 1, "rest": [2, 3, 4, 5], "pairs": [("x", 1)]},
    ),
    (
        "fee-rule",
        "alter = age_on(geburtsdatum, antrag)\ngebuehr = money('70') if alter >= 24 else money('37.50')\n"
        "gueltig_bis = add_years(antrag, 10 if alter >= 24 else 6)",
        {"alter": 24, "gebuehr": Decimal("70.00"), "gueltig_bis": date(2036, 11, 15)},
    ),
    (
        "generator-function",
        "def evens(n):\n    for i in range(n):\n        if i % 2 == 0:\n            yield i\nresult = list(evens(7))",
        {"result": [0, 2, 4, 6]},
    ),
]


@pytest.mark.parametrize(("script", "expected"), [pytest.param(*s[1:], id=s[0]) for s in SCRIPTS])
def test_ordinary_scripts(script: str, expected: dict[str, Any]) -> None:
    data = dict(DATA)
    result = execute(script, data)
    assert result is data, "task data is changed in place, as Spiff does"
    for key, value in expected.items():
        assert result[key] == value, key
    leftovers = {k for k, v in result.items() if callable(v) or k.startswith("_")} | (set(result) & HELPER_NAMES)
    assert not leftovers, "helpers, guards and functions are stripped"
    assert set(result) - set(DATA) == set(expected) - set(DATA)


def test_generators_are_stripped_from_task_data() -> None:
    assert execute("g = (w for w in [1])\nn = 1", {}) == {"n": 1}


def test_dmn_style_external_context() -> None:
    env = RestrictedEnvironment()
    assert env.evaluate("dmninputexpr < 24", {"alter": 20}, {"dmninputexpr": 20}) is True
    assert env.evaluate("(alter) == (16)", {"alter": 16}) is True


def test_custom_helpers_and_limits_per_environment() -> None:
    env = RestrictedEnvironment(helpers={"double": lambda v: v * 2}, limits=Limits(time_s=0.2, memory_mb=16))
    assert env.evaluate("double(21)", {}) == 42
    with pytest.raises(NameError):
        env.evaluate("today()", {})  # only the given helpers
    with pytest.raises(ScriptLimitExceeded):
        env.execute("while True:\n    pass", {})


def test_bad_helper_names_are_refused() -> None:
    with pytest.raises(Exception, match="_secret"):
        RestrictedEnvironment(helpers={"_secret": len})


@pytest.mark.parametrize(("time_s", "memory_mb"), [(0, 64), (1, 0), (-1, 64)])
def test_limits_must_be_positive(time_s: float, memory_mb: float) -> None:
    with pytest.raises(ValueError):
        Limits(time_s=time_s, memory_mb=memory_mb)


def test_compiled_code_is_cached() -> None:
    source = "cache_probe = 41 + 1"
    assert sandbox.compile._compiled(source, "exec") is sandbox.compile._compiled(source, "exec")


def test_reserved_names_cover_helpers_builtins_and_blocked_names() -> None:
    assert {"today", "len", "list", "open", "type", "id"} <= RESERVED_NAMES
    assert HELPER_NAMES <= RESERVED_NAMES


# ------------------------------------------------------------------------------------------
# check_source: publish-time linting without running
# ------------------------------------------------------------------------------------------


def test_check_source_accepts_good_code() -> None:
    assert check_source("x = age_on(geburtsdatum, antrag)\ny = [i for i in range(3)]", "exec") == []
    assert check_source("alter >= 18 and gebuehr == 70.0", "eval") == []


def test_check_source_lists_every_problem_with_its_line() -> None:
    source = "import os\nx = 1\ny = open('f')\nclass A:\n    pass\nz = '{}'.format(x)\n"
    problems = check_source(source, "exec")
    assert [p.line for p in problems] == [1, 3, 4, 6]
    assert problems[0].user_message == "Zeile 1: „import“ ist in Skripten nicht erlaubt."
    assert all(p.message and p.user_message.startswith(f"Zeile {p.line}: ") for p in problems)


@pytest.mark.parametrize(
    ("source", "mode", "line"),
    [
        pytest.param("x = (1,\ny = 2", "exec", 1, id="unclosed"),
        pytest.param("x = 1\nreturn x", "exec", 2, id="return-outside-function"),
        pytest.param("x = 1", "eval", 1, id="statement-as-condition"),
    ],
)
def test_check_source_reports_syntax_errors(source: str, mode: str, line: int) -> None:
    (problem,) = check_source(source, mode)  # type: ignore[arg-type]
    assert problem.line == line
    assert "Syntaxfehler" in problem.user_message
    with pytest.raises(ScriptError) as info:
        execute(source, {}) if mode == "exec" else evaluate(source, {})
    assert type(info.value) is ScriptError
    assert info.value.context["line"] == line


def test_check_source_does_not_run_the_code() -> None:
    assert check_source("while True:\n    pass", "exec") == []
    assert check_source("10 ** 10 ** 8", "eval") == []


def test_check_source_refuses_oversized_source() -> None:
    (problem,) = check_source("x = 1\n" * 20000, "exec")
    assert "zu lang" in problem.user_message


def test_compile_error_carries_all_problems() -> None:
    with pytest.raises(ScriptSecurityError) as info:
        execute("import os\nimport sys", {})
    assert info.value.context["line"] == 1
    assert len(info.value.context["problems"]) == 2
    assert "(und 1 weitere)" in info.value.user_message


# ------------------------------------------------------------------------------------------
# Through a real SpiffWorkflow process
# ------------------------------------------------------------------------------------------

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="gebuehr" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="berechnen">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>SCRIPT</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="alter_pruefen" default="zu_jung">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>erwachsen</bpmn:outgoing><bpmn:outgoing>zu_jung</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="berechnen"/>
    <bpmn:sequenceFlow id="f2" sourceRef="berechnen" targetRef="alter_pruefen"/>
    <bpmn:sequenceFlow id="erwachsen" sourceRef="alter_pruefen" targetRef="ende_erwachsen">
      <bpmn:conditionExpression>CONDITION</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="zu_jung" sourceRef="alter_pruefen" targetRef="ende_jung"/>
    <bpmn:endEvent id="ende_erwachsen"><bpmn:incoming>erwachsen</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="ende_jung"><bpmn:incoming>zu_jung</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""

FEE_SCRIPT = """alter = age_on(geburtsdatum, today())
gebuehr = money('70') if alter >= 24 else money('37.50')
hinweis = f"Gebühr {gebuehr} EUR, Alter {alter}"
"""


def _workflow(script: str, condition: str, data: dict[str, Any], limits: Limits = FAST) -> BpmnWorkflow:
    from xml.sax.saxutils import escape

    parser = SpiffBpmnParser()
    xml = BPMN.replace("SCRIPT", escape(script)).replace("CONDITION", escape(condition))
    parser.add_bpmn_str(xml.encode(), filename="gebuehr.bpmn")
    wf = BpmnWorkflow(parser.get_spec("gebuehr"), {})
    wf.script_engine = PythonScriptEngine(environment=RestrictedEnvironment(limits=limits))
    wf.get_tasks(spec_name="start")[0].data.update(data)
    return wf


@pytest.mark.parametrize(
    ("birth", "end", "fee"),
    [
        pytest.param(date(2002, 11, 15), "ende_erwachsen", Decimal("70.00"), id="24th-birthday-today"),
        pytest.param(date(2002, 11, 16), "ende_jung", Decimal("37.50"), id="24th-birthday-tomorrow"),
    ],
)
def test_runs_inside_a_spiff_workflow(birth: date, end: str, fee: Decimal) -> None:
    from engine import clock

    wf = _workflow(FEE_SCRIPT, "alter >= 24 and gebuehr == money(70)", {"geburtsdatum": birth})
    with clock.using(clock.FixedClock.on(date(2026, 11, 15))):
        wf.do_engine_steps()
    assert wf.is_completed()
    other = "ende_jung" if end == "ende_erwachsen" else "ende_erwachsen"
    assert [t.state for t in wf.get_tasks(spec_name=end)] == [TaskState.COMPLETED]
    assert TaskState.COMPLETED not in [t.state for t in wf.get_tasks(spec_name=other)]
    assert wf.data["gebuehr"] == fee
    assert not set(wf.data) & HELPER_NAMES


@pytest.mark.parametrize(
    ("script", "condition", "error_class"),
    [
        pytest.param("import os", "True", ScriptSecurityError, id="script-import"),
        pytest.param("x = 1\nwhile True:\n    x = x + 1", "True", ScriptLimitExceeded, id="script-endless"),
        pytest.param("x = 1", "().__class__", ScriptSecurityError, id="condition-dunder"),
    ],
)
def test_spiff_wraps_our_errors(script: str, condition: str, error_class: type[Exception]) -> None:
    wf = _workflow(script, condition, {"geburtsdatum": date(2000, 1, 1)})
    with pytest.raises(WorkflowTaskException) as info:
        wf.do_engine_steps()
    # Spiff 3.2.0 keeps only the class name (error_type); the original is the implicit context.
    assert info.value.error_type == error_class.__name__
    assert type(info.value.__context__) is error_class
