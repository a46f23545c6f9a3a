-- examples/example.sql: a small database to explore in the shell
-- (built into build/example.db by ci/build).
CREATE TABLE IF NOT EXISTS author(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    born INTEGER
);
CREATE TABLE IF NOT EXISTS book(
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES author(id),
    title TEXT NOT NULL,
    year INTEGER,
    pages INTEGER
);
CREATE INDEX IF NOT EXISTS book_author ON book(author_id);
INSERT OR IGNORE INTO author(id, name, born) VALUES
    (1, 'Ursula K. Le Guin', 1929),
    (2, 'Italo Calvino', 1923),
    (3, 'Octavia E. Butler', 1947);
INSERT OR IGNORE INTO book(id, author_id, title, year, pages) VALUES
    (1, 1, 'The Left Hand of Darkness', 1969, 304),
    (2, 1, 'The Dispossessed', 1974, 387),
    (3, 2, 'Invisible Cities', 1972, 165),
    (4, 2, 'If on a winter''s night a traveler', 1979, 260),
    (5, 3, 'Kindred', 1979, 264),
    (6, 3, 'Parable of the Sower', 1993, 345);
