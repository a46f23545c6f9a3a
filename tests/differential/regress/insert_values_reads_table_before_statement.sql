-- A multi-row INSERT whose values read the target table sees the table as
-- it was before the statement (SQLite materializes the rows first) (F7).
CREATE TABLE t(a INTEGER PRIMARY KEY, b);
INSERT INTO t VALUES(10, 'x'), ((SELECT max(a) FROM t), 'y');
SELECT a, b FROM t;
CREATE TABLE u(a INTEGER PRIMARY KEY, b);
INSERT INTO u VALUES(1, (SELECT count(*) FROM u)), (2, (SELECT count(*) FROM u));
SELECT a, b FROM u;
