"""Compile time: the RestrictedPython policy, plus the hooks for time, memory and size limits.

It inserts ``_tick_()`` calls, the ``_rethrow_()`` re-raise in ``except`` blocks and the guard
calls for operators, unpacking, ``yield from`` and f-strings (see the package docstring).
"""

from __future__ import annotations

import ast
from typing import Any

from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])


def _statement(name: str, node: ast.AST) -> ast.Expr:
    stmt = ast.Expr(_call(name))
    copy_locations(stmt, node)
    return stmt


_GUARDED_BINOPS: dict[type[ast.operator], str] = {
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
    ast.FloorDiv: "_floordiv_",
}


_INPLACE_GUARDS: dict[type[ast.operator], str] = {
    ast.Add: "_iadd_",
    ast.Sub: "_isub_",
    ast.Mult: "_imul_",
    ast.MatMult: "_imatmul_",
    ast.Div: "_itruediv_",
    ast.FloorDiv: "_floordiv_",
    ast.Mod: "_mod_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.RShift: "_irshift_",
    ast.BitOr: "_ior_",
    ast.BitXor: "_ixor_",
    ast.BitAnd: "_iand_",
}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus the hooks for time, memory and size limits."""

    def visit_While(self, node: ast.While) -> Any:
        node = super().visit_While(node)
        node.body.insert(0, _statement("_tick_", node))
        return node

    def visit_For(self, node: ast.For) -> Any:
        node = super().visit_For(node)
        node.body.insert(0, _statement("_tick_", node))
        # The body ticks on every pass, so the loop itself may use a plain iterator (half the
        # cost of a ticking one). RestrictedPython passes `_getiter_` by name to its unpacking
        # helper for `for a, b in …`; that reference is switched as well.
        call = node.iter
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "_getiter_":
            call.func.id = "_iter_"
        elif isinstance(call, ast.Call):
            for arg in call.args:
                if isinstance(arg, ast.Name) and arg.id == "_getiter_":
                    arg.id = "_iter_"
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, _statement("_tick_", node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        node = super().visit_Lambda(node)
        # `_tick_()` returns True, so `True and body` is the body's value.
        node.body = ast.BoolOp(op=ast.And(), values=[_call("_tick_"), node.body])
        copy_locations(node.body, node)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> Any:
        if not isinstance(node.target, ast.Name):
            return super().visit_AugAssign(node)  # refused by RestrictedPython (and _Checker)
        # `n += 1` → `n = _iadd_(n, 1)`: one direct guard per operator instead of
        # RestrictedPython's generic `_inplacevar_("+=", n, 1)` dispatcher (2× faster).
        node = self.node_contents_visit(node)
        value = _call(_INPLACE_GUARDS[type(node.op)], ast.Name(node.target.id, ast.Load()), node.value)
        new = ast.Assign(targets=[node.target], value=value)
        copy_locations(new, node)
        return new

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        node = super().visit_ExceptHandler(node)
        # A limit error caught by `except Exception:` would let an endless loop go on.
        node.body.insert(0, _statement("_rethrow_", node))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = super().visit_BinOp(node)
        guard = _GUARDED_BINOPS.get(type(node.op))
        if guard is None:
            return node
        new = _call(guard, node.left, node.right)
        copy_locations(new, node)
        return new

    def visit_Starred(self, node: ast.Starred) -> Any:
        node = super().visit_Starred(node)
        if isinstance(node.ctx, ast.Load):
            # `[*x]` and `f(*x)` iterate x in C; route it through the ticking iterator.
            node.value = _call("_getiter_", node.value)
            copy_locations(node.value, node)
        return node

    def visit_YieldFrom(self, node: ast.YieldFrom) -> Any:
        node = super().visit_YieldFrom(node)
        node.value = _call("_getiter_", node.value)
        copy_locations(node.value, node)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        # The format spec is a constant (checked by _Checker); only the value needs visiting.
        node.value = _call("_fv_", self.visit(node.value))
        copy_locations(node.value, node)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> Any:
        node = super().visit_JoinedStr(node)
        new = _call("_fstr_", node)
        copy_locations(new, node)
        return new
