-- ORDER BY ... NULLS FIRST / NULLS LAST override where NULLs sort
-- (finding F5: ChorusDB ignores them).
CREATE TABLE t(a, b);
INSERT INTO t VALUES(1, NULL), (1, 0), (2, NULL);
-- ordered
SELECT b FROM t ORDER BY 1 NULLS LAST;
-- ordered
SELECT b FROM t ORDER BY 1 DESC NULLS FIRST;
-- ordered
SELECT a, b FROM t ORDER BY a DESC, b NULLS LAST;
