-- SQLite quirk (finding F4): an OR REPLACE statement runs without a
-- statement journal, so when it fails with "datatype mismatch" inside an
-- explicit transaction the rows it wrote before the failure stay.
CREATE TABLE t(a INTEGER PRIMARY KEY, b);
BEGIN;
REPLACE INTO t VALUES(-3, 'x'), ('abc', 3.0);
SELECT a, b FROM t;
COMMIT;
SELECT a, b FROM t;
