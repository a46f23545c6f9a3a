-- A CHECK constraint that fails under OR IGNORE drops the row (INSERT and
-- UPDATE), as SQLite does; under OR REPLACE it fails as ABORT (exec_dml.c
-- W2; found by the tests/sql/lang files of helper diff2).
CREATE TABLE ck(a CHECK(a > 0), b NOT NULL);
INSERT INTO ck VALUES(1, 1), (2, 2);
INSERT OR IGNORE INTO ck VALUES(-1, 1), (3, 3);
SELECT changes();
UPDATE OR IGNORE ck SET a = a - 2;
SELECT changes();
UPDATE OR REPLACE ck SET a = -1;
UPDATE OR FAIL ck SET a = 5 - a;
INSERT OR REPLACE INTO ck VALUES(-5, 1);
CREATE TABLE ck2(a INTEGER PRIMARY KEY, b CHECK(b > 0));
INSERT INTO ck2 VALUES(1, 1), (2, 2);
UPDATE OR IGNORE ck2 SET b = b - 1, a = a + 10;
INSERT INTO ck2 VALUES(5, 0) ON CONFLICT DO NOTHING;
INSERT OR IGNORE INTO ck2 SELECT a + 100, b - 1 FROM ck2;
