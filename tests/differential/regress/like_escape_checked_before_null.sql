-- LIKE checks its ESCAPE before its operands: a NULL ESCAPE gives NULL, a
-- bad one fails even when the string or the pattern is NULL, as SQLite's
-- like() does (differential seed 1000306).
CREATE TABLE t(x);
INSERT INTO t VALUES(NULL), ('a%');
SELECT x LIKE 'a' ESCAPE NULL FROM t;
SELECT x LIKE 'a\%' ESCAPE '\' FROM t;
SELECT NULL LIKE 'b' ESCAPE 'ab';
SELECT 'a' LIKE NULL ESCAPE 'ab';
SELECT x LIKE 'a' ESCAPE 'ab' FROM t WHERE x IS NULL;
