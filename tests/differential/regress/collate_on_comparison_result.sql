-- (a < b) COLLATE NOCASE gives the comparison's result a collation; the
-- comparison itself keeps its operands' (BINARY here) (found by sqlfix).
CREATE TABLE t0(c0 INTEGER PRIMARY KEY, c3 NUMERIC);
INSERT INTO t0 VALUES(2, 2147483647), (10, 'Abc'), (3, x'3132');
SELECT c0, ('a_c' < t0.c3) COLLATE NOCASE FROM t0;
DELETE FROM t0 WHERE ('a_c' < t0.c3) COLLATE NOCASE;
SELECT max('a', 'B') COLLATE NOCASE, CASE 'a' WHEN 'A' THEN 1 ELSE 0 END COLLATE NOCASE;
