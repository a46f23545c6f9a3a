-- A WHERE term is not pushed into a view that aggregates, also when its
-- aggregate sits in a subquery but belongs to the view's query (found by
-- sqlfix; F1 and F15 together).
CREATE TABLE t0(c0 INTEGER PRIMARY KEY, c2, c4);
INSERT INTO t0 VALUES(1, 4294967296, -1), (2, x'41', 2);
CREATE VIEW v1(c0, c1, c2) AS SELECT a2.c2, a2.c2, (SELECT count(a2.c4) FROM t0 AS a3) FROM t0 AS a2;
SELECT count(*) FROM v1;
SELECT EXISTS (SELECT 1 FROM v1 AS a2 WHERE a2.c1);
SELECT c2 FROM v1 WHERE c1;
