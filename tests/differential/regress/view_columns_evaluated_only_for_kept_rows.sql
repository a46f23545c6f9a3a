-- A view or FROM subquery column is evaluated only for the rows the outer
-- query keeps (SQLite flattens it), so its errors do not surface (F15).
CREATE TABLE t(a);
INSERT INTO t VALUES(-9223372036854775808);
CREATE VIEW v AS SELECT a, abs(a) AS b FROM t;
SELECT b FROM v WHERE a > 0;
SELECT b FROM (SELECT a, abs(a) AS b FROM t) WHERE a > 0;
