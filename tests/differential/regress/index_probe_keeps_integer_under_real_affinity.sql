-- An index probe on a REAL column keeps an integer bound an integer, as a
-- comparison does (exec_loop.c L3, value_apply_compare_affinity): the REAL
-- 9223372036854775808.0 is above 9223372036854775806, so the range seek
-- finds it (differential seed 2102600). IN (SELECT ...) keeps SQLite's
-- storage conversion of its set (the integer becomes that REAL there).
CREATE TABLE t(r REAL, s REAL, i INTEGER, x TEXT);
CREATE INDEX ts ON t(s);
CREATE INDEX ti ON t(i);
INSERT INTO t VALUES(9223372036854775807, 9223372036854775807, 5, '5'), (1.5, 1.5, 2, '2.0'), (2, 2, 3, ' 3');
SELECT count(*) FROM t WHERE s > 9223372036854775806;
SELECT count(*) FROM t WHERE r > 9223372036854775806;
SELECT count(*) FROM t WHERE s >= 9223372036854775807;
SELECT count(*) FROM t WHERE s < 9223372036854775807;
SELECT count(*) FROM t WHERE s = 9223372036854775807;
SELECT count(*) FROM t WHERE s BETWEEN 9223372036854775806 AND 9223372036854775807;
SELECT count(*) FROM t WHERE s IN (9223372036854775807, 2, '1.5');
SELECT count(*) FROM t WHERE s IN (SELECT 9223372036854775807);
SELECT count(*) FROM t WHERE 9223372036854775807 IN (SELECT s FROM t);
SELECT count(*) FROM t WHERE s IN (SELECT x FROM t);
SELECT count(*) FROM t WHERE i IN (SELECT r FROM t);
SELECT count(*) FROM t WHERE s > '1.9';
SELECT count(*) FROM t WHERE i = '5.0';
SELECT count(*) FROM t WHERE i > 2.5;
