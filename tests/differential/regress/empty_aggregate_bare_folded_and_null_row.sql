-- An aggregate query with no input row evaluates its bare expressions
-- over null rows, as SQLite does: x IS NOT NULL on a never-NULL x is 1
-- (folded), and a flattened view's column is the view's expression over
-- null rows (differential seeds 200015, 200007; expr.c X6, agg.c A5).
CREATE TABLE t1(c0 INTEGER PRIMARY KEY, c1);
CREATE TABLE t3(c0, c1);
CREATE VIEW v(c0, c1, c2) AS SELECT c0 IS NULL, coalesce(c1, 'none'), (c0 IN (SELECT c0 FROM t3 WHERE t1.c1)) IS NOT NULL FROM t1;
SELECT a0.c0 IS NOT NULL, max(NULL, a0.c0, a1.c0), (SELECT avg(a1.c0) FROM t3 AS a2) FROM t1 AS a0 LEFT JOIN t3 AS a1 ON 1 WHERE a1.c0 IN ();
SELECT count(*), c0, c1, c2 FROM v;
SELECT count(*), c0 NOTNULL, rowid ISNULL FROM t1;
INSERT INTO t3 VALUES(1, 2);
SELECT count(*), c0, c1, c2 FROM v;
SELECT count(*), x.c0, x.c1 FROM t3 LEFT JOIN v AS x ON 0;
