"""The registry of generic service operations that BPMN service tasks call.

A service task names an operation (``spiffworkflow:serviceTaskOperator id="register.find_person"``)
and passes parameters whose values are expressions over the task data. Operations are generic
capabilities of the engine (find a person, apply a move, send a message, render a document),
never tied to one service. Each declares typed parameters and German descriptions; the
catalog checks diagrams against these declarations at publish time and ``docs/operations.md``
is generated from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from engine.errors import AmtskofferError, DesignError, OperationFailed

if TYPE_CHECKING:
    from engine.operations.context import OperationContext

ParamType = Literal["str", "int", "bool", "date", "decimal", "dict", "list", "uuid", "any"]
Effect = Literal["none", "case", "external"]

_TYPE_NAMES_DE = {
    "str": "Text",
    "int": "ganze Zahl",
    "bool": "Wahrheitswert",
    "date": "Datum",
    "decimal": "Geldbetrag/Dezimalzahl",
    "dict": "Objekt (dict)",
    "list": "Liste",
    "uuid": "UUID-Text",
    "any": "beliebiger Wert",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Param:
    name: str
    type: ParamType
    description_de: str
    required: bool = True
    choices: tuple[str, ...] = ()
    """Allowed values for ``str`` parameters (checked at publish time for literals)."""

    def accepts(self, value: Any) -> bool:
        if value is None:
            return not self.required
        match self.type:
            case "str" | "uuid":
                return isinstance(value, str) and (not self.choices or value in self.choices)
            case "int":
                return isinstance(value, int) and not isinstance(value, bool)
            case "bool":
                return isinstance(value, bool)
            case "date":
                return (isinstance(value, date) and not isinstance(value, datetime)) or _is_iso_date(value)
            case "decimal":
                return (isinstance(value, Decimal | int) and not isinstance(value, bool)) or _is_decimal_text(value)
            case "dict":
                return isinstance(value, Mapping)
            case "list":
                return isinstance(value, list | tuple)
            case _:
                return True

    @property
    def type_de(self) -> str:
        return _TYPE_NAMES_DE[self.type]


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_decimal_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        Decimal(value)
    except ArithmeticError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class CheckEnv:
    """What a publish-time parameter check may look at: settings and the package's files."""

    settings: Any
    files: Mapping[str, str]


OperationFn = Callable[["OperationContext", dict[str, Any]], Any]
LiteralCheck = Callable[[Mapping[str, Any], CheckEnv], Sequence[str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    id: str
    title_de: str
    description_de: str
    params: tuple[Param, ...]
    result_de: str
    fn: OperationFn
    effect: Effect = "none"
    """``external``: changes something outside the case (register, outgoing message). A step
    with such an effect cannot be corrected afterwards; the clerk is told why."""
    check_literals: LiteralCheck | None = None
    """Publish-time check of parameters given as literals; returns German problem texts."""
    example: str = ""
    """An XML snippet shown in the operation reference."""
    effect_de: str = ""
    """For operations that decide their effect while running (``ctx.note_effect``): how, in German."""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass
class OperationRegistry:
    _ops: dict[str, Operation] = field(default_factory=dict)

    def register(self, op: Operation) -> Operation:
        if op.id in self._ops:
            raise ValueError(f"operation {op.id!r} registered twice")
        self._ops[op.id] = op
        return op

    def operation(
        self,
        id: str,
        *,
        title_de: str,
        description_de: str,
        params: Sequence[Param] = (),
        result_de: str = "",
        effect: Effect = "none",
        check_literals: LiteralCheck | None = None,
        example: str = "",
        effect_de: str = "",
    ) -> Callable[[OperationFn], OperationFn]:
        """Decorator registering ``fn(ctx, params) -> result`` under ``id``."""

        def wrap(fn: OperationFn) -> OperationFn:
            self.register(
                Operation(
                    id=id,
                    title_de=title_de,
                    description_de=description_de,
                    params=tuple(params),
                    result_de=result_de,
                    fn=fn,
                    effect=effect,
                    check_literals=check_literals,
                    example=example,
                    effect_de=effect_de,
                )
            )
            return fn

        return wrap

    def get(self, op_id: str) -> Operation | None:
        return self._ops.get(op_id)

    def __iter__(self) -> Iterator[Operation]:
        return iter(sorted(self._ops.values(), key=lambda o: o.id))

    def __contains__(self, op_id: object) -> bool:
        return op_id in self._ops

    def copy(self) -> OperationRegistry:
        return OperationRegistry(dict(self._ops))

    def invoke(self, op_id: str, params: Mapping[str, Any], ctx: OperationContext) -> Any:
        """Call an operation after checking its parameters; failures become OperationFailed."""
        op = self._ops.get(op_id)
        if op is None:
            raise DesignError(
                f"unknown service operation {op_id!r}",
                user_message=f"Die Dienstoperation „{op_id}“ ist nicht bekannt.",
                operation=op_id,
            )
        unknown = sorted(set(params) - {p.name for p in op.params})
        if unknown:
            raise DesignError(
                f"operation {op_id}: unknown parameters {unknown}",
                user_message=f"Die Dienstoperation „{op_id}“ kennt die Parameter {', '.join(unknown)} nicht.",
                operation=op_id,
            )
        for p in op.params:
            value = params.get(p.name)
            if not p.accepts(value):
                raise OperationFailed(
                    f"operation {op_id}: parameter {p.name} must be {p.type}, got {type(value).__name__}",
                    user_message=(
                        f"Die Dienstoperation „{op.title_de}“ erwartet für „{p.name}“ {p.type_de}"
                        + (" (Pflichtangabe)." if value is None else f", erhalten: {value!r:.60}.")
                    ),
                    operation=op_id,
                    parameter=p.name,
                )
        if ctx.mocks is not None and op_id in ctx.mocks:
            return ctx.mocked(op_id, params)
        ctx.note_effect(op.effect)
        try:
            return op.fn(ctx, dict(params))
        except AmtskofferError:
            raise
        except Exception as err:  # an operation's own bug or a library failure
            raise OperationFailed(
                f"operation {op_id} failed: {err.__class__.__name__}: {err}",
                user_message=f"Der Verarbeitungsschritt „{op.title_de}“ ist fehlgeschlagen.",
                operation=op_id,
            ) from err


REGISTRY = OperationRegistry()
"""The engine's registry; ``engine.operations`` imports the built-in operation modules into it."""
