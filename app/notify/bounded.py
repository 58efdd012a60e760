"""A Jinja sandbox that bounds the work a template can do, so an untrusted one cannot stall a process.

Jinja's sandbox keeps a template away from Python's internals, but not from the CPU or
memory: `{% for i in range(100000) %}` nested twice, or `{{ 'x' * 10**9 }}`, is allowed.
Here every render gets a budget (a context variable, so threads and processes never share
one) and the template's own code is made to spend it:

- every `for` loop's iterable is wrapped (the parsed tree is rewritten) so each iteration
  costs a step, and every call (macros, methods, `range`) costs a step: MAX_STEPS per render;
  calls nest at most MAX_CALL_DEPTH deep (a recursive macro stops there, not at Python's limit);
- `range` yields at most MAX_RANGE items;
- `*`, `**`, `%` and `+` refuse results past MAX_VALUE characters or absurd exponents, and
  every filter's and method's result is checked the same way; numeric arguments that ask
  for wide padding (`center(10**9)`, `'%999999999d'`) are refused before any work;
- output is produced piece by piece and cut off past MAX_OUTPUT characters.

A template that hits a bound raises RenderLimitExceeded (a SecurityError): to the shop API
a refusal, to a worker composing a text a reason to fall back to Bijna's own wording.
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_STEPS = 10_000  # loop iterations plus calls in one render; real SMS templates use < 100
MAX_RANGE = 100
MAX_VALUE = 2_000  # characters (or items) of any one string or list a template builds
MAX_OUTPUT = 2_000  # characters of rendered text; an SMS template needs < 500
MAX_NUMBER_ARG = 1_000  # a width, count or padding passed to a filter or method
MAX_EXPONENT = 100
MAX_CALL_DEPTH = 20  # macros calling macros: a text needs two or three levels, recursion needs hundreds
_WIDE_FORMAT = re.compile(r"\d{4,}")  # '%9999d', '{:>99999}': a width that builds a huge string
_BOUNDED_ITER = "__bijna_bounded_iter"
_BOUNDED_CONCAT = "__bijna_bounded_concat"


class RenderLimitExceeded(SecurityError):
    """A template did more work, or built more text, than any SMS needs."""


class _Budget:
    __slots__ = ("steps", "depth")

    def __init__(self) -> None:
        self.steps = 0
        self.depth = 0

    def spend(self, steps: int = 1) -> None:
        self.steps += steps
        if self.steps > MAX_STEPS:
            raise RenderLimitExceeded(f"more than {MAX_STEPS} loop steps and calls")


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("bijna_template_budget", default=None)


def _current() -> _Budget:
    budget = _budget.get()
    if budget is None:  # rendered outside render_bounded (e.g. a bare template.render): still bounded
        budget = _Budget()
        _budget.set(budget)
    return budget


def _spend(steps: int = 1) -> None:
    _current().spend(steps)


def _check_size(value: Any) -> Any:
    if isinstance(value, str | list | tuple | bytes | dict) and len(value) > MAX_VALUE:
        raise RenderLimitExceeded(f"a value longer than {MAX_VALUE} characters")
    return value


def _check_arguments(args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_NUMBER_ARG:
            raise RenderLimitExceeded(f"a number argument above {MAX_NUMBER_ARG}")
        if isinstance(arg, str) and "%" in arg or isinstance(arg, str) and "{" in arg:
            if _WIDE_FORMAT.search(arg):
                raise RenderLimitExceeded("a format wider than 999 characters")


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise RenderLimitExceeded(f"a range of more than {MAX_RANGE} items")
    return numbers


def _bounded_iter(iterable: Any) -> Iterator[Any]:
    """Iterate a template loop's items, one budget step each."""
    for item in iterable:
        _spend()
        yield item


def _bounded_concat(*pieces: Any) -> str:
    """Join the pieces of a `~` expression, refusing a result past MAX_VALUE (doubling bombs)."""
    return _check_size("".join(str(piece) for piece in pieces))


def _multiply(left: Any, right: Any) -> Any:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(count, int):
            if len(sequence) * max(count, 0) > MAX_VALUE:
                raise RenderLimitExceeded(f"a value longer than {MAX_VALUE} characters")
    return left * right


