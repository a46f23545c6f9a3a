-- Under an ORDER BY, SQLite merges the arms of INTERSECT and EXCEPT and
-- never runs the right arm when the left one has no row, so an error there
-- does not surface; without ORDER BY both arms run (differential seed 600831).
CREATE TABLE t(x);
INSERT INTO t VALUES(1), (2);
CREATE TABLE e(y INTEGER);
INSERT INTO e VALUES(-9223372036854775808);
-- ordered
SELECT x FROM t WHERE 0 INTERSECT SELECT abs(y) FROM e ORDER BY 1;
-- ordered
SELECT x FROM t WHERE 0 EXCEPT SELECT abs(y) FROM e ORDER BY 1;
SELECT x FROM t WHERE 0 INTERSECT SELECT abs(y) FROM e;
SELECT x FROM t INTERSECT SELECT 2;
SELECT x FROM t EXCEPT SELECT 2;
