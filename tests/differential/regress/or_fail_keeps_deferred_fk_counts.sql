-- OR FAIL keeps the rows written before the failing one, and with them
-- their deferred foreign key violations: COMMIT then fails (the counter
-- is not restored as after ABORT).
PRAGMA foreign_keys = ON;
CREATE TABLE p(id INTEGER PRIMARY KEY);
CREATE TABLE c(id INTEGER PRIMARY KEY, pid REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED, u UNIQUE);
INSERT INTO p VALUES(1);
INSERT INTO c VALUES(100, 1, 'dup');
BEGIN;
INSERT OR FAIL INTO c VALUES(1, 99, 'a'), (2, 1, 'dup');
COMMIT;
ROLLBACK;
BEGIN;
INSERT OR ABORT INTO c VALUES(1, 99, 'a'), (2, 1, 'dup');
COMMIT;
