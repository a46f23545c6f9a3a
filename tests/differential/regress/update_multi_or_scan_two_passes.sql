-- An UPDATE whose target is found by a MULTI-INDEX OR scan runs in two
-- passes in SQLite (never one-pass over such a scan), so its rows are
-- written in ascending rowid order: which of two rows OR IGNORE keeps
-- depends on it (exec_dml.c W4; differential seed 2501334).
CREATE TABLE t0(c0 INTEGER PRIMARY KEY, c1 DOUBLE);
CREATE UNIQUE INDEX t0_i0 ON t0(c1);
INSERT INTO t0(c0, c1) VALUES(4294967296, '1e3');
INSERT INTO t0 VALUES(3, x'00ff');
UPDATE OR IGNORE t0 SET c1 = CAST(2.5 AS REAL) WHERE t0.c0 = 4294967296 OR t0.c1 >= 1.0 AND t0.c1 IS NOT x'616263';
CREATE TABLE t1(a INTEGER PRIMARY KEY, b UNIQUE, c);
CREATE INDEX t1c ON t1(c);
INSERT INTO t1 VALUES(10, 1, 'x'), (5, 2, 'y'), (7, 3, 'z');
UPDATE OR IGNORE t1 SET b = 9 WHERE a = 10 OR c = 'y' OR c = 'z';
DELETE FROM t1 WHERE a = 10 OR c = 'y';
