-- CASE x WHEN y compares as x = y does: with neither side's COLLATE, the
-- collation of the first side that is a column, so a literal base meets a
-- NOCASE column under NOCASE (differential seed 1100003).
CREATE TABLE t3(c0 INTEGER PRIMARY KEY, c1 TEXT COLLATE NOCASE, c2);
INSERT INTO t3 VALUES(1, 'it''s', 0.5), (0, 'Abc', 'abc');
SELECT CASE 'abc' WHEN c1 THEN 1 ELSE 0 END FROM t3;
SELECT CASE c1 WHEN 'abc' THEN 1 ELSE 0 END FROM t3;
SELECT CASE c2 WHEN c1 THEN 1 ELSE 0 END FROM t3;
SELECT CASE 'abc' WHEN c1 COLLATE BINARY THEN 1 ELSE 0 END FROM t3;
SELECT CASE 'abc' COLLATE BINARY WHEN c1 THEN 1 ELSE 0 END FROM t3;
