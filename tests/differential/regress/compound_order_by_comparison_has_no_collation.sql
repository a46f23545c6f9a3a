-- A comparison's 0/1 result carries no collation, even when it compares
-- under its operand's NOCASE: a compound's ORDER BY over such an arm (the
-- other arm having none either) sorts BINARY (differential seed 700004).
CREATE TABLE t0(c0 TEXT COLLATE NOCASE, c2 INT);
CREATE TABLE t1(c1 TEXT);
INSERT INTO t1 VALUES('a'), ('ABC');
INSERT INTO t0 VALUES('x', 1);
-- ordered
SELECT coalesce(c1, 1) FROM t1 UNION ALL SELECT (c0) <> 'x' FROM t0 ORDER BY 1;
-- ordered
SELECT coalesce(c1, 1) FROM t1 UNION ALL SELECT c0 IN ('y') FROM t0 ORDER BY 1;
-- ordered
SELECT coalesce(c1, 1) FROM t1 UNION ALL SELECT c0 BETWEEN 'a' AND 'z' FROM t0 ORDER BY 1;
-- ordered
SELECT coalesce(c1, 1) FROM t1 UNION ALL SELECT +c0 FROM t0 ORDER BY 1;
-- ordered
SELECT coalesce(c1, 1) FROM t1 UNION SELECT (c0 = 'X') COLLATE NOCASE FROM t0 ORDER BY 1;
