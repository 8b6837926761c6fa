"""Compile time: find forbidden constructs and explain them in German (``ScriptProblem``).

Runs on the parsed tree before RestrictedPython; also home of ``BLOCKED_NAMES`` and of the
format-spec checks that the ``%`` guard repeats at run time.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from engine.runtime.sandbox.limits import MAX_FORMAT_WIDTH


@dataclass(frozen=True, slots=True)
class ScriptProblem:
    """One reason why a script, condition or DMN cell does not compile."""

    line: int | None
    message: str
    """English, for logs."""
    user_message: str
    """German, for the designer; starts with "Zeile n:" when the line is known."""


# Never available, whatever they are used for: introspection, I/O, dynamic code, output.
_FORBIDDEN_NAMES = frozenset(
    {
        "eval", "exec", "compile", "open", "globals", "locals", "vars", "getattr", "setattr",
        "delattr", "hasattr", "breakpoint", "help", "print", "printed", "dir", "exit", "quit",
        "memoryview", "bytearray", "super", "classmethod", "staticmethod", "issubclass",
        "license", "credits", "copyright",
    }
)  # fmt: skip
# Not available either, but plausible names of form fields ("type", "id", "format" …): only
# calling them is rejected, a task variable with such a name can still be read.
_FORBIDDEN_CALLS = frozenset({"type", "id", "hash", "object", "bytes", "input", "format", "property"})
BLOCKED_NAMES: frozenset[str] = _FORBIDDEN_NAMES | _FORBIDDEN_CALLS
"""Builtins that scripts cannot use; form fields should not use these names either."""

_FORMAT_ATTRIBUTES = frozenset({"format", "format_map"})

# Width and precision numbers in a format spec; any digit run is a safe over-approximation.
_SPEC_NUMBER = re.compile(r"\d+")
# A printf-style conversion: %[(key)][flags][width][.precision][length]type
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?[a-zA-Z%]")


def _percent_spec_problem(fmt: str) -> tuple[str, str] | None:
    """(English, German) reason why a %-format string is refused, or None."""
    for match in _PERCENT_SPEC.finditer(fmt):
        for number in match.groups():
            if number == "*":
                return (
                    "'*' width or precision in %-format",
                    "„*“ als Breite oder Genauigkeit in %-Formaten ist nicht erlaubt.",
                )
            if number and int(number) > MAX_FORMAT_WIDTH:
                return (
                    f"%-format width {number} exceeds {MAX_FORMAT_WIDTH}",
                    f"Die Formatangabe „{match.group(0)[:20]}“ ist zu breit (höchstens {MAX_FORMAT_WIDTH} Zeichen).",
                )
    return None


def _format_spec_problem(spec: str) -> tuple[str, str] | None:
    for number in _SPEC_NUMBER.findall(spec):
        if int(number) > MAX_FORMAT_WIDTH:
            return (
                f"format spec {spec[:20]!r} exceeds width {MAX_FORMAT_WIDTH}",
                f"Die Formatangabe „{spec[:20]}“ ist zu breit (höchstens {MAX_FORMAT_WIDTH} Zeichen).",
            )
    return None


class _Checker(ast.NodeVisitor):
    """Find forbidden constructs and explain them in German, before RestrictedPython runs.

    RestrictedPython finds most of these too, but with English texts and without the reason a
    designer needs; what it finds beyond this list is reported with a generic German text.
    """

    def __init__(self) -> None:
        self.found: list[tuple[int, int, ScriptProblem]] = []

    @property
    def problems(self) -> list[ScriptProblem]:
        """In reading order: by line, then left to right."""
        return [problem for _, _, problem in sorted(self.found, key=lambda f: f[:2])]

    def _add(self, node: ast.AST, message: str, user_message: str) -> None:
        line = getattr(node, "lineno", None)
        prefix = f"Zeile {line}: " if line else ""
        # Attribute chains all start at the same column, so order by where the node ends.
        column = getattr(node, "end_col_offset", None) or getattr(node, "col_offset", 0)
        self.found.append((line or 0, column, ScriptProblem(line, message, prefix + user_message)))

    def _check_name(self, node: ast.AST, name: str | None) -> None:
        if name and name.startswith("_") and name != "_":
            self._add(
                node,
                f"name {name!r} starts with '_'",
                f"Der Name „{name}“ ist nicht erlaubt, weil er mit „_“ beginnt.",
            )

    def visit_Constant(self, node: ast.Constant) -> None:
        """Nothing to check; skips NodeVisitor's slow legacy lookup (visit_Num, visit_Str …)."""

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        self._add(node, "import statements are not allowed", "„import“ ist in Skripten nicht erlaubt.")

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._add(
            node, "class definitions are not allowed", "Klassen („class“) dürfen in Skripten nicht definiert werden."
        )
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self._check_name(node, node.id)
        if node.id in _FORBIDDEN_NAMES:
            self._add(node, f"{node.id!r} is not available", f"„{node.id}“ ist in Skripten nicht erlaubt.")

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in _FORBIDDEN_CALLS:
            self._add(node, f"{node.func.id}() is not available", f"„{node.func.id}()“ ist in Skripten nicht erlaubt.")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        attr = node.attr
        if attr.startswith("_"):
            self._add(
                node,
                f"attribute {attr!r} starts with '_'",
                f"Das Attribut „.{attr}“ ist nicht erlaubt, weil es mit „_“ beginnt.",
            )
        elif attr in INSPECT_ATTRIBUTES:
            self._add(
                node, f"attribute {attr!r} is not allowed", f"Das Attribut „.{attr}“ ist in Skripten nicht erlaubt."
            )
        elif attr in _FORMAT_ATTRIBUTES:
            self._add(
                node,
                f".{attr}() is not allowed (it can reach any attribute)",
                f'„.{attr}()“ ist in Skripten nicht erlaubt; bitte f-Strings verwenden, z. B. f"{{name}}".',
            )
        self.generic_visit(node)

    def _check_arguments(self, node: ast.FunctionDef | ast.Lambda) -> None:
        args = node.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                self._check_name(node, arg.arg)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._check_name(node, node.name)
        self._check_arguments(node)
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._check_arguments(node)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        self._check_name(node, node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            self._check_name(node, name)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if not isinstance(node.target, ast.Name):
            self._add(
                node,
                "augmented assignment to an item or attribute is not allowed",
                "Kurzschreibweisen wie „+=“ sind nur für einfache Variablen erlaubt; "
                "bitte z. B. „d['k'] = d['k'] + 1“ schreiben.",
            )
        self.generic_visit(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        self.visit(node.value)
        spec = node.format_spec
        if spec is None:
            return
        parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
        if not all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
            self._add(
                node,
                "dynamic format spec in f-string",
                "Formatangaben in f-Strings müssen fest sein (kein {…} nach dem Doppelpunkt).",
            )
            return
        problem = _format_spec_problem("".join(p.value for p in parts))  # type: ignore[attr-defined]
        if problem:
            self._add(node, *problem)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if (
            isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str | bytes)
        ):
            fmt = node.left.value
            problem = _percent_spec_problem(fmt if isinstance(fmt, str) else fmt.decode("latin-1"))
            if problem:
                self._add(node, *problem)
        self.generic_visit(node)
