-- UPDATE OR REPLACE runs in two passes in SQLite: targets are written in
-- ascending rowid order, and a target a REPLACE already removed is skipped
-- (not counted by changes()) (found by sqlfix, seeds 49 and 156).
CREATE TABLE t0(c0 BIGINT UNIQUE, c1 NOT NULL, c2 DATE);
INSERT INTO t0 VALUES('  abc', 100, 100);
INSERT INTO t0 VALUES(-1, 2, 1.0);
UPDATE OR REPLACE t0 SET c0 = -1, c1 = -2.0;
SELECT rowid, * FROM t0;
CREATE TABLE t1(c0 FLOAT, c1 BIGINT UNIQUE DEFAULT 10, PRIMARY KEY(c1, c0));
INSERT INTO t1 VALUES(9.3e18, 7);
INSERT INTO t1 VALUES(9.3e18, '-0');
UPDATE OR REPLACE t1 SET c1 = 0 WHERE t1.c1 <= 9223372036854775807 AND t1.c0;
SELECT rowid, * FROM t1;
