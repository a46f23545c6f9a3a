-- coalesce() and ifnull() stop at the first argument that is not NULL,
-- and iif() evaluates one branch, as SQLite's inline code does: an error
-- in an argument never reached does not surface (differential seed 800069;
-- expr_eval.c E5).
CREATE TABLE t1(c0 INTEGER PRIMARY KEY, c1);
INSERT INTO t1 VALUES(-9223372036854775808, 2), (0, NULL);
SELECT coalesce(c1, abs(c0)) FROM t1 WHERE c0 < 0;
SELECT coalesce((SELECT total(c0) FROM t1 WHERE 0), abs(c0)), ifnull(1, abs(c0)) FROM t1;
SELECT iif(c0 < 0, 'neg', abs(c0)), iif(NULL, abs(c0), 4) FROM t1;
SELECT coalesce(NULL, NULL, c1), typeof(coalesce(NULL, 1.5)), ifnull(c1, 'none') FROM t1;
SELECT coalesce(c1, abs(c0)) FROM t1;
