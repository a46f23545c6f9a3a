-- x IN (SELECT e ...) compares as x = e: a literal x takes the collation
-- of the subquery's column (of a compound, its last arm's); an explicit
-- COLLATE wins (differential seed 501726).
CREATE TABLE t(c COLLATE RTRIM, d);
INSERT INTO t VALUES(' ', 'A');
CREATE TABLE u(x, y COLLATE NOCASE);
INSERT INTO u VALUES('', 'a');
SELECT '' IN (SELECT c FROM t), '' IN (SELECT (c) FROM t), '' NOT IN (SELECT c FROM t);
SELECT x IN (SELECT c FROM t), x IN (SELECT c COLLATE RTRIM FROM t) FROM u;
SELECT y IN (SELECT d FROM t), (y COLLATE BINARY) IN (SELECT d FROM t) FROM u;
SELECT 'a' IN (SELECT d COLLATE NOCASE FROM t);
SELECT '' IN (SELECT c FROM t UNION SELECT 5), '' IN (SELECT 5 UNION SELECT c FROM t);
