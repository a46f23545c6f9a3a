-- A COLLATE anywhere inside an operator, CASE, BETWEEN, IN, LIKE or IS NULL
-- gives the expression's value that collation, as SQLite's EP_Collate (the
-- first operand's, else the first other one's; LIKE: the pattern's first):
-- it orders a compound and decides an outer comparison (differential
-- seed 1200131).
-- ordered
SELECT 'B' UNION ALL SELECT 'a' UNION ALL SELECT ('x' COLLATE NOCASE) = 'y' ORDER BY 1;
-- ordered
SELECT 'B' UNION ALL SELECT 'a' UNION ALL SELECT ('x' COLLATE NOCASE) || 'y' ORDER BY 1;
-- ordered
SELECT 'B' UNION ALL SELECT 'a' UNION ALL SELECT NOT ('x' COLLATE NOCASE) ORDER BY 1;
-- ordered
SELECT 'B' UNION ALL SELECT 'a' UNION ALL SELECT ('x' COLLATE NOCASE) BETWEEN 'a' AND 'z' ORDER BY 1;
-- ordered
SELECT 'B' UNION ALL SELECT 'a' UNION ALL SELECT ('x' COLLATE NOCASE) LIKE ('y' COLLATE BINARY) ORDER BY 1;
-- ordered
SELECT 'B' UNION ALL SELECT CASE WHEN 1 COLLATE NOCASE THEN 'a' END ORDER BY 1;
SELECT 'B' < CASE WHEN 1 COLLATE NOCASE THEN 'a' END, 'B' < ('a' || ('' COLLATE NOCASE));
