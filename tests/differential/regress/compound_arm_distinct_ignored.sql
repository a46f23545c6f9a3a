-- Without ORDER BY the arms of a UNION, INTERSECT or EXCEPT (and of a
-- UNION ALL under one) go into the compound's temporary index, and SQLite
-- drops their own DISTINCT: of equal rows (0.0 and 0) the index keeps the
-- last, not the one the arm's DISTINCT would keep (differential seed 900492).
CREATE TABLE t(x);
INSERT INTO t VALUES(0.0), (0), (1);
SELECT 5 UNION SELECT DISTINCT x FROM t;
SELECT DISTINCT x FROM t EXCEPT SELECT 5;
SELECT DISTINCT x FROM t INTERSECT SELECT x FROM t;
SELECT DISTINCT x FROM t UNION ALL SELECT DISTINCT x FROM t UNION SELECT 7;
SELECT DISTINCT x FROM t UNION ALL SELECT 7;
-- ordered
SELECT 5 UNION SELECT DISTINCT x FROM t ORDER BY 1;
