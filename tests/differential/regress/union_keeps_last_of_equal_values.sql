-- UNION of values that compare equal but differ in storage class keeps the
-- one SQLite's distinct index holds last (finding F6).
SELECT 0 UNION SELECT 0.0;
SELECT 0.0 UNION SELECT 0;
SELECT 1 UNION SELECT 1.0 UNION SELECT 2;
