-- An aggregate whose argument names the subquery's own column only inside
-- x IS NULL, x never NULL, belongs to the outer query (the test folds to a
-- constant first, X6 and X4); its arguments then compile in the outer
-- query, where the folded test must still fold, not fail with "no such
-- column" (differential seeds 700038, 700058).
CREATE TABLE t1(c0 INTEGER PRIMARY KEY, c1);
INSERT INTO t1 VALUES(1, 2), (3, 4);
SELECT (SELECT min(CASE WHEN a1.c0 IS NULL THEN a0.c0 ELSE a0.c0 END) FROM t1 AS a1) FROM t1 AS a0;
SELECT (SELECT sum(a0.c1 + (a1.c0 NOTNULL)) FROM t1 AS a1) FROM t1 AS a0;
SELECT (SELECT count(a1.c1 IS NULL) FROM t1 AS a1) FROM t1 AS a0;
SELECT (SELECT (SELECT count(a2.c0 ISNULL) + sum(a0.c1) FROM t1 AS a2) FROM t1 AS a1) FROM t1 AS a0;
