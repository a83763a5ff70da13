"""Read querysets whose SQL is compiled once per process and planned once per database session, for the
storefront's hottest reads (home, product page, listings, the cart).

Django builds and compiles a queryset's SQL on every evaluation: on an uncached product page that was about a
quarter of the request's Python. A prepared read is built twice, with two different sets of stand-in arguments;
the SQL must come out the same and the parameters must differ exactly where the stand-ins are, so everything else
in the query (a status, a threshold, a limit) is known to be constant. Each call fills its arguments into those
slots and runs the stored SQL through Django's own row iterator, so the rows become model instances with their
``select_related`` objects and ``prefetch_related`` lookups as usual.

A builder that is not a pure function of its arguments (a ``timezone.now()`` inside it, a list argument whose
length changes the SQL, a value the lookup rewrites such as ``icontains``) is refused when it is first prepared,
not silently frozen.

On Postgres the read is also a server-side prepared statement: planning these joins took longer than running
them (0.2–0.8 ms against ~0.1 ms) on the two cores the web workers share. The constants are written into the
statement as literals (a partial index on ``status = 'active'`` stays usable in the generic plan, which the
sessions use from the first call: plan_cache_mode in plazabanten.settings.base) and only the arguments are
``$1, $2, …``. The first call in a session sends
``PREPARE …; EXECUTE …`` as one query, later ones ``EXECUTE …``. A prepared statement outlives a rolled-back
transaction, so only a failed call leaves the session unsure whether it exists (or a migration made it unusable:
"cached plan must not change result type"): the session then prepares its statements again under new names, and
the next request works.
"""

import copy
import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import BigIntegerField, F, Lookup, QuerySet, Value
from django.db.models.sql import Query

# Integers within a small integer column's range: Django answers an out-of-range comparison with no rows at all,
# without SQL.
_STAND_INS = {str: ("\ue000a{}", "\ue000b{}"), int: (20_001, 20_501), list: ([-1], [-2])}
_PLACEHOLDER = re.compile(r"%%|%s")


def _stand_in(kind: type, which: int, position: int):
    pattern = _STAND_INS[kind][which]
    if kind is list:
        return [pattern[0] - 1000 * position]
    return pattern.format(position) if kind is str else pattern + position


class _AnyOf(Lookup):
    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def any_of(field: str, ids: list[int]) -> Lookup:
    """``field = ANY(ids)``, for ``.filter()``: one array parameter however many ids (``field__in`` writes a
    placeholder per id, so its SQL changes with the list and cannot be prepared)."""
    return _AnyOf(F(field), Value(list(ids), output_field=ArrayField(BigIntegerField())))


@dataclass(frozen=True)
class _Compiled:
    template: QuerySet  # built with stand-ins; chained per call, never evaluated itself
    compiler: Any  # its compiler after as_sql(): select, klass_info and annotation_col_map for the rows
    sql: str  # Django's SQL, every parameter a %s
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (parameter position, argument number)
    statement: str  # for PREPARE: the constants as literals, the arguments as $1, $2, …
    name: str
    converters: dict[str, dict] = field(default_factory=dict)  # per database alias, made on first use

    def arguments(self, values: list) -> list:
        return [values[owner] for _position, owner in self.slots]

    def parameters(self, values: list) -> list:
        params = list(self.params)
        for position, owner in self.slots:
            params[position] = values[owner]
        return params


class _CompiledQuery(Query):
    """A query that answers with SQL compiled earlier instead of compiling itself."""

    prepared: tuple[_Compiled, str, tuple]

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiled, sql, params = self.prepared
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection or connections[using]
        compiler.using = using
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        # The columns' converters (a JSON field's decoding, …) are the same for every call: Django works them out
        # again on every evaluation, from every selected column.
        converters = compiled.converters.get(compiler.connection.alias)
        if converters is None:
            converters = compiled.converters[compiler.connection.alias] = compiler.get_converters(
                [column for column, _sql, _alias in compiler.select[:compiler.col_count]])
        compiler.get_converters = lambda expressions: converters
        return compiler


class _Session:
    """The statements prepared in one database session (one raw connection behind a Django connection)."""

    def __init__(self, raw):
        self.raw = raw
        self.prepared: set[str] = set()
        self.generation = 0


def _session(connection) -> _Session:
    connection.ensure_connection()
    session = getattr(connection, "pb_prepared_session", None)
    if session is None or session.raw is not connection.connection:  # a new session has no statements yet
        session = connection.pb_prepared_session = _Session(connection.connection)
    return session


