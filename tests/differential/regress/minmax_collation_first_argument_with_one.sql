-- Scalar max(), min() and nullif() compare with the collation of the first
-- argument that has one (a column's or a COLLATE's), not always the first
-- argument's (differential seed 2201423; compile expr.c X10).
CREATE TABLE t1(c0 NUMERIC, c1 COLLATE NOCASE, c2 BIGINT NOT NULL);
INSERT INTO t1 VALUES(100, 'abc', 2), (7, 'ABD', 3);
SELECT max('Abc', a0.c1), round(a0.c2), a0.c0 NOTNULL FROM t1 AS a0;
SELECT max('Abc', c1), min('Abc', c1), max(c1, 'Abc'), min(c1, 'Abc'), max(c0, c1), max(c1 || '', 'ABC') FROM t1;
SELECT max(c0, c1 COLLATE NOCASE), min('X' COLLATE BINARY, c1), nullif('ABC', c1), nullif(c1, 'ABC') FROM t1;
