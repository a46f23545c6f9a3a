-- With RETURNING, a view with any trigger at all is a DML target (SQLite's
-- quirk): the matching INSTEAD OF triggers run (none here), RETURNING shows
-- each row, nothing is written and changes() counts nothing. Without
-- RETURNING the statements fail with "cannot modify".
CREATE TABLE t(a INTEGER PRIMARY KEY, b, c);
INSERT INTO t VALUES(1, 'x', 'y'), (2, 'p', 'q');
CREATE VIEW v AS SELECT a, b, c FROM t;
CREATE TRIGGER tr INSTEAD OF DELETE ON v BEGIN SELECT 1; END;
UPDATE v SET c = 'z' WHERE a = 1 RETURNING *;
INSERT INTO v VALUES(5, 6, 7), (8, 9, 10) RETURNING a, c;
UPDATE v SET c = 'z' WHERE a = 1;
INSERT INTO v VALUES(5, 6, 7);
CREATE TABLE x(a);
CREATE VIEW w AS SELECT a FROM x;
DROP TABLE x;
UPDATE w SET a = 1 RETURNING a;
