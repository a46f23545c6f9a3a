-- x IN (list) evaluates the list elements in turn up to the first equal
-- one, all of them when x is NULL, so an error in one surfaces as in
-- SQLite (differential seed 501580).
CREATE TABLE t1(c0 INTEGER PRIMARY KEY, c3);
INSERT INTO t1 VALUES(-9223372036854775808, x'616263');
SELECT NULL IN (abs(c0), 1) FROM t1;
SELECT 1 IN (1, abs(c0)) FROM t1;
SELECT 2 IN (1, abs(c0)) FROM t1;
SELECT NULL IN (1, 2), NULL NOT IN (1, NULL);
