-- A constant ON term of an inner join after a RIGHT or FULL JOIN is
-- checked before any row, as SQLite hoists it: false, the query has no
-- rows and its WHERE never runs (differential seed 600109).
CREATE TABLE t0(c0, c3 INT);
CREATE TABLE t1(c0 INTEGER PRIMARY KEY, c1);
CREATE TABLE t2(c0);
INSERT INTO t1 VALUES(1, -9223372036854775808);
INSERT INTO t2 VALUES(5);
SELECT t0.c3, t1.c1 FROM t0 FULL JOIN t1 ON 0 INNER JOIN t2 ON 2 IS 1.5e-7 WHERE abs(t1.c1);
SELECT t0.c3, t1.c1, t2.c0 FROM t0 RIGHT JOIN t1 ON 1 JOIN t2 ON 1;