class PreparedRead:
    """``@PreparedRead`` on a function that builds a queryset from keyword arguments (str, int, or a list of ids
    used through ``any_of``): calling it returns the list of rows, without building or compiling the queryset
    again. A builder whose query takes a few forms (which filters are set, the sort, the page) receives them as
    ``shape``, any hashable value: each shape is compiled and prepared once, and only the other arguments are
    checked to reach the SQL as plain parameters."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._compiled: dict[tuple, _Compiled] = {}  # (shape, argument names and types) -> compiled read

    def _compile(self, shape, kinds: tuple[tuple[str, type], ...]) -> _Compiled:
        built = []
        shaped = {} if shape is None else {"shape": shape}
        for which in (0, 1):
            queryset = self._build(**shaped, **{name: _stand_in(kind, which, n) for n, (name, kind) in
                                                enumerate(kinds)})
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()  # also fills select, klass_info and annotation_col_map for the rows
            built.append((queryset, compiler, sql, tuple(params)))
        (queryset, compiler, sql, params), (_other, _compiler, other_sql, other_params) = built
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
        connection = connections[queryset.db]
        return _Compiled(template=queryset, compiler=compiler, sql=sql, params=params, slots=tuple(slots),
                         statement=self._statement(connection, sql, params, dict(slots)) if
                         connection.vendor == "postgresql" else "",
                         name=f"pb_{queryset.model._meta.db_table}_{hashlib.sha256(sql.encode()).hexdigest()[:12]}")

    @staticmethod
    def _statement(connection, sql: str, params: tuple, slots: dict[int, int]) -> str:
        positions, numbers = itertools.count(), itertools.count(1)

        def fill(match) -> str:
            if match.group() == "%%":
                return "%%"  # psycopg2 still formats the PREPARE text
            position = next(positions)
            if position in slots:
                return f"${next(numbers)}"
            return connection.ops.compose_sql("%s", [params[position]]).replace("%", "%%")

        return _PLACEHOLDER.sub(fill, sql)

    def _compiled_for(self, shape, arguments: dict) -> tuple[_Compiled, list]:
        kinds = tuple((name, type(value)) for name, value in sorted(arguments.items()))
        if any(kind not in _STAND_INS for _name, kind in kinds):
            raise TypeError(f"{self._build.__qualname__}: prepared arguments are str, int or a list of ids")
        compiled = self._compiled.get((shape, kinds))
        if compiled is None:
            compiled = self._compiled[shape, kinds] = self._compile(shape, kinds)
        return compiled, [value for _name, value in sorted(arguments.items())]

    def sql(self, *, shape=None, **arguments: str | int | list[int]) -> tuple[str, list]:
        """The read's SQL and parameters for these arguments, compiled once per shape, not run: for a statement
        that embeds it and must be planned for each call's values (a text search: how common its words are
        decides the plan)."""
        compiled, values = self._compiled_for(shape, arguments)
        return compiled.sql, compiled.parameters(values)

    def __call__(self, *, shape=None, **arguments: str | int | list[int]) -> list:
        compiled, values = self._compiled_for(shape, arguments)
        queryset = compiled.template._chain()  # the router picks the database per call (primary or replica)
        connection = connections[queryset.db]
        if not compiled.statement:
            return self._run(queryset, compiled, compiled.sql, compiled.parameters(values))
        session = _session(connection)
        name = f"{compiled.name}_{session.generation}" if session.generation else compiled.name
        bound = compiled.arguments(values)
        execute = f"EXECUTE {name}({', '.join(['%s'] * len(bound))})" if bound else f"EXECUTE {name}"
        sql = execute if name in session.prepared else f"PREPARE {name} AS {compiled.statement}; {execute}"
        try:
            rows = self._run(queryset, compiled, sql, bound)
        except Exception:
            # The statement may exist or not (a first call that failed), or no longer fit the table (a deploy's
            # migration changed a column it returns): the session prepares anew, under other names.
            session.generation += 1
            session.prepared.clear()
            raise
        session.prepared.add(name)
        return rows

    @staticmethod
    def _run(queryset: QuerySet, compiled: _Compiled, sql: str, params: list) -> list:
        queryset.query.__class__ = _CompiledQuery
        queryset.query.prepared = (compiled, sql, tuple(params))
        return list(queryset)
