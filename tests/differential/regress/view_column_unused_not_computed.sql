-- A view column the query does not read is never computed (SQLite flattens
-- the view), so its errors do not surface (found by sqlfix, seed 75; F15).
CREATE TABLE t1(c0 DOUBLE, c1 NUMERIC);
INSERT INTO t1 VALUES(NULL, -9223372036854775808);
CREATE VIEW v0(c0, c1) AS SELECT a0.c1, abs(a0.c1) FROM t1 AS a0;
SELECT 7 FROM v0 AS a0;
SELECT a0.c0 FROM v0 AS a0;
SELECT count(*) FROM v0 AS a0, t1 AS a1;
