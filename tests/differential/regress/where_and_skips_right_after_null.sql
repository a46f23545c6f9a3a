-- A WHERE, ON, HAVING or CASE WHEN condition is tested as SQLite's jumps
-- test it: an AND whose left side is NULL fails without evaluating its
-- right side, so abs(INT64_MIN) never raises "integer overflow" there; in
-- a value it still does (differential seed 100004; expr_eval.c E4).
CREATE TABLE t1(c1, c2 INT, c3);
INSERT INTO t1 VALUES(-9223372036854775808, NULL, -1);
SELECT c1 FROM t1 WHERE c3 > c2 AND abs(c1);
SELECT CASE WHEN c3 > c2 AND abs(c1) THEN 1 ELSE 2 END FROM t1;
SELECT count(*) FROM t1 GROUP BY c2 HAVING c2 > 0 AND abs(min(c1));
SELECT (c3 > c2 OR NULL) AND abs(c1) FROM t1 WHERE c3 < 0;
