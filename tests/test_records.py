"""matcalc.records (issue 11, cold start): the record classes that replaced frozen (and
plain) dataclasses behave as the dataclasses did: equality and hash over the compared
fields, repr, immutability, copy, pickle and `replace`."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

import matcalc.primitives.catalog  # noqa: F401 -- registers the primitive records
from matcalc.domain import POSITIVE, REAL, Domain
from matcalc.records import Record, Struct, replace
from matcalc.registry import get
from matcalc.shapes import Shape, ShapeSpec, parse_spec
from matcalc.syntax import Declaration, Keyword, Position, Query, Syntax

HERE, THERE = Position(1, 2, 3), Position(4, 5)

SAMPLES = [
    Shape(),
    Shape("n", 1),
    parse_spec("symmetric(n)"),
    HERE,
    Syntax("name", "x", (), HERE),
    Syntax("call", "sum", (Syntax("name", "x"),), HERE, (Keyword("axis", 1, HERE),)),
    Keyword("axis", (0, 1), HERE),
    Declaration(("w", "x"), "vector(n)", HERE),
    Query((Declaration(("x",), "scalar"),), Syntax("name", "x"), "x: scalar; x"),
    Domain(low=0.0, kinks=(1.0,)),
]


def _twin(record: Record) -> object:
    """The frozen dataclass the record class was, with the same values."""
    names = record._fields
    twin = dataclasses.make_dataclass(type(record).__name__, names, frozen=True)
    twin.__qualname__ = type(record).__qualname__
    return twin(*(getattr(record, n) for n in names))


@pytest.mark.parametrize("record", SAMPLES, ids=lambda r: type(r).__name__)
def test_repr_copy_pickle_and_immutability_as_a_frozen_dataclass(record: Record) -> None:
    assert repr(record) == repr(_twin(record))
    assert copy.copy(record) == record and copy.deepcopy(record) == record
    assert pickle.loads(pickle.dumps(record)) == record
    assert hash(copy.deepcopy(record)) == hash(record)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.kind = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del record.__slots__  # type: ignore[misc]


def test_equality_compares_the_compared_fields_of_one_class() -> None:
    assert Syntax("name", "x", (), HERE) == Syntax("name", "x", (), THERE)  # pos not compared
    assert hash(Syntax("name", "x", (), HERE)) == hash(Syntax("name", "x"))
    assert Keyword("axis", 1, HERE) == Keyword("axis", 1)
    assert Declaration(("x",), "scalar", HERE) == Declaration(("x",), "scalar", THERE)
    assert Syntax("name", "x") != Syntax("name", "y")
    assert Position(1, 2) != Position(1, 2, 3)
    assert Shape(1, 1) != (1, 1) and Shape(1, 1) != ShapeSpec("scalar", ())
    assert Domain(low=0.0) == POSITIVE and Domain() == REAL and hash(Domain()) == hash(REAL)


def test_defaults_and_keywords_as_the_dataclasses_had_them() -> None:
    assert Shape() == Shape(1, 1) == Shape(rows=1, cols=1)
    assert Syntax("neg") == Syntax(kind="neg", value=None, children=(), pos=None, keywords=())
    assert ShapeSpec("vector", ("n",)).structure is None
    assert Query((), Syntax("name", "x")).text == ""
    sigmoid = get("sigmoid")
    assert sigmoid.parameters == {} and sigmoid.parameters is not get("tanh").parameters


def test_replace_is_dataclasses_replace() -> None:
    moved = replace(Syntax("name", "x", (), HERE), pos=THERE)
    assert moved.pos is THERE and moved.value == "x"
    assert replace(Shape("m", "n"), cols=1) == Shape("m", 1)
    with pytest.raises(TypeError):
        replace(Shape(), depth=3)


class _Point(Struct):
    __slots__ = ("x", "y")

    def __init__(self, x: int, y: int = 0) -> None:
        self.x, self.y = x, y

    def _key(self) -> tuple:
        return (self.x, self.y)


def test_a_struct_is_a_mutable_dataclass() -> None:
    p = _Point(1)
    p.y = 2
    assert p == _Point(1, 2) and repr(p) == "_Point(x=1, y=2)"
    with pytest.raises(TypeError):
        hash(p)
    assert pickle.loads(pickle.dumps(p)) == p
