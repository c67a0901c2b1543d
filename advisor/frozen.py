"""Frozen values that hash: a mapping nobody can change, and a hash computed once per value.

The stages pass frozen dataclasses; those that carry a mapping (a `Machine`'s `unknown` and
`sources`, an `Architecture`'s `unknown`) hold it as a FrozenMap, so the values hash and the
estimator's memos are functools caches keyed by the values themselves (ARCHITECTURE.md: no
id()-keyed memos). A big value hashed on every call would cost more than the work it saves,
so `cached_hash` keeps each value's hash on it, and never in a pickle: string hashes differ
from one process to the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

K = TypeVar("K")
V = TypeVar("V")
C = TypeVar("C", bound=type)

_HASH = "_frozen_hash"  # where cached_hash keeps a value's hash, in the instance's __dict__


class FrozenMap(dict[K, V]):
    """A dict that cannot change after it is made, and so hashes (by its items).

    A dict subclass, so JSON, pydantic, `==` and repr treat it as a plain dict (the pinned
    estimates and the caches' digests read reprs).
    """

    __slots__ = ("_hash", "_made")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # dict.__init__ adds items to a dict already made: only the first call (the one that
        # makes this value) may fill it, or its items and cached hash would change.
        if getattr(self, "_made", False):
            self._frozen()
        super().__init__(*args, **kwargs)
        self._made = True

    @classmethod
    def fromkeys(cls, iterable: Any, value: Any = None) -> FrozenMap:  # type: ignore[override]
        """A FrozenMap of each key in `iterable` to `value` (dict.fromkeys fills it afterwards)."""
        return cls(dict.fromkeys(iterable, value))

    def __hash__(self) -> int:  # type: ignore[override]
        try:
            return self._hash
        except AttributeError:
            self._hash: int = hash(frozenset(self.items()))
            return self._hash

    def __reduce__(self) -> tuple[type, tuple[dict[K, V]]]:
        return (type(self), (dict(self),))

    def _frozen(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a FrozenMap cannot change: make a new one")

    __setitem__ = __delitem__ = __ior__ = _frozen
    clear = pop = popitem = setdefault = update = _frozen  # type: ignore[assignment]


def frozen_map(mapping: Any) -> FrozenMap:
    """`mapping` as a FrozenMap (the same object when it already is one)."""
    return mapping if type(mapping) is FrozenMap else FrozenMap(mapping)


def cached_hash(cls: C) -> C:
    """Keep the hash a frozen dataclass computes from its fields on each instance, once made.

    Apply above @dataclass(frozen=True). Equal values still hash alike (the same fields are
    hashed); the hash is left out of pickles and copies, which recompute it when asked.
    """
    computed: Callable[[Any], int] = cls.__hash__  # type: ignore[assignment]

    def __hash__(self: Any) -> int:
        state = self.__dict__
        found = state.get(_HASH)
        if found is None:
            found = state[_HASH] = computed(self)
        return found

    def __getstate__(self: Any) -> dict[str, Any]:
        state = self.__dict__
        if _HASH in state:
            state = {k: v for k, v in state.items() if k != _HASH}
        return state

    cls.__hash__ = __hash__  # type: ignore[assignment]
    cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
    return cls
