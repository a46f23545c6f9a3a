-- An UPDATE without WHERE visits the rows in rowid order (SQLite scans the
-- table, not an index), which decides which row OR IGNORE skips (finding F3).
CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE);
INSERT INTO t VALUES(3, -1);
INSERT INTO t VALUES(10, -5);
UPDATE OR IGNORE t SET a = 2;
SELECT a, b FROM t;
