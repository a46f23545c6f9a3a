-- SQLite folds x IS [NOT] NULL to a constant while resolving names when x
-- is never NULL (NOT NULL column, rowid, literal; not the null side of an
-- outer join), and x IN () AND y while parsing: an aggregate whose outer
-- column sits only there belongs to its own query (finding F1).
CREATE TABLE t(a NOT NULL, b, c INTEGER PRIMARY KEY);
CREATE TABLE u(x NOT NULL, y);
INSERT INTO t VALUES(1, NULL, 1), (2, 5, 2), (3, 6, 3);
INSERT INTO u VALUES(10, 1), (20, 2);
SELECT (SELECT count(t.a IS NOT NULL) FROM u) FROM t;
SELECT (SELECT count(t.b IS NOT NULL) FROM u) FROM t;
SELECT (SELECT sum(t.c ISNULL) + sum(-t.rowid NOTNULL) FROM u) FROM t;
SELECT (SELECT count(t.b AND t.a IN ()) FROM u) FROM t;
SELECT (SELECT count(t.a IN () OR t.b) FROM u) FROM t;
SELECT (SELECT (SELECT count(w.x NOTNULL) FROM u AS v) FROM t AS z LEFT JOIN u AS w ON w.y = z.c) FROM t;
