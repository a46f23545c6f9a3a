-- A rowid alias that is not an integer fails with "datatype mismatch"
-- before NOT NULL is checked (SQLite converts the rowid first), so OR
-- IGNORE does not skip the row (differential seed 800757).
CREATE TABLE z(a INTEGER PRIMARY KEY NOT NULL, b NOT NULL DEFAULT 5);
INSERT OR IGNORE INTO z VALUES('x', NULL);
INSERT OR IGNORE INTO z VALUES(1, NULL);
INSERT INTO z VALUES(2, 1);
UPDATE OR IGNORE z SET a = 'y', b = NULL;
UPDATE OR REPLACE z SET a = 'y', b = NULL;
