"""Full-text search that works in Chinese (issue 16): character bigrams in a side table.

Most Chinese words are two characters, written without spaces, so a text is indexed by its
character bigrams ("楼道灯不亮" → 楼道 道灯 灯不 不亮); a search for n ≥ 2 characters asks for all
of its bigrams through the index, then checks that the term itself is in the text (the bigrams of
"道灯楼" are in "楼道灯" too). A single character has no bigram: its search reads the side table's
text (a scan, but of one narrow column). Words are split at whitespace and punctuation, Chinese
punctuation included; no bigram spans a separator, and a query of several words asks for each.

Each searched model has a side table `<table>` (never a column on the model: other code writes
the model's table), kept by database triggers on the model's table and on the table of its notes
(the timeline), so every write path — actions, the API, bulk `COPY` — keeps it current, and a
migration builds it for the rows already there (`install`). The tables, written by the triggers:

- PostgreSQL: `(id, body, terms)`, `terms` a `tsvector` of the bigrams (weights A, B, C by field,
  positions kept, built without a text-search parser so nothing depends on the locale) with a GIN
  index, `body` the normalised text for the exact check; ranked by `ts_rank`.
- SQLite: an FTS5 table (tokenizer `ascii`: a bigram is one token) with one column of bigrams per
  field and the normalised text `UNINDEXED`; ranked by `bm25`. The triggers call the Python
  functions `linli_bigrams` and `linli_search_text`, registered on every SQLite connection
  (`register_sqlite_functions`, connected in CoreConfig.ready).

Normalisation (`normalise`) is the same character for character in Python and in SQL: the
separators become spaces and ASCII letters lower case, nothing else, so the index and the query
always agree and positions in the normalised text are positions in the original (highlighting).
"""

import string
from dataclasses import dataclass, field

from django.db import connection as default_connection
from django.db.models import FloatField, Q, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

SEPARATORS = " \t\n\r\x0b\x0c" + string.punctuation + "\u3000，。、；：？！“”‘’（）【】《》〈〉「」『』〔〕…—～·￥｜"
_FOLD_FROM = SEPARATORS + string.ascii_uppercase
_FOLD_TO = " " * len(SEPARATORS) + string.ascii_lowercase
_FOLD = str.maketrans(_FOLD_FROM, _FOLD_TO)
MAX_WORDS = 8
PG_MAX_POSITION = 16383  # a tsvector position's upper bound

# the longest search a list takes (a field error beyond: words, not a document)
MAX_QUERY = 100


def normalise(text) -> str:
    """Separators to spaces, ASCII letters to lower case: one character for one."""
    return (text or "").translate(_FOLD)


def words(query) -> list[str]:
    """The words of a query, each once, in order (at most MAX_WORDS)."""
    found: list[str] = []
    for word in normalise(query).split(" "):
        if word and word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def bigrams(text) -> list[str]:
    """The character bigrams of a text, in order, none spanning a separator."""
    s = normalise(text)
    return [s[i : i + 2] for i in range(len(s) - 1) if " " not in s[i : i + 2]]


def _query_bigrams(terms: list[str]) -> list[str]:
    return sorted({b for w in terms for b in bigrams(w)})


def _to_check(terms: list[str]) -> list[str]:
    """The words the text must be read for: a two-character word is its own bigram, found exactly
    through the index; a longer one may have all its bigrams apart; a single character has none."""
    return [t for t in terms if len(t) != 2]


def register_sqlite_functions(sender, connection, **kwargs):
    """The functions the SQLite triggers call (connected to `connection_created`)."""
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("linli_bigrams", 1, lambda t: " ".join(bigrams(t)), deterministic=True)
        raw.create_function("linli_search_text", 1, normalise, deterministic=True)


