-- A RIGHT JOIN level looks its rows up through its ON terms only: a WHERE
-- term used there would drop rows that matched, which the pass over the
-- unmatched rows would then add back with NULLs (differential seed 800400).
CREATE TABLE t3(c0 INTEGER PRIMARY KEY, c1 BLOB, c2 INTEGER);
CREATE INDEX t3_i0 ON t3(c2, c2);
CREATE TABLE t2(c0 TEXT);
INSERT INTO t3(c0, c1) VALUES(3, x'');
INSERT INTO t2 VALUES('a'), ('b');
SELECT a0.c0, a1.c0, a1.c2 FROM t3 AS a0 RIGHT JOIN t3 AS a1 ON 2 != 7 WHERE a0.c0 IS a1.c2;
SELECT a0.c0, a1.c0 FROM t3 AS a0 RIGHT JOIN t3 AS a1 ON 1 JOIN t2 AS a2 WHERE a0.c0 IS a1.c2;
SELECT a0.c0, a1.c0 FROM t3 AS a0 RIGHT JOIN t3 AS a1 ON a0.c0 = a1.c0, t2 AS a2 WHERE a0.c0 IS a1.c2;
SELECT a0.c0, a1.c0 FROM t3 AS a0 FULL JOIN t3 AS a1 ON 1 WHERE a1.c2 = a0.c0;
