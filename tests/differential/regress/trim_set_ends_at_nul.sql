-- The character set of trim(), ltrim() and rtrim() is read as a C string in
-- SQLite: a NUL byte ends it (finding F9).
SELECT hex(ltrim(x'00ff', x'00ff'));
SELECT hex(trim(x'0041', x'00'));
SELECT hex(rtrim(x'410041', 'A'));
