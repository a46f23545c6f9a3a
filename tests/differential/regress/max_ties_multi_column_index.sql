-- max(x) with an index led by x that has more columns (or is DESC) reads
-- ties in that index's order, so the bare row is not simply the one of
-- largest rowid: it stays the first row of the largest x here
-- (differential seed 600311; agg.c A2).
CREATE TABLE t3(c0 BIGINT, c1 DATE UNIQUE, c2);
CREATE INDEX t3_i1 ON t3(c0 DESC, c1);
INSERT INTO t3 VALUES(9, -3, 'first'), (9, 7, 'second'), (1, 0, 'low');
SELECT max(c0), c2 FROM t3;
CREATE TABLE u(a, b);
CREATE INDEX ua ON u(a);
INSERT INTO u VALUES(2, 'x'), (2, 'y'), (1, 'z');
SELECT max(a), b FROM u;
