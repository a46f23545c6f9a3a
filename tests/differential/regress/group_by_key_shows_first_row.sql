-- GROUP BY shows the group key as the first row of the group holds it
-- (3.0 and 3 are one group; SQLite shows 3.0) (finding F14).
CREATE TABLE g(k COLLATE NOCASE, n);
INSERT INTO g VALUES(3.0, 1), (3, 2);
SELECT k, count(*) FROM g GROUP BY k;
CREATE TABLE h(k, n);
INSERT INTO h VALUES(3.0, 1), (3, 2);
SELECT k, count(*) FROM h GROUP BY k;
