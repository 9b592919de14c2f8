"""The documentation of a config dataclass's fields: its attribute docstrings.

The convention (PEP 257's "attribute docstrings", read by Sphinx autodoc): the string literal right after a
field documents it, e.g.

    @dataclass(frozen=True)
    class ExampleConfig:
        rate_hz: float = 50.0
        "control rate, Hz: the rate the policy was trained at"

Node parameters take their descriptions from here (visuomotor.nodes.parameters), so a knob is documented once,
beside its one default.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import cache


@cache
def field_docs(config_class: type) -> dict[str, str]:
    """{field name: its attribute docstring, whitespace collapsed to one line} for `config_class` and the
    classes it inherits from (a subclass's docstring wins). Fields without one are absent."""
    docs: dict[str, str] = {}
    for klass in reversed(config_class.__mro__[:-1]):  # object has no fields
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):  # a builtin or a class without source
            continue
        definition = ast.parse(source).body[0]
        if not isinstance(definition, ast.ClassDef):
            continue
        body = definition.body
        for statement, following in zip(body, body[1:]):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[statement.target.id] = " ".join(following.value.value.split())
    return docs