@dataclass(frozen=True)
class TextIndex:
    """The search index of one model: its side table, the text fields by weight (A, B, C, D,
    most important first) and optionally the notes of a child table (a timeline)."""

    table: str
    source: str  # the model's table
    fields: tuple[str, ...]
    weights: tuple[str, ...]
    notes: tuple[str, str, str] | None = None  # (table, column pointing at the row, text column)
    notes_weight: str = "C"
    # a boolean column of the notes' table: only the notes where it is true are indexed (a topic's
    # step records on the community board, not the staff's internal ones)
    notes_when: str | None = None
    # scope columns copied into the side table (PostgreSQL): a search in a sub-district's scope
    # then reads that sub-district's matches only, before the join with the model's table
    narrow: tuple[str, ...] = ()
    sqlite_weights: dict = field(default_factory=lambda: {"A": 4.0, "B": 2.0, "C": 1.0, "D": 0.5})

    # ---- queries ----------------------------------------------------------------------------
    def search(self, queryset, query: str, rank: bool = True, scope=None):
        """`queryset` narrowed to the rows whose text has every word of `query` (2 characters or
        more through the index), best first (then the queryset's own order) when `rank`. `scope`
        (core.scope.Scope), when given, must cover every row of `queryset`: the side table is read
        in it first (a superset; `queryset`'s own scope still decides)."""
        terms = words(query)
        if not terms:
            return queryset
        vendor = default_connection.vendor
        grams = _query_bigrams(terms)
        order = list(queryset.query.order_by or queryset.model._meta.ordering)
        t = self.table
        if rank and grams:
            # joined, not a subquery per row: the rank is read from the row the match found; ties
            # newest first by id, a column of the side table, so the best rows are sorted there and
            # only a page of them is joined with the model's table and its related rows
            if vendor == "postgresql":
                conditions, params = self._pg_conditions(terms, self._within(scope, queryset.model), f"{t}.")
                score, score_params = f"ts_rank({t}.terms, %s::tsquery)", [self._tsquery(grams)]
                row = f"{t}.id"
            else:
                conditions, params = self._sqlite_conditions(terms, f"{t}.")
                weights = ", ".join(str(self.sqlite_weights[w]) for w in self._sqlite_weights())
                score, score_params, row = f"-bm25({t}, {weights})", [], f"{t}.rowid"
            return queryset.extra(  # noqa: S610 - names of the index, the words as parameters
                tables=[t],
                where=[f"{row} = {self.source}.id", *conditions],
                params=params,
                select={"search_rank": score, "search_id": row},
                select_params=score_params,
            ).order_by("-search_rank", "-search_id")
        if vendor == "postgresql":
            matching, params = self._pg_match(terms, self._within(scope, queryset.model))
        else:
            matching, params = self._sqlite_match(terms)
        queryset = queryset.filter(Q(pk__in=RawSQL(matching, params)))
        if not rank:
            return queryset
        # one character: no bigram to rank by, the list's own order
        return queryset.annotate(search_rank=Value(0.0, output_field=FloatField())).order_by("-search_rank", *order)

    @staticmethod
    def _tsquery(grams):
        return " & ".join(f"'{g}'" for g in grams)  # a bigram has no quote nor backslash: both separate

    @staticmethod
    def _fts_query(grams):
        return " AND ".join(f'"{g}"' for g in grams)  # nor a double quote

    def _within(self, scope, model):
        """The side table's condition for `scope` (a superset of it), or None when a level of the
        scope has no column here (or the scope is everything)."""
        if scope is None or scope.everything or not self.narrow:
            return None
        parts, params = [], []
        for level, ids in scope.ids.items():
            if not ids:
                continue
            column = model.scope_paths.get(level)
            if not isinstance(column, str) or column not in self.narrow:
                return None
            parts.append(f"{{prefix}}{column} = ANY(%s::bigint[])")
            params.append(sorted(ids))
        return (f"({' OR '.join(parts)})", params) if parts else None

    def _pg_conditions(self, terms, within=None, prefix=""):
        grams = _query_bigrams(terms)
        conditions = [f"{prefix}terms @@ %s::tsquery"] if grams else []
        params: list = [self._tsquery(grams)] if grams else []
        if within:
            conditions.append(within[0].format(prefix=prefix))
            params += within[1]
        for term in _to_check(terms):
            conditions.append(f"strpos({prefix}body, %s) > 0")
            params.append(term)
        return conditions, params

    def _pg_match(self, terms, within=None):
        conditions, params = self._pg_conditions(terms, within)
        return f"SELECT id FROM {self.table} WHERE {' AND '.join(conditions)}", params

    def _sqlite_conditions(self, terms, prefix=""):
        grams = _query_bigrams(terms)
        conditions = [f"{self.table} MATCH %s"] if grams else []
        params = [self._fts_query(grams)] if grams else []
        for term in _to_check(terms):
            conditions.append(f"instr({prefix}body, %s) > 0")
            params.append(term)
        return conditions, params

    def _sqlite_match(self, terms):
        conditions, params = self._sqlite_conditions(terms)
        return f"SELECT rowid FROM {self.table} WHERE {' AND '.join(conditions)}", params

    # ---- installation (migrations) -------------------------------------------------------------
    def _note_kept(self):
        """The condition on a new note (NEW.…) for it to be indexed."""
        _table, _fk, column = self.notes
        return f"NEW.{column} <> ''" + (f" AND NEW.{self.notes_when}" if self.notes_when else "")

    def _sqlite_weights(self):
        return [*self.weights, *([self.notes_weight] if self.notes else [])]

    def install(self, schema_editor):
        """Create the side table, its triggers and fill it for the rows already there."""
        statements = self._pg_install() if schema_editor.connection.vendor == "postgresql" else self._sqlite_install()
        for sql in statements:
            schema_editor.execute(sql, params=None)

    def uninstall(self, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TABLE IF EXISTS {self.table}", params=None)
            for fn in ("on_source", "on_note", "on_truncate", "refresh"):
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {self.table}_{fn} CASCADE", params=None)
        else:
            for trigger in ("insert", "update", "delete", "note"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.table}_{trigger}", params=None)
            schema_editor.execute(f"DROP TABLE IF EXISTS {self.table}", params=None)

    @staticmethod
    def pg_functions() -> list[str]:
        def literal(s):
            return "'" + s.replace("'", "''") + "'"

        return [
            "CREATE OR REPLACE FUNCTION linli_search_text(t text) RETURNS text LANGUAGE sql IMMUTABLE "
            f"PARALLEL SAFE AS $fn$ SELECT translate(coalesce(t, ''), {literal(_FOLD_FROM)}, {literal(_FOLD_TO)}) $fn$",
            # '漏水':3 … cast to a tsvector: no parser, so no locale; the separators include ' and \.
            # A loop in PL/pgSQL: seven times faster than generate_series, format and string_agg.
            "CREATE OR REPLACE FUNCTION linli_bigrams(t text) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE "
            "PARALLEL SAFE AS $fn$ DECLARE s text := linli_search_text(t); out text := ''; g text; BEGIN "
            "FOR i IN 1 .. length(s) - 1 LOOP g := substr(s, i, 2); IF strpos(g, ' ') = 0 THEN "
            f"out := out || '''' || g || ''':' || least(i, {PG_MAX_POSITION}) || ' '; END IF; END LOOP; "
            "RETURN out::tsvector; END $fn$",
        ]

    def _pg_row(self, where):
        texts = [f"linli_search_text(src.{f})" for f in self.fields]
        terms = [f"setweight(linli_bigrams(src.{f}), '{w}')" for f, w in zip(self.fields, self.weights, strict=True)]
        join = ""
        if self.notes:
            table, fk, column = self.notes
            notes = f"SELECT n.{fk} AS id, string_agg(n.{column}, E'\\n' ORDER BY n.id) AS notes FROM {table} n"
            kept = self._note_kept().replace("NEW.", "n.")
            join = (  # one row: its notes through the index; every row: grouped once
                f" LEFT JOIN LATERAL ({notes} WHERE n.{fk} = src.id AND {kept} GROUP BY n.{fk}) n ON true"
                if where
                else f" LEFT JOIN ({notes} WHERE {kept} GROUP BY n.{fk}) n ON n.id = src.id"
            )
            texts.append("linli_search_text(n.notes)")
            terms.append(f"setweight(linli_bigrams(n.notes), '{self.notes_weight}')")
        return (
            f"SELECT src.id, {''.join(f'src.{c}, ' for c in self.narrow)}"
            f"concat_ws(E'\\n', {', '.join(texts)}), {' || '.join(terms)} "
            f"FROM {self.source} src{join} {where}"
        )

    def _pg_install(self) -> list[str]:
        t = self.table
        changed = " OR ".join(f"OLD.{f} IS DISTINCT FROM NEW.{f}" for f in (*self.fields, *self.narrow))
        columns = ", ".join(["id", *self.narrow, "body", "terms"])
        narrow = "".join(f"{c} bigint, " for c in self.narrow)
        sql = [
            *self.pg_functions(),
            f"CREATE TABLE {t} (id bigint PRIMARY KEY, {narrow}body text NOT NULL, terms tsvector NOT NULL)",
            f"INSERT INTO {t} ({columns}) {self._pg_row('')}",
            f"CREATE INDEX {t}_terms ON {t} USING gin (terms)",
            *(f"CREATE INDEX {t}_{c} ON {t} ({c})" for c in self.narrow),
            f"ANALYZE {t}",
            f"CREATE OR REPLACE FUNCTION {t}_refresh(row_id bigint) RETURNS void LANGUAGE sql AS $fn$ "
            f"INSERT INTO {t} ({columns}) {self._pg_row('WHERE src.id = row_id')} ON CONFLICT (id) DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in (*self.narrow, "body", "terms"))
            + " $fn$",
            f"CREATE OR REPLACE FUNCTION {t}_on_source() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN DELETE FROM {t} WHERE id = OLD.id; ELSE PERFORM {t}_refresh(NEW.id); END IF; "
            "RETURN NULL; END $fn$",
            f"CREATE OR REPLACE FUNCTION {t}_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
            f"TRUNCATE {t}; RETURN NULL; END $fn$",
            f"CREATE TRIGGER {t}_insert AFTER INSERT ON {self.source} FOR EACH ROW EXECUTE FUNCTION {t}_on_source()",
            f"CREATE TRIGGER {t}_update AFTER UPDATE ON {self.source} FOR EACH ROW WHEN ({changed}) "
            f"EXECUTE FUNCTION {t}_on_source()",
            f"CREATE TRIGGER {t}_delete AFTER DELETE ON {self.source} FOR EACH ROW EXECUTE FUNCTION {t}_on_source()",
            f"CREATE TRIGGER {t}_truncate AFTER TRUNCATE ON {self.source} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {t}_on_truncate()",
        ]
        if self.notes:
            table, fk, column = self.notes
            sql += [
                f"CREATE OR REPLACE FUNCTION {t}_on_note() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN "
                f"PERFORM {t}_refresh(NEW.{fk}); RETURN NULL; END $fn$",
                f"CREATE TRIGGER {t}_note AFTER INSERT ON {table} FOR EACH ROW WHEN ({self._note_kept()}) "
                f"EXECUTE FUNCTION {t}_on_note()",
            ]
        return sql

    def _sqlite_install(self) -> list[str]:
        t, src = self.table, self.source
        columns = [*self.fields, *(["notes"] if self.notes else [])]
        text = " || char(10) || ".join(f"linli_search_text(NEW.{f})" for f in self.fields)
        sql = [
            f"CREATE VIRTUAL TABLE {t} USING fts5({', '.join(columns)}, notes_text UNINDEXED, body UNINDEXED, "
            "tokenize = 'ascii')",
        ]
        grams = ", ".join(f"linli_bigrams(NEW.{f})" for f in self.fields)
        fill = f"SELECT src.id, {grams.replace('NEW.', 'src.')}"
        if self.notes:
            table, fk, column = self.notes
            kept = self._note_kept().replace("NEW.", "n.")
            notes = f"(SELECT group_concat(n.{column}, char(10)) FROM {table} n WHERE n.{fk} = src.id AND {kept})"
            fill += (
                f", linli_bigrams({notes}), linli_search_text({notes}), "
                f"{text.replace('NEW.', 'src.')} || char(10) || linli_search_text({notes})"
            )
        else:
            fill += f", '', {text.replace('NEW.', 'src.')}"
        sql.append(f"INSERT INTO {t} (rowid, {', '.join(columns)}, notes_text, body) {fill} FROM {src} src")
        values = f"NEW.id, {grams}, " + ("'', '', " if self.notes else "'', ") + text
        changed = " OR ".join(f"OLD.{f} IS NOT NEW.{f}" for f in self.fields)
        sets = ", ".join(f"{f} = linli_bigrams(NEW.{f})" for f in self.fields)
        sql += [
            f"CREATE TRIGGER {t}_insert AFTER INSERT ON {src} BEGIN "
            f"INSERT INTO {t} (rowid, {', '.join(columns)}, notes_text, body) VALUES ({values}); END",
            f"CREATE TRIGGER {t}_update AFTER UPDATE ON {src} WHEN {changed} BEGIN "
            f"UPDATE {t} SET {sets}, body = {text} || char(10) || notes_text WHERE rowid = NEW.id; END",
            f"CREATE TRIGGER {t}_delete AFTER DELETE ON {src} BEGIN DELETE FROM {t} WHERE rowid = OLD.id; END",
        ]
        if self.notes:
            table, fk, column = self.notes
            sql.append(
                f"CREATE TRIGGER {t}_note AFTER INSERT ON {table} WHEN {self._note_kept()} BEGIN "
                f"UPDATE {t} SET notes = notes || ' ' || linli_bigrams(NEW.{column}), "
                f"notes_text = notes_text || char(10) || linli_search_text(NEW.{column}), "
                f"body = body || char(10) || linli_search_text(NEW.{column}) WHERE rowid = NEW.{fk}; END"
            )
        return sql


LEAD = 12  # characters shown before the first match of a long text


def match_spans(text, query) -> list[tuple[int, int]]:
    """Where the words of `query` are in `text` (merged, in order): positions in the normalised
    text are positions in the text itself."""
    folded, spans = normalise(text), []
    for term in words(query):
        start = folded.find(term)
        while start != -1:
            spans.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text, query, width: int = 60) -> str:
    """The text, HTML-escaped, with each match of `query` in <mark>; a text longer than `width`
    whose first match comes late starts shortly before it (…)."""
    text = str(text or "")
    spans = match_spans(text, query)
    begin = spans[0][0] - LEAD if spans and len(text) > width and spans[0][0] > LEAD else 0
    parts, pos = ["…"] if begin else [], begin
    for start, end in spans:
        parts += [escape(text[pos:start]), format_html("<mark>{}</mark>", text[start:end])]
        pos = end
    parts.append(escape(text[pos:]))
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part escaped above
