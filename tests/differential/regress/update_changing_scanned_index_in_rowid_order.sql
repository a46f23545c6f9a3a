-- An UPDATE whose scan reads an index the UPDATE changes runs in two passes
-- in SQLite, writing in ascending rowid order: that decides which row OR FAIL
-- changed before the failure (found by sqlfix; F3's rule).
CREATE TABLE t0(c0 INTEGER PRIMARY KEY, c1 DOUBLE NOT NULL, c2 FLOAT UNIQUE DEFAULT -1.25, c3 BOOLEAN COLLATE NOCASE);
INSERT INTO t0 VALUES(0, x'41', -0.0, ' 12 ');
INSERT INTO t0 VALUES(-9223372036854775808, 2, 1.0, 1);
UPDATE OR FAIL t0 SET c2 = (t0.c3) OR (2147483647 NOT NULL), c3 = -1 WHERE t0.c2 < x'00ff';
SELECT rowid, * FROM t0;
