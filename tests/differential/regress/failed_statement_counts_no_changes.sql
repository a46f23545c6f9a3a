-- A statement that fails and is rolled back counts none of its own rows:
-- changes() is 0 after it and total_changes() keeps only what its triggers'
-- statements counted; OR FAIL keeps the rows it wrote and counts them
-- (exec_dml.c W3; found with differential seed 2300106).
CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE);
CREATE TABLE log(x);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES(new.a); END;
INSERT INTO t VALUES(1, 1), (2, 2);
SELECT changes(), total_changes();
INSERT INTO t VALUES(3, 3), (4, 1);
SELECT changes(), total_changes();
UPDATE t SET b = 5;
SELECT changes(), total_changes();
INSERT INTO t VALUES(5, 5), ('x', 6);
SELECT changes(), total_changes();
BEGIN;
INSERT INTO t VALUES(7, 7), (8, 1);
SELECT changes(), total_changes();
INSERT OR FAIL INTO t VALUES(9, 9), (10, 1);
SELECT changes(), total_changes();
UPDATE OR ROLLBACK t SET b = 5;
SELECT changes(), total_changes();
CREATE TRIGGER tr2 BEFORE INSERT ON t WHEN new.a = 20 BEGIN SELECT RAISE(FAIL, 'nope'); END;
INSERT INTO t VALUES(19, 19), (20, 20);
SELECT changes(), total_changes();
CREATE TRIGGER tr3 BEFORE INSERT ON t WHEN new.a = 30 BEGIN SELECT RAISE(ABORT, 'nope'); END;
INSERT INTO t VALUES(29, 29), (30, 30);
SELECT changes(), total_changes();
INSERT INTO t VALUES(41, 41), (42, 29) RETURNING a;
SELECT changes(), total_changes();
