-- x IS [NOT] TRUE / FALSE is SQLite's truth test (never NULL), also when
-- the right side is y [NOT] IN (), which the parser turns into TRUE or
-- FALSE; a column named "true" stays a column (differential seed 800335).
CREATE TABLE t(x);
INSERT INTO t VALUES(5), (0), (NULL), ('abc'), (0.5);
SELECT x IS TRUE, x IS FALSE, x IS NOT TRUE, x IS NOT FALSE FROM t;
SELECT x IS (1 NOT IN ()), x IS (1 IN ()), x IS NOT (2 NOT IN ()) FROM t;
SELECT x IS TRUE COLLATE NOCASE, x IS (FALSE) FROM t;
SELECT x FROM t WHERE x IS NOT FALSE;
CREATE TABLE u("true");
INSERT INTO u VALUES(5);
SELECT 5 IS true FROM u;
