-- x BETWEEN lo AND hi compares each bound as x >= lo and x <= hi do: a
-- literal x takes the collation of a column bound (NOCASE here), each
-- bound its own (differential seed 500041).
CREATE TABLE t1(c0 VARCHAR(10) NOT NULL COLLATE NOCASE, c1 BIGINT, c2 INTEGER NOT NULL);
INSERT INTO t1 VALUES('Abc', -9223372036854775808, 2147483647), (2147483647, 4294967296, -3);
SELECT 'a_c' BETWEEN '0x10' AND c0, 'a_c' BETWEEN c0 AND 'zz', c0 BETWEEN 'ABC' AND 'abc' FROM t1;
SELECT 'a_c' BETWEEN '0x10' AND c0 COLLATE BINARY, 'a_c' COLLATE BINARY BETWEEN '0x10' AND c0 FROM t1;
UPDATE t1 SET c2 = (t1.c1 IS NULL) NOT BETWEEN 'a_c' BETWEEN '0x10' AND t1.c0 AND (t1.c2);
