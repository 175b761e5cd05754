"""The one home of Django internals that motcua relies on — undocumented ORM attributes.

Everything else in the project uses documented Django API only (``_meta.get_field``,
``_meta.db_table``, ``_meta.label``, ``Model._default_manager`` are documented and fine anywhere). Each
helper below reaches something Django does not promise to keep; keeping them here means a Django
upgrade is checked in one file: ``motcua/core/tests/test_orm.py`` pins each behaviour relied on.

Checked against Django 5.2.19 (the pinned version) with psycopg 3.3.9.

Why each is needed:

* ``objects_insert``, ``rows_insert``, ``concrete_fields`` — ``Options.concrete_fields`` (not in the
  documented ``_meta`` API, which offers ``get_fields()``; ``concrete_fields`` is its stable, cached
  filter) and ``CursorWrapper.cursor`` (the DB-API cursor under Django's wrapper, for psycopg's
  ``COPY``). The catalogue import inserts
  ~2,300 procedures, their versions and ~11,000 process steps; ``bulk_create`` there spends most of
  its time quoting arrays in Python; COPY sends the rows as they are.
* ``prefetch_seed``, ``prefetched_rows`` — ``QuerySet._result_cache``, ``QuerySet._prefetch_done``
  and ``Model._prefetched_objects_cache``: the attributes ``prefetch_related_objects`` itself sets. The
  receipt path puts rows it has just read or written into a relation's cache instead of reading them
  again (queries per submission).
* ``queryset_sql``, ``rows_insert_select`` — ``QuerySet.query.get_compiler().as_sql()``:
  ``QuerySet.query`` is documented as opaque. Used to compile a query once and run its SQL with a
  cursor on a hot read path, and to write a grouped SELECT into a table without reading its rows
  (the rebuild of a counter from millions of jobs).
* ``PreparedQuery`` — ``SQLCompiler.as_sql``/``select``/``klass_info``/``col_count``/
  ``get_converters`` and ``query.get_related_populators``: what ``ModelIterable`` does for every
  queryset, done once per query shape and database connection. Django compiles a queryset's SQL anew
  on every evaluation — for the dossier, token and step reads of every API request that was most of
  the request's CPU (issue 9: ~10 ms of compilation against ~3 ms of execution for one dossier read).
* ``PreparedInsert`` — ``sql.InsertQuery``, ``SQLInsertCompiler.as_sql``/``returning_fields``/
  ``returning_params``/``get_converters``, ``DatabaseOperations.fetch_returned_insert_columns`` and
  ``Model._prepare_related_fields_for_save``:
  what ``Model.save()`` does for a new row, compiled once per model and connection. Every transition
  inserts an event and most a step; the ORM built each INSERT anew (issue 9 round 2: ~1 ms each).
* ``PreparedUpdate`` — the same for ``save(update_fields=…)`` of an existing row: its UPDATE (built as
  ``SQLUpdateCompiler`` writes it, every placeholder ``%s``) kept per column set. The transition's
  dossier UPDATE was the last ORM compilation of an action (~1 ms).
* ``on_commit_pending`` — ``BaseDatabaseWrapper.run_on_commit`` (undocumented list of
  ``(savepoint ids, callback, robust)``): the callbacks ``transaction.on_commit`` queued and that a
  commit has not run yet. Django drops a callback when its transaction or savepoint rolls back, which
  is exactly what ``core.selectors.ReferenceDataFollower`` needs to know whether this connection holds
  reference-data writes that are not committed (there is no public rollback hook).
* ``in_transaction`` — ``BaseDatabaseWrapper.in_atomic_block`` (undocumented attribute): whether the
  caller is inside ``transaction.atomic()``, for functions that require the caller's transaction
  (transactional outbox) or must not start parallel connections that could not see it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import MultipleObjectsReturned
from django.db import DatabaseError, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet, signals
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql import InsertQuery

_M = TypeVar("_M", bound=models.Model)
_C = TypeVar("_C")
_T = TypeVar("_T")


def concrete_fields(model: type[models.Model]) -> list[Any]:
    """The model's fields that have a column, in table order (``Options.concrete_fields``)."""
    return list(model._meta.concrete_fields)


