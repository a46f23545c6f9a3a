-- A statement that fires a trigger compiles the trigger's program when it
-- is prepared: an error in the body fails it even when no row fires the
-- trigger, as in SQLite (exec_trigger.c G8; the trigger bodies leftover).
CREATE TABLE e1(a);
CREATE TABLE e2(b);
CREATE TRIGGER e1i AFTER INSERT ON e1 BEGIN INSERT INTO nosuch VALUES(new.a); END;
INSERT INTO e1 SELECT 1 WHERE 0;
DROP TRIGGER e1i;
CREATE TRIGGER e1d BEFORE DELETE ON e1 BEGIN SELECT old.nosuch; END;
DELETE FROM e1;
DROP TRIGGER e1d;
CREATE TRIGGER e1c AFTER INSERT ON e1 BEGIN INSERT INTO e2 VALUES(new.a); END;
CREATE TRIGGER e2c AFTER INSERT ON e2 BEGIN INSERT INTO e1 VALUES(new.b + 1); END;
INSERT INTO e1 VALUES(5);
DROP TABLE e2;
INSERT INTO e1 SELECT 9 WHERE 0;
INSERT INTO e1 VALUES(9);
