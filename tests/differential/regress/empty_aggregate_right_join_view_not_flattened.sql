-- A view on either side of a RIGHT or FULL JOIN is not flattened, so an
-- aggregate over no rows shows its bare columns as NULL, not as the view's
-- expression (differential seed 700195; agg.c A5).
CREATE TABLE t1(c0, c1);
CREATE TABLE t0(c1);
CREATE VIEW v1(c0, c1) AS SELECT c1, c0 IN () FROM t1;
SELECT (SELECT min(a1.c1) FROM t0), a1.c1, a0.c1 FROM v1 AS a0 RIGHT JOIN v1 AS a1 ON 1;
SELECT (SELECT min(a1.c1) FROM t0), a1.c1 FROM v1 AS a1;
SELECT count(*), a1.c1 FROM t0 LEFT JOIN v1 AS a1 ON 1;
