"""Catalog formulas: arithmetic over input symbols, so that indicator definitions stay data.

Grammar: numbers, symbols, + - * /, parentheses, and prev(symbol) for the year before.
Anything else (attribute access, other calls, powers) is refused when the catalog loads.
Evaluation returns the value and the formula with the numbers substituted, for the trace.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from evalkit.core.trace import MINUS, fmt

_OPERATORS = {ast.Add: "+", ast.Sub: MINUS, ast.Mult: "×", ast.Div: "÷"}  # as the report prints them


class FormulaError(ValueError):
    """A formula that is not in the grammar, or that cannot be evaluated (division by zero)."""


@dataclass(frozen=True)
class Symbol:
    name: str
    lag: int  # 0 = this year, 1 = the year before


Lookup = Callable[[Symbol], float | None]


@dataclass(frozen=True)
class Formula:
    text: str
    tree: ast.expr

    @classmethod
    def parse(cls, text: str) -> "Formula":
        return _parse(text)

    @classmethod
    def _build(cls, text: str) -> "Formula":
        try:
            tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError as exc:
            raise FormulaError(f"cannot parse formula {text!r}: {exc.msg}") from None
        _check(tree, text)
        return cls(text, tree)

    def symbols(self) -> list[Symbol]:
        return list(self._symbols)

    @cached_property
    def _symbols(self) -> tuple[Symbol, ...]:
        # Asked for every indicator, park and year; the tree never changes, so walk it once.
        found: list[Symbol] = []
        _collect(self.tree, found)
        return tuple(dict.fromkeys(found))

    def evaluate(self, lookup: Lookup) -> tuple[float | None, str]:
        """Value (None when an input is missing) and the formula with numbers substituted."""
        return self._compiled.evaluate(lookup)

    @cached_property
    def _compiled(self) -> _Node:
        # Evaluated for every indicator, park and year: settle symbols and parentheses once.
        return _compile(self.tree)


@lru_cache(maxsize=1024)
def _parse(text: str) -> Formula:
    # Catalogs reuse a few dozen formulas for every park and year; parse each once.
    return Formula._build(text)


def _check(node: ast.expr, text: str) -> None:
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        _check(node.left, text)
        _check(node.right, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, text)
    elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        pass
    elif isinstance(node, ast.Name):
        pass
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "prev"
          and len(node.args) == 1 and isinstance(node.args[0], ast.Name) and not node.keywords):
        pass
    else:
        raise FormulaError(f"formula {text!r}: {ast.unparse(node)!r} is not allowed "
                           "(use numbers, input symbols, + - * /, parentheses and prev(symbol))")


def _collect(node: ast.expr, found: list[Symbol]) -> None:
    if isinstance(node, ast.Name):
        found.append(Symbol(node.id, 0))
    elif isinstance(node, ast.Call):
        found.append(Symbol(node.args[0].id, 1))  # type: ignore[attr-defined]
    else:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                _collect(child, found)


def _compile(node: ast.expr) -> _Node:
    if isinstance(node, ast.Constant):
        value = float(node.value)
        return _Number(value, fmt(value))
    if isinstance(node, ast.Name):
        return _Input(Symbol(node.id, 0))
    if isinstance(node, ast.Call):
        return _Input(Symbol(node.args[0].id, 1))  # type: ignore[attr-defined]
    if isinstance(node, ast.UnaryOp):
        return _Sign(_compile(node.operand), negate=isinstance(node.op, ast.USub))
    assert isinstance(node, ast.BinOp)
    left = _wrap(node.left, node, "{}", right_side=False)
    right = _wrap(node.right, node, "{}", right_side=True)
    return _Operation(_compile(node.left), _compile(node.right), type(node.op),
                      f"{left} {_OPERATORS[type(node.op)]} {right}")


@dataclass(frozen=True, slots=True)
class _Number:
    value: float
    text: str

    def evaluate(self, lookup: Lookup) -> tuple[float | None, str]:
        return self.value, self.text


@dataclass(frozen=True, slots=True)
class _Input:
    symbol: Symbol

    def evaluate(self, lookup: Lookup) -> tuple[float | None, str]:
        value = lookup(self.symbol)
        return value, fmt(value)


@dataclass(frozen=True, slots=True)
class _Sign:
    operand: _Node
    negate: bool

    def evaluate(self, lookup: Lookup) -> tuple[float | None, str]:
        value, text = self.operand.evaluate(lookup)
        if not self.negate:
            return value, text
        return (None if value is None else -value), MINUS + text


@dataclass(frozen=True, slots=True)
class _Operation:
    left: _Node
    right: _Node
    operator: type[ast.operator]
    template: str  # the substituted text with "{}" for each side, parenthesised as precedence needs

    def evaluate(self, lookup: Lookup) -> tuple[float | None, str]:
        left, left_text = self.left.evaluate(lookup)
        right, right_text = self.right.evaluate(lookup)
        text = self.template.format(left_text, right_text)
        if left is None or right is None:
            return None, text
        if self.operator is ast.Div and right == 0:
            raise FormulaError(f"division by zero in {text}")
        return _ARITHMETIC[self.operator](left, right), text


_Node = _Number | _Input | _Sign | _Operation
_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}


def _wrap(child: ast.expr, parent: ast.BinOp, text: str, *, right_side: bool) -> str:
    if not isinstance(child, ast.BinOp):
        return text
    child_rank, parent_rank = _PRECEDENCE[type(child.op)], _PRECEDENCE[type(parent.op)]
    needs = child_rank < parent_rank or (right_side and child_rank == parent_rank
                                         and isinstance(parent.op, (ast.Sub, ast.Div)))
    return f"({text})" if needs else text