def rows_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (values ready for the database) into ``table``'s ``columns``, no ORM involved:
    COPY on PostgreSQL (``CursorWrapper.cursor`` is psycopg's cursor), one ``executemany`` elsewhere."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders})", list(rows))


def rows_insert_select(table: str, columns: Sequence[str], rows: QuerySet[Any]) -> int:
    """``INSERT INTO table (columns) <the SELECT of rows>`` (a ``values_list`` in column order), in the
    database: the ORM has no INSERT … SELECT. Returns the rows inserted."""
    sql, params = queryset_sql(rows, using=connection.alias)
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(table)} ({names}) {sql}", params)
        return int(cursor.rowcount)


def objects_insert(model: type[_M], objs: Sequence[_M]) -> None:
    """Insert many new rows without the ORM's per-row SQL compilation; primary keys are not set.

    The values are prepared exactly as the ORM would (``pre_save`` fills auto_now fields,
    ``get_db_prep_save`` adapts JSON and decimals), then sent by ``rows_insert`` — the ORM's bulk
    insert on PostgreSQL sends one array per column that psycopg quotes element by element in Python.
    No signals are sent: callers restamp what they cache.
    """
    if not objs:
        return
    fields = [f for f in concrete_fields(model) if not f.primary_key]
    rows = ([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs)
    rows_insert(model._meta.db_table, [f.column for f in fields], rows)


def prefetch_seed(obj: models.Model, name: str, rows: Sequence[Any]) -> None:
    """Put ``rows`` in ``obj``'s prefetch cache for relation ``name``, as ``prefetch_related`` would.

    For rows already in memory (just read or just written): ``obj.<name>.all()`` then makes no query;
    ``filter()`` still goes to the database, as after ``prefetch_related``.
    """
    qs = getattr(obj, name).all()
    qs._result_cache = list(rows)
    qs._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


def prefetched_rows(obj: models.Model, name: str) -> list[Any] | None:
    """The rows ``prefetch_related`` (or ``prefetch_seed``) put in ``obj``'s cache for relation
    ``name``; None when that relation was not prefetched."""
    qs = getattr(obj, "_prefetched_objects_cache", {}).get(name)
    return None if qs is None else list(qs)


def queryset_sql(qs: QuerySet[Any], *, using: str) -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters ``qs`` runs on database ``using``."""
    sql, params = qs.query.get_compiler(using=using).as_sql()
    return sql, tuple(params)


def on_commit_pending(kind: type[_C], using: str | None = None) -> _C | None:
    """The last callback of class ``kind`` that ``transaction.on_commit`` queued on this connection and
    that is still alive (its savepoints not rolled back) and not yet run; None if there is none."""
    conn = transaction.get_connection(using)
    if not conn.in_atomic_block:
        return None
    for _savepoints, callback, _robust in reversed(conn.run_on_commit):
        if isinstance(callback, kind):
            return callback
    return None


def in_transaction(using: str | None = None) -> bool:
    """Whether the caller runs inside ``transaction.atomic()`` on database ``using`` (default: default)."""
    return bool(transaction.get_connection(using).in_atomic_block)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]  # the compiled parameters, sentinels included
    slots: Mapping[str, tuple[int, ...]]  # parameter name → its positions in ``params``
    select: Any
    klass_info: dict[str, Any] | None
    converters: list[tuple[int, tuple[list[Any], Any]]]
    init_list: list[str]
    fields_start: int
    fields_end: int


class _PerConnection(Generic[_T]):
    """What a prepared statement compiled for each database connection (compiled once, under a lock
    so two threads of a gthread worker sharing a connection object do not both compile it)."""

    def __init__(self, compile: Callable[[BaseDatabaseWrapper, str], _T]) -> None:
        self._compile = compile
        self._by_connection: dict[BaseDatabaseWrapper, _T] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """On how many connections it has been compiled."""
        return len(self._by_connection)

    def get(self, conn: BaseDatabaseWrapper, alias: str) -> _T:
        compiled = self._by_connection.get(conn)
        if compiled is None:
            with self._lock:
                compiled = self._by_connection.get(conn) or self._compile(conn, alias)
                self._by_connection[conn] = compiled
        return compiled


class PreparedQuery(Generic[_M]):
    """A fixed-shape model query compiled once per database connection, then run with new values.

    ``build(sentinels)`` returns the queryset, written with the values of ``sentinels`` (name → a
    value of the right type that no real parameter takes, e.g. ``{"code": "\\x00code\\x00"}``) where
    the real values go; ``rows(code=…)`` runs the compiled SQL with them and returns model instances
    exactly as iterating the queryset would (``select_related`` objects included, database converters
    applied), without compiling it again; ``tuples(…)`` the rows of a ``values_list()`` queryset. For
    hot, fixed queries only: no annotations, no prefetch, no ``values()`` dicts; ``select_for_update``
    is allowed (call it inside the transaction). Every sentinel
    must appear among the compiled parameters (a filter Django compiles away is refused at once).
    """

    def __init__(
        self, build: Callable[[Mapping[str, Any]], QuerySet[_M, Any]], sentinels: Mapping[str, Any]
    ) -> None:
        self.build = build
        self.sentinels = dict(sentinels)
        self._compiled: _PerConnection[_Compiled] = _PerConnection(self._compile)

    def _compile(self, conn: BaseDatabaseWrapper, alias: str) -> _Compiled:
        qs = self.build(self.sentinels)
        lookups = getattr(qs, "_prefetch_related_lookups", ())
        flat_values = qs._iterable_class is ValuesListIterable and not qs.query.extra_select
        if lookups or not (
            flat_values or (qs._iterable_class is ModelIterable and not qs.query.annotation_select)
        ):
            raise ValueError("PreparedQuery: plain model querysets or values_list() only")
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = tuple(params)
        slots = {
            name: tuple(
                i for i, value in enumerate(params) if value == sentinel and type(value) is type(sentinel)
            )
            for name, sentinel in self.sentinels.items()
        }
        missing = [name for name, positions in slots.items() if not positions]
        if missing:
            raise ValueError(f"PreparedQuery: parameters not in the compiled query: {missing}")
        select = compiler.select
        klass_info = None if flat_values else compiler.klass_info  # values_list(): no model
        fields = klass_info["select_fields"] if klass_info else [-1]
        start, end = fields[0], fields[-1] + 1
        converters = compiler.get_converters([s[0] for s in select[0 : compiler.col_count]])
        return _Compiled(
            sql=sql,
            params=params,
            slots=slots,
            select=select,
            klass_info=klass_info,
            converters=list(converters.items()),
            init_list=[f[0].target.attname for f in select[start:end]] if klass_info else [],
            fields_start=start,
            fields_end=end,
        )

    def _fetch(self, using: str, values: Mapping[str, Any]) -> tuple[_Compiled, list[list[Any]]]:
        conn = connections[using]
        compiled = self._compiled.get(conn, using)
        params = list(compiled.params)
        for name, positions in compiled.slots.items():
            for i in positions:
                params[i] = values[name]
        with conn.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        rows = []
        for raw in fetched:
            row = list(raw)
            for pos, (convs, expression) in compiled.converters:
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, conn)
                row[pos] = value
            rows.append(row)
        return compiled, rows

    def tuples(self, *, using: str = "default", **values: Any) -> list[tuple[Any, ...]]:
        """The rows of a ``values_list()`` queryset built with ``values``, as tuples."""
        compiled, rows = self._fetch(using, values)
        if compiled.klass_info:
            raise ValueError("PreparedQuery.tuples: for values_list() querysets; use rows()")
        return [tuple(row) for row in rows]

    def rows(self, *, using: str = "default", **values: Any) -> list[_M]:
        """The instances the queryset built with ``values`` gives (``values``: one per sentinel)."""
        compiled, rows = self._fetch(using, values)
        if not compiled.klass_info:
            raise ValueError("PreparedQuery.rows: for model querysets; use tuples()")
        populators = get_related_populators(compiled.klass_info, compiled.select, using)
        model_cls = compiled.klass_info["model"]
        result = []
        for row in rows:
            obj = model_cls.from_db(
                using, compiled.init_list, row[compiled.fields_start : compiled.fields_end]
            )
            for populator in populators:
                populator.populate(row, obj)
            result.append(obj)
        return result

    def one(self, *, using: str = "default", **values: Any) -> _M | None:
        """The single row (a query on a unique key), or None."""
        found = self.rows(using=using, **values)
        if len(found) > 1:
            raise MultipleObjectsReturned(f"{len(found)} rows for a one-row query")
        return found[0] if found else None


@dataclass(frozen=True)
class _CompiledInsert:
    sql: str
    tail: tuple[Any, ...]  # parameters after the row's values (the backend's RETURNING parameters)
    returning: list[Any]  # the fields the INSERT returns (the primary key), in order
    returning_params: Any
    converters: list[tuple[int, tuple[list[Any], Any]]]


class PreparedInsert(Generic[_M]):
    """``obj.save()`` of a new ``model`` row with its SQL compiled once per database connection.

    ``insert(obj)`` writes every concrete column as ``save()`` would on insert — values prepared by the
    same field methods (``pre_save`` fills ``auto_now``/``auto_now_add``, ``get_db_prep_save`` adapts
    JSON, datetimes, decimals), the primary key returned and set, ``_state`` marked saved, ``pre_save``/
    ``post_save`` sent when something listens — without building and compiling the INSERT again. For
    plain models only: no multi-table inheritance, no field with its own SQL placeholder (e.g. a
    geometry), no expression as a value (``F()``: refused, use ``save()``); the caller must not have
    set the primary key.
    """

    def __init__(self, model: type[_M]) -> None:
        opts = model._meta
        if opts.parents or opts.proxy:
            raise ValueError("PreparedInsert: plain models only (no inheritance, no proxy)")
        self.model = model
        self.fields = [f for f in opts.concrete_fields if not f.primary_key]
        if any(hasattr(f, "get_placeholder") for f in self.fields):
            raise ValueError("PreparedInsert: a field with its own SQL placeholder")
        self._compiled: _PerConnection[_CompiledInsert] = _PerConnection(self._compile)

    def _compile(self, conn: BaseDatabaseWrapper, alias: str) -> _CompiledInsert:
        # The SQL of a one-row INSERT does not depend on the values (every placeholder is %s, checked
        # below): compile it with an unsaved instance and keep the text.
        query = InsertQuery(self.model)
        query.insert_values(self.fields, [self.model()], raw=False)
        compiler = query.get_compiler(using=alias)
        returning = list(self.model._meta.db_returning_fields)
        compiler.returning_fields = returning
        [(sql, params)] = compiler.as_sql()
        returning_params = getattr(compiler, "returning_params", ())
        tail = tuple(params[len(self.fields) :])
        if len(params) != len(self.fields) + len(tuple(returning_params or ())) or sql.count("%s") != len(
            params
        ):
            raise ValueError("PreparedInsert: the INSERT does not take one parameter per column")
        can_return = conn.features.can_return_columns_from_insert
        table = self.model._meta.db_table
        converters = compiler.get_converters([f.get_col(table) for f in returning]) if can_return else {}
        return _CompiledInsert(
            sql=sql,
            tail=tail,
            returning=returning if can_return else [],
            returning_params=returning_params,
            converters=list(converters.items()),
        )

    def insert(self, obj: _M, *, using: str = "default") -> _M:
        """Insert ``obj`` (a new instance of the model) and return it, saved."""
        if obj.pk is not None:
            raise ValueError("PreparedInsert: the instance already has a primary key")
        conn = connections[using]
        compiled = self._compiled.get(conn, using)
        model = self.model
        # As Model.save(): a related object saved after it was assigned gives its key now (and an
        # unsaved one is refused).
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        if signals.pre_save.has_listeners(model):
            signals.pre_save.send(sender=model, instance=obj, raw=False, using=using, update_fields=None)
        values = []
        for f in self.fields:
            value = f.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                raise ValueError(f"PreparedInsert: {f.name} is an expression; use save()")
            values.append(f.get_db_prep_save(value, conn))
        with conn.cursor() as cursor:
            cursor.execute(compiled.sql, (*values, *compiled.tail))
            if compiled.returning:
                row = list(conn.ops.fetch_returned_insert_columns(cursor, compiled.returning_params))
            else:  # a backend without RETURNING: the auto-increment key
                pk = model._meta.pk
                assert pk is not None
                row = [conn.ops.last_insert_id(cursor, model._meta.db_table, pk.column)]
        returning = compiled.returning or [model._meta.pk]
        for pos, (convs, expression) in compiled.converters:
            for converter in convs:
                row[pos] = converter(row[pos], expression, conn)
        for value, field in zip(row, returning, strict=True):
            setattr(obj, field.attname, value)
        obj._state.adding = False
        obj._state.db = using
        if signals.post_save.has_listeners(model):
            signals.post_save.send(
                sender=model, instance=obj, created=True, update_fields=None, raw=False, using=using
            )
        return obj


class PreparedUpdate(Generic[_M]):
    """``obj.save(update_fields=fields)`` with the UPDATE's SQL built once per column set and connection.

    The values are prepared as ``save()`` prepares them (``pre_save`` — ``auto_now`` is refreshed only
    when named, as with ``update_fields`` —, then ``get_db_prep_save``), ``pre_save``/``post_save``
    are sent when something listens, and a row that no longer exists raises ``DatabaseError`` as
    ``save(update_fields=…)`` does. Not for models whose ``save()`` does more (call that logic first),
    fields with their own SQL placeholder, or expressions as values (``F()``: refused, use ``save()``).
    """

    def __init__(self, model: type[_M]) -> None:
        opts = model._meta
        if opts.parents or opts.proxy:
            raise ValueError("PreparedUpdate: plain models only (no inheritance, no proxy)")
        self.model = model
        self._sql: dict[tuple[BaseDatabaseWrapper, tuple[str, ...]], tuple[str, list[Any]]] = {}

    def _build(self, conn: BaseDatabaseWrapper, names: tuple[str, ...]) -> tuple[str, list[Any]]:
        opts = self.model._meta
        fields: list[Any] = [opts.get_field(name) for name in names]
        if any(not f.concrete or f.primary_key or hasattr(f, "get_placeholder") for f in fields):
            raise ValueError(f"PreparedUpdate: not plain columns: {names}")
        quote = conn.ops.quote_name
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        pk = opts.pk
        assert pk is not None
        table = quote(opts.db_table)
        sql = f"UPDATE {table} SET {assignments} WHERE {table}.{quote(pk.column)} = %s"
        return sql, fields

    def update(self, obj: _M, *, fields: Iterable[str], using: str = "default") -> None:
        """Write ``fields`` (field names) of ``obj``, an existing row, in one UPDATE."""
        names = tuple(dict.fromkeys(fields))
        if not names:
            return
        conn = connections[using]
        key = (conn, names)
        built = self._sql.get(key)
        if built is None:
            built = self._sql.setdefault(key, self._build(conn, names))
        sql, field_objs = built
        model = self.model
        obj._prepare_related_fields_for_save(operation_name="save", fields=field_objs)  # type: ignore[attr-defined]
        update_fields = frozenset(names)
        if signals.pre_save.has_listeners(model):
            signals.pre_save.send(
                sender=model, instance=obj, raw=False, using=using, update_fields=update_fields
            )
        values = []
        for f in field_objs:
            value = f.pre_save(obj, False)
            if hasattr(value, "resolve_expression"):
                raise ValueError(f"PreparedUpdate: {f.name} is an expression; use save()")
            values.append(f.get_db_prep_save(value, conn))
        pk = model._meta.pk
        assert pk is not None
        values.append(pk.get_db_prep_value(obj.pk, conn))
        with conn.cursor() as cursor:
            cursor.execute(sql, values)
            updated = cursor.rowcount
        if not updated:
            raise DatabaseError("Save with update_fields did not affect any rows.")
        obj._state.adding = False
        obj._state.db = using
        if signals.post_save.has_listeners(model):
            signals.post_save.send(
                sender=model, instance=obj, created=False, update_fields=update_fields, raw=False, using=using
            )
