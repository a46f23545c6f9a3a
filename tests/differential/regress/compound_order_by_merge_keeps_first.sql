-- Under an ORDER BY SQLite merges the sorted arms of a compound: of rows
-- that compare equal (0 and 0.0), UNION keeps the right arm's first if it
-- has one, else the left arm's first; INTERSECT and EXCEPT keep the left
-- arm's first (without ORDER BY the last one read stays, finding F6)
-- (differential seed 701085).
CREATE TABLE t(x);
INSERT INTO t VALUES(0.0), (0), (1);
-- ordered
SELECT x FROM t UNION SELECT 5 ORDER BY 1;
-- ordered
SELECT 0 UNION SELECT x FROM t ORDER BY 1;
-- ordered
SELECT x FROM t UNION SELECT 0 ORDER BY 1 DESC;
-- ordered
SELECT 0 UNION SELECT 0.0 UNION SELECT x FROM t ORDER BY 1;
-- ordered
SELECT 0.0 UNION ALL SELECT x FROM t UNION SELECT 7 ORDER BY 1;
-- ordered
SELECT x FROM t EXCEPT SELECT 5 ORDER BY 1;
-- ordered
SELECT x FROM t INTERSECT SELECT 0 ORDER BY 1;
SELECT x FROM t UNION SELECT 5;
