-- SQLite folds x IN () / x NOT IN () to 0 / 1 while parsing, so an
-- aggregate over outer columns inside x never makes the outer query an
-- aggregate (found by sqlfix, seeds 28 and 187; finding F1's rule).
CREATE TABLE t0(c0, c1);
CREATE TABLE t1(c0, c1);
SELECT ((SELECT min(a1.c0) FROM t0 AS a2)) NOT IN () FROM t1 AS a1;
INSERT INTO t1 VALUES(1, 2);
SELECT ((SELECT min(a1.c0) FROM t0 AS a2)) NOT IN (), (SELECT sum(a1.c1) IN () FROM t0) FROM t1 AS a1;
-- an aggregate whose argument holds a subquery over its own query's source
INSERT INTO t0 VALUES(1, 1);
SELECT (SELECT count(a1.c0 IN (SELECT a3.c1 FROM t0 AS a4 WHERE a4.c0 = a3.c0)) FROM t0 AS a3) FROM t1 AS a1;
