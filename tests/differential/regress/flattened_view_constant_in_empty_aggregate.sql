-- An aggregate query over no rows shows a bare column of a view (or FROM
-- subquery) that SQLite flattens as the view's expression when that reads
-- no column: a constant, or an uncorrelated subquery, not NULL
-- (differential seeds 100062, 100129, 100221; outer aggregates, F1).
CREATE TABLE t0(c0, c1);
CREATE TABLE t1(c0, c1);
CREATE VIEW v1(c0) AS SELECT ' ' FROM t0 AS a1;
CREATE VIEW v2(c0, c1) AS SELECT EXISTS (SELECT 1 FROM t1), a.c1 FROM t0 AS a WHERE 0;
SELECT (SELECT avg(a0.c0) FROM t1), a0.c0 || a0.c0 FROM v1 AS a0;
SELECT a0.c0, a0.c1, (SELECT sum(a0.c0) FROM t1) FROM v2 AS a0;
SELECT count(*), a0.c0 FROM v1 AS a0;
SELECT count(*), s.c0 FROM (SELECT 7 AS c0 FROM t1) AS s;
SELECT count(*), s.c0 FROM (SELECT DISTINCT 7 AS c0 FROM t1) AS s;
SELECT count(*), s.c0 FROM t1 LEFT JOIN (SELECT 7 AS c0 FROM t0) AS s ON 1;
INSERT INTO t0 VALUES(1, 2);
SELECT count(*), a0.c0 FROM v1 AS a0;
SELECT count(*), s.c0 FROM t1 LEFT JOIN (SELECT 7 AS c0 FROM t0) AS s ON 1;
