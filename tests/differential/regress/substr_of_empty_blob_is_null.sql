-- substr() of a zero-length blob is NULL in SQLite (finding F11).
SELECT quote(substr(x'', 1)), quote(substr(x'', -1, 10));
SELECT quote(group_concat(substr(x'', -1, 10)));
