-- An UPDATE whose WHERE reads the table being updated: SQLite 3.40 visits
-- rows in rowid order and the subquery sees rows already changed (finding
-- F13; check against 3.45 before deciding which behaviour to keep).
CREATE TABLE w(a);
INSERT INTO w VALUES(1), (2), (3);
UPDATE w SET a = a + 10 WHERE EXISTS (SELECT 1 FROM w AS u WHERE u.a = w.a - 1);
SELECT a FROM w;
