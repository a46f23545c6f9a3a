-- SQLite's two-pass UPDATE (OR REPLACE, a changed rowid) finds the target
-- rowids first, then reads each row again when it gets there and evaluates
-- SET over it: a row an earlier target moved onto that rowid is the one
-- updated, and a target that is gone is skipped (finding F3).
CREATE TABLE t(a INTEGER PRIMARY KEY, b, c UNIQUE);
INSERT INTO t VALUES(1, 10, 'x'), (2, 20, 'y'), (3, 30, 'z'), (5, 50, 'w');
UPDATE OR REPLACE t SET a = a + 1, b = b + 1;
SELECT * FROM t;
UPDATE OR REPLACE t SET c = 'q', b = (SELECT count(*) FROM t) WHERE a < 5;
SELECT * FROM t;
INSERT INTO t VALUES(10, 1, 'm'), (11, 2, 'n');
UPDATE OR REPLACE t SET a = 11, b = b * 100 WHERE a >= 10;
SELECT * FROM t;
