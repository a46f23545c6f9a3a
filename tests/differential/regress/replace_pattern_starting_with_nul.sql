-- replace(X, P, Y) with a pattern whose first byte is NUL returns X as it
-- was: SQLite reads the pattern as a C string (found by sqlfix, seed 107).
CREATE TABLE t0(c0 TEXT PRIMARY KEY, c1 FLOAT);
INSERT INTO t0 VALUES('1', -0.0);
UPDATE t0 SET c1 = quote(replace(t0.c1, x'00ff', 10));
SELECT c0, c1, typeof(c1) FROM t0;
SELECT quote(replace(1.5, x'0041', 'z')), replace('abc', x'00', 'z');
