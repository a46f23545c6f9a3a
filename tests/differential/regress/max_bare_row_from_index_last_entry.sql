-- A lone max(x) over one table (no WHERE path through another index), x an
-- index's first column, reads its last entry (SQLite's min/max optimization): bare
-- columns show the row of largest rowid among equal maxima; without such
-- an index the first of them (differential seed 200091; agg.c A2).
CREATE TABLE t(a REAL NOT NULL, b, c);
INSERT INTO t VALUES(1.0, 'first', 1), (1.0, 'second', 2), (0.5, 'low', 3);
SELECT max(a), b FROM t;
SELECT min(a), b FROM t;
CREATE INDEX ta ON t(a);
SELECT max(a), b FROM t;
SELECT max(a) + (0 OR c), b FROM t;
SELECT min(a), b FROM t;
SELECT max(a), b FROM t WHERE c > 0;
SELECT max(a), count(*), b FROM t;
