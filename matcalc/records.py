"""`Record`: the base of matcalc's small immutable value classes (a shape, a syntax node, a
primitive's record), in place of `@dataclass(frozen=True)`.

The dataclass decorator writes each class's methods as source text and compiles it when
the module is imported: about 2.5 M instructions a class, a quarter of the CLI's start
(issue 11). A record class instead names its fields in `__slots__`, writes its `__init__`
(setting each field with `object.__setattr__`) and `_key` (the fields that equality and the
hash compare, as a tuple); this base gives what the frozen dataclass gave:

- `==` between instances of the same class compares `_key()` (another class: NotImplemented);
- `hash` is the hash of `_key()`;
- `repr` is `Name(field=value, ...)` over `__slots__`;
- assigning or deleting an attribute raises `dataclasses.FrozenInstanceError`;
- copy and pickle rebuild through `__init__` (the fields in `__slots__` order, which must be
  `__init__`'s positional order).

`replace(record, **changes)` is `dataclasses.replace`: a copy with some fields changed.
`Struct` is the same for a mutable dataclass: fields may be assigned, and it has no hash;
one whose instances take other attributes too ends its `__slots__` with "__dict__".
"""

from __future__ import annotations

__all__ = ["Record", "Struct", "replace"]


class Record:
    """An immutable value with `__slots__` fields; see the module docstring."""

    __slots__ = ()
    _fields: tuple = ()  # the names in __slots__ but "__dict__" (set for each subclass)

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = tuple(n for n in cls.__dict__.get("__slots__", ()) if not n.startswith("__"))

    def _key(self) -> tuple:  # pragma: no cover - every record class defines it
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._key() == other._key()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({fields})"

    def __setattr__(self, name: str, value: object) -> None:
        from dataclasses import FrozenInstanceError  # (the error the dataclasses raised)

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple:
        return (type(self), tuple(getattr(self, name) for name in self._fields))


class Struct(Record):
    """A mutable record (in place of a plain `@dataclass`): assignable, unhashable."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__


def replace(record: Record, **changes: object) -> Record:
    """A copy of `record` with the fields in `changes` changed (`dataclasses.replace`,
    which it calls for a dataclass)."""
    if not isinstance(record, Record):
        import dataclasses

        return dataclasses.replace(record, **changes)
    for name in changes:
        if name not in record._fields:
            raise TypeError(f"{type(record).__qualname__} has no field {name!r}")
    values = {name: changes.get(name, getattr(record, name)) for name in record._fields}
    return type(record)(**values)
