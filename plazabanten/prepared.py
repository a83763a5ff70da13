"""Read querysets whose SQL is compiled once per process, for the storefront's hottest fixed-shape reads.

Django builds and compiles a queryset's SQL on every evaluation: on an uncached product page that is about a
quarter of the request's Python (see README, "Fast when the cache misses"). A prepared read is built twice, with
two different sets of stand-in arguments; the SQL must come out the same and the parameters must differ exactly
where the stand-ins are, so anything else in the query (a constant, a status, a limit) is known to be fixed. Each
later call fills the real arguments into those slots and runs the stored SQL through Django's own iterator, so
the rows become model instances with their ``select_related`` objects and ``prefetch_related`` lookups as usual.

A builder that is not a pure function of its arguments (a ``timezone.now()`` inside it, a list argument whose
length changes the SQL, a value the lookup rewrites such as ``icontains``) is refused when it is first prepared,
not silently frozen.
"""

import copy
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import Query

_STAND_INS = {str: ("\ue000a{}", "\ue000b{}"), int: (1_000_000_001, 1_000_000_501)}


class _CompiledQuery(Query):
    """A query that answers with SQL compiled earlier instead of compiling itself."""

    prepared: tuple[Any, str, tuple]

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        template, sql, params = self.prepared
        compiler = copy.copy(template)
        compiler.connection = connection or connections[using]
        compiler.using = using
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        return compiler


def _stand_in(kind: type, which: int, position: int):
    pattern = _STAND_INS[kind][which]
    return pattern.format(position) if kind is str else pattern + position


class PreparedRead:
    """``read = PreparedRead(build)``; ``read(shop_slug="…")`` is ``list(build(shop_slug="…"))`` without the
    per-call query building and compiling. Arguments are str or int (keyword only)."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._compiled: dict[tuple, tuple] = {}  # argument names and types -> compiled read (one SQL dialect)

    def _compile(self, kinds: tuple[tuple[str, type], ...]) -> tuple:
        built = []
        for which in (0, 1):
            queryset = self._build(**{name: _stand_in(kind, which, n) for n, (name, kind) in enumerate(kinds)})
            sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
            built.append((queryset, sql, tuple(params)))
        (queryset, sql, params), (_other, other_sql, other_params) = built
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError(f"{self._build.__qualname__}: its SQL changes with its arguments")
        slots = []
        for position, (first, second) in enumerate(zip(params, other_params, strict=True)):
            if first == second:
                continue
            owner = next((n for n, (_name, kind) in enumerate(kinds)
                          if first == _stand_in(kind, 0, n) and second == _stand_in(kind, 1, n)), None)
            if owner is None:
                raise ValueError(f"{self._build.__qualname__}: parameter {position} is not a plain argument")
            slots.append((position, owner))
        if {owner for _position, owner in slots} != set(range(len(kinds))):
            raise ValueError(f"{self._build.__qualname__}: an argument does not reach the SQL as itself")
        compiler = queryset.query.get_compiler(using=queryset.db)
        compiler.as_sql()  # fills compiler.select, klass_info and annotation_col_map for the row iterator
        return queryset, compiler, sql, params, tuple(slots)

    def __call__(self, **arguments: str | int) -> list:
        kinds = tuple((name, type(value)) for name, value in sorted(arguments.items()))
        if any(kind not in _STAND_INS for _name, kind in kinds):
            raise TypeError(f"{self._build.__qualname__}: prepared arguments are str or int")
        compiled = self._compiled.get(kinds)
        if compiled is None:
            compiled = self._compiled[kinds] = self._compile(kinds)
        template, compiler, sql, params, slots = compiled
        values = [value for _name, value in sorted(arguments.items())]
        params = list(params)
        for position, owner in slots:
            params[position] = values[owner]
        queryset = template._chain()  # the router picks the database per call (primary or replica)
        queryset.query.__class__ = _CompiledQuery
        queryset.query.prepared = (compiler, sql, tuple(params))
        return list(queryset)
