-- In a condition (WHERE, ON, HAVING, CASE WHEN), x OR 1 is 1 and x AND 0
-- is 0 without evaluating x, as SQLite simplifies them; only integer
-- literals, TRUE / FALSE and y [NOT] IN () count (not -1, 1.5, '1' or
-- 1 COLLATE NOCASE); in a value x is evaluated (differential seed 700410).
CREATE TABLE t(x INTEGER);
INSERT INTO t VALUES(-9223372036854775808);
SELECT 1 FROM t WHERE abs(x) OR 1;
SELECT 1 FROM t WHERE abs(x) OR TRUE;
SELECT 1 FROM t WHERE abs(x) OR (5 NOT IN ());
SELECT 1 FROM t WHERE abs(x) OR (0 OR 1);
SELECT 1 FROM t WHERE (abs(x) OR 2) AND x;
SELECT CASE WHEN abs(x) OR 1 THEN 5 END FROM t;
SELECT count(*) FROM t HAVING abs(min(x)) OR 1;
SELECT 1 FROM t JOIN t AS u ON abs(u.x) OR 1;
SELECT 1 FROM t WHERE abs(x) OR -1;
SELECT 1 FROM t WHERE abs(x) OR 1.5;
SELECT 1 FROM t WHERE abs(x) OR 1 COLLATE NOCASE;
SELECT abs(x) OR 1 FROM t;
