-- The ON terms of a LEFT JOIN that read only its right-side view (or
-- nothing) filter the view's rows first, so a view column of a row that can
-- never match is not computed (found by sqlfix, seed 75; F15).
CREATE TABLE t0(c0 INTEGER PRIMARY KEY, c2 DEFAULT '-7');
CREATE TABLE t1(c0 DOUBLE, c1 NUMERIC);
INSERT INTO t0 VALUES(1, 2);
INSERT INTO t1 VALUES(123.456, -4294967296), (NULL, -9223372036854775808);
CREATE VIEW v0(c0, c1) AS SELECT a0.c1, abs(a0.c1) FROM t1 AS a0;
SELECT a1.c1 FROM t0 AS a0 LEFT JOIN v0 AS a1 ON 0 = 1;
SELECT a0.c0, a1.c1 FROM t0 AS a0 LEFT JOIN v0 AS a1 ON a1.c0 > 0;
SELECT a1.c1 FROM t0 AS a0 JOIN v0 AS a1 ON a1.c0 > 0;
