-- An aggregate whose arguments name only outer columns belongs to the outer
-- query: the outer query becomes an aggregate (one row), and nesting it in
-- another aggregate of that query is "misuse of aggregate" (finding F1).
CREATE TABLE t(a);
CREATE TABLE u(b);
INSERT INTO u VALUES(1);
SELECT (SELECT sum(t.a) FROM u) FROM t;
INSERT INTO t VALUES(1), (2);
SELECT (SELECT sum(t.a) FROM u) FROM t;
SELECT count((SELECT avg(t.a) FROM u)) FROM t;
