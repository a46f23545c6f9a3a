"""chorusdb/sqltext.py: the little SQL text scanning the DB-API layer needs.

The engine parses SQL; this module only looks at text around it, the way sqlite3 does:
the first keyword of a statement (to open legacy implicit transactions before DML), whether
a prepared statement's tail still holds another statement ("You can only execute one
statement at a time."), and complete_statement() for shells.

Tokens are scanned, not parsed: quoted strings ('...', "...", `...`, [...]) and comments
(-- to end of line, /* ... */) are skipped as units, so a ';' inside them never counts.
Callers: chorusdb/dbapi2.py.
"""

_QUOTE_END = {"'": "'", '"': '"', "`": "`", "[": "]"}
DML_KEYWORDS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})


def _tokens(sql):
    """Yields (kind, text) for each token: 'word', 'punct', or 'open' for a string or
    comment that never ends (always the last token). Whitespace and comments vanish."""
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                yield "open", sql[i:]
                return
            i = end + 2
        elif c in _QUOTE_END:
            end = i + 1
            while True:
                end = sql.find(_QUOTE_END[c], end)
                if end < 0:
                    yield "open", sql[i:]
                    return
                if c != "[" and sql.startswith(c * 2, end):
                    end += 2   # a doubled quote stays inside the string
                    continue
                break
            yield "word", sql[i:end + 1]
            i = end + 1
        elif c.isalnum() or c == "_" or c == "$" or ord(c) > 127:
            start = i
            while i < n and (sql[i].isalnum() or sql[i] in "_$" or ord(sql[i]) > 127):
                i += 1
            yield "word", sql[start:i]
        else:
            yield "punct", c
            i += 1


def first_keyword(sql):
    """The statement's first word in upper case, or '' when there is none."""
    for kind, text in _tokens(sql):
        return text.upper() if kind == "word" else ""
    return ""


def is_dml(sql):
    """True for INSERT, UPDATE, DELETE and REPLACE, the statements before which the
    legacy transaction control of sqlite3 opens a transaction."""
    return first_keyword(sql) in DML_KEYWORDS


def is_blank(sql):
    """True when sql holds nothing but whitespace, comments and semicolons; a /* comment
    left open runs to the end of the text, as SQLite's tokenizer reads it."""
    return all((kind == "punct" and text == ";") or (kind == "open" and text.startswith("/*"))
               for kind, text in _tokens(sql))


def complete_statement(sql):
    """True if sql ends with one or more complete statements: its last token is a ';'
    outside strings and comments (for CREATE TRIGGER, the ';' after END)."""
    if not isinstance(sql, str):
        raise TypeError(f"complete_statement() argument must be str, not {type(sql).__name__}")
    words = []          # the words of the statement being read, upper case
    complete = False
    for kind, text in _tokens(sql):
        if kind == "open":
            return False
        if kind == "punct" and text == ";":
            if _is_trigger(words) and (not words or words[-1] != "END"):
                words.append(";")
                continue
            words, complete = [], True
        else:
            words.append(text.upper())
            complete = False
    return complete


def _is_trigger(words):
    """True if the statement's words begin CREATE [TEMP|TEMPORARY] TRIGGER."""
    rest = words[1:] if words[:1] == ["CREATE"] else None
    if rest and rest[0] in ("TEMP", "TEMPORARY"):
        rest = rest[1:]
    return bool(rest) and rest[0] == "TRIGGER"
