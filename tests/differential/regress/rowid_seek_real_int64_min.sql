-- A rowid lookup takes a real only when integer affinity makes it an
-- integer, which -9223372036854775808.0 does not become (SQLite keeps the
-- smallest and largest integers out), so it finds nothing, though the
-- comparison itself holds (differential seed 800695).
CREATE TABLE t(a INTEGER PRIMARY KEY, b);
INSERT INTO t VALUES(-9223372036854775808, 1), (9223372036854775807, 2);
SELECT b FROM t WHERE a = -9223372036854775808.0;
SELECT b FROM t WHERE a IN (-9223372036854775808.0, 9223372036854775807.0);
SELECT b FROM t WHERE rowid = -9223372036854775807.0;
SELECT b FROM t WHERE a = '-9223372036854775808';
SELECT b FROM t WHERE a >= -9223372036854775808.0;
SELECT a = -9223372036854775808.0 FROM t;
