-- x IN (list) compares with the affinity of x alone, unlike x = y, which
-- takes the column's affinity (finding F10).
CREATE TABLE t(c1 TEXT);
INSERT INTO t VALUES('-3');
SELECT -3 = c1, -3 IN ('x', c1), -3 IN (c1), c1 IN (-3, 'x') FROM t;
SELECT -3 IN ('x', c1), -3 IN (c1) FROM (SELECT CAST('-3' AS TEXT) AS c1);
