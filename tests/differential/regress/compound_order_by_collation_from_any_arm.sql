-- ORDER BY on a compound SELECT takes the collation of the result column
-- from the first arm that has one, here the second (finding F12).
CREATE TABLE t(c COLLATE NOCASE);
INSERT INTO t VALUES('Abc'), ('a_c');
-- ordered
SELECT 1 AS x UNION SELECT c FROM t ORDER BY 1;
-- ordered
SELECT c FROM t UNION SELECT 'B' ORDER BY 1;
