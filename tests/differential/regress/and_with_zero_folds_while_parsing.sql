-- SQLite's parser turns x AND 0 (or 0 AND x, x IN () AND x, and such an
-- AND inside another) into 0: x is never resolved, so an aggregate or an
-- unknown column there raises no error (differential seed 300312; X7).
CREATE TABLE t0(c0, c1);
CREATE TABLE t1(c0);
INSERT INTO t0 VALUES(1, 2);
INSERT INTO t1 VALUES(3);
SELECT c0 FROM t0 AS a0 WHERE (SELECT count(a0.c1) FROM t1 AS a1) AND 0 AND a0.c0 != NULL;
SELECT c0 FROM t0 WHERE count(c0) AND 0;
SELECT c0 FROM t0 WHERE 0 AND nosuch;
SELECT (1 AND 0) AND nosuch, 0 AND 1, 1 AND 0.0, c1 IN () AND nosuch FROM t0;
SELECT (SELECT count(t0.c1 AND 0) FROM t1) FROM t0;
SELECT c0 FROM t0 WHERE 0.0 AND nosuch;
