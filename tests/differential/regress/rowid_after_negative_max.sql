-- A new rowid is one more than the largest rowid in the table, also when
-- that is negative (finding F2).
CREATE TABLE t(a INTEGER PRIMARY KEY, b);
INSERT INTO t VALUES(-3, 'x');
INSERT INTO t(b) VALUES('y');
SELECT rowid, a, b FROM t;