def _power(left: Any, right: Any) -> Any:
    if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
        raise RenderLimitExceeded(f"an exponent above {MAX_EXPONENT}")
    return left**right


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_arguments([left])
        if "*" in left:  # '%*d' % (10**9, 1): the width comes from the arguments
            _check_arguments(right if isinstance(right, tuple) else [right])
    return _check_size(left % right)


def _add(left: Any, right: Any) -> Any:
    return _check_size(left + right)


def _bounded_filter(function):
    """Wrap a filter: refuse huge numeric arguments and check the size of what it returns."""

    skip = 1 if hasattr(function, "jinja_pass_arg") else 0  # the context or environment

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        value, arguments = args[skip:skip + 1], args[skip + 1:]
        _check_arguments(arguments)
        _check_arguments(kwargs.values())
        _check_arguments(v for v in value if isinstance(v, str))  # '%9999d'|format(1)
        return _check_size(function(*args, **kwargs))

    for flag in ("jinja_pass_arg",):  # keep Jinja's pass_context/pass_environment marks
        if hasattr(function, flag):
            setattr(wrapped, flag, getattr(function, flag))
    wrapped.__name__ = getattr(function, "__name__", "filter")
    return wrapped


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with a step budget, bounded ranges and bounded values."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    _BINOPS = {"*": _multiply, "**": _power, "%": _modulo, "+": _add}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = _bounded_range
        self.globals[_BOUNDED_ITER] = _bounded_iter
        self.globals[_BOUNDED_CONCAT] = _bounded_concat
        self.filters = {name: _bounded_filter(function) for name, function in self.filters.items()}

    def call_binop(self, context, operator_name: str, left: Any, right: Any) -> Any:
        """Apply an intercepted operator within the bounds."""
        bounded = self._BINOPS.get(operator_name)
        return bounded(left, right) if bounded else self.binop_table[operator_name](left, right)

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        """Spend a step per call, bound its arguments, its nesting and its result."""
        budget = _current()
        budget.spend()
        if __obj is not _bounded_iter and __obj is not _bounded_concat:
            _check_arguments(args)
            _check_arguments(kwargs.values())
        budget.depth += 1
        try:
            if budget.depth > MAX_CALL_DEPTH:
                raise RenderLimitExceeded(f"calls nested more than {MAX_CALL_DEPTH} deep")
            return _check_size(super().call(__context, __obj, *args, **kwargs))
        finally:
            budget.depth -= 1

    def wrap_str_format(self, value: Any):
        """Refuse a str.format whose format string asks for a huge width ('{:>99999}'.format(1))."""
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and getattr(value, "__name__", "") in ("format", "format_map"):
            _check_arguments([owner])
        return super().wrap_str_format(value)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """Parse, then make every for loop iterate through the budget and every `~` check its size."""
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.Name(_BOUNDED_ITER, "load"), [loop.iter], [], None, None,
                                   lineno=loop.lineno)
        for parent in [tree, *tree.find_all(nodes.Node)]:
            for field in parent.fields:
                self._replace_concat(parent, field)
        return tree

    @staticmethod
    def _replace_concat(parent: nodes.Node, field: str) -> None:
        def bounded(node: Any) -> Any:
            if isinstance(node, nodes.Concat):
                return nodes.Call(nodes.Name(_BOUNDED_CONCAT, "load"), node.nodes, [], None, None,
                                  lineno=node.lineno)
            return node

        value = getattr(parent, field, None)
        if isinstance(value, list):
            setattr(parent, field, [bounded(item) for item in value])
        elif isinstance(value, nodes.Node):
            setattr(parent, field, bounded(value))


def render_bounded(template, context: dict) -> str:
    """Render a template of a BoundedSandbox with a fresh budget, cutting it off past MAX_OUTPUT."""
    token = _budget.set(_Budget())
    try:
        pieces, size = [], 0
        for piece in template.generate(context):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise RenderLimitExceeded(f"more than {MAX_OUTPUT} characters of text")
            pieces.append(piece)
        return "".join(pieces)
    finally:
        _budget.reset(token)
