"""chorusdb/sqlite_names.py: the SQLITE_* integer constants sqlite3 has that the engine's
own code lists (chorus.h, exported by native/errors.c as CHORUS_* and SQLITE_*) do not, so
that code written against sqlite3 finds every name it uses.

Rules:
  S1. Values are SQLite's documented ones (sqlite3.h), never guessed: a result code the
      engine never returns still has SQLite's number, so comparisons against
      exc.sqlite_errorcode stay correct.
  S2. A name the engine defines is not repeated here: the engine's value wins (dbapi2.py
      installs these first and the engine's over them).
  S3. The authorizer action codes, SQLITE_DENY/SQLITE_IGNORE and the SQLITE_LIMIT_* ids
      are SQLite's numbers, which chorus_set_authorizer and chorus_limit take as they
      are (CHORUS_AUTH_*, CHORUS_DENY/IGNORE, CHORUS_LIMIT_* in chorus.h).
Callers: chorusdb/dbapi2.py.
"""

# Result codes (primary and extended) SQLite defines beyond the engine's list.
RESULT_CODES = {
    "EMPTY": 16, "NOLFS": 22, "FORMAT": 24, "NOTICE": 27, "WARNING": 28,
    "OK_LOAD_PERMANENTLY": 256, "ERROR_MISSING_COLLSEQ": 257, "BUSY_RECOVERY": 261,
    "LOCKED_SHAREDCACHE": 262, "CANTOPEN_NOTEMPDIR": 270, "AUTH_USER": 279,
    "NOTICE_RECOVER_WAL": 283, "WARNING_AUTOINDEX": 284, "OK_SYMLINK": 512, "ERROR_RETRY": 513,
    "ABORT_ROLLBACK": 516, "LOCKED_VTAB": 518, "READONLY_CANTLOCK": 520,
    "CORRUPT_SEQUENCE": 523, "CANTOPEN_ISDIR": 526, "CONSTRAINT_COMMITHOOK": 531,
    "NOTICE_RECOVER_ROLLBACK": 539, "ERROR_SNAPSHOT": 769, "BUSY_TIMEOUT": 773,
    "READONLY_ROLLBACK": 776, "CORRUPT_INDEX": 779, "CANTOPEN_FULLPATH": 782,
    "READONLY_DBMOVED": 1032, "CANTOPEN_CONVPATH": 1038, "CONSTRAINT_FUNCTION": 1043,
    "READONLY_CANTINIT": 1288, "IOERR_DIR_FSYNC": 1290, "CANTOPEN_DIRTYWAL": 1294,
    "READONLY_DIRECTORY": 1544, "CANTOPEN_SYMLINK": 1550, "IOERR_UNLOCK": 2058,
    "IOERR_RDLOCK": 2314, "CONSTRAINT_VTAB": 2323, "IOERR_DELETE": 2570, "IOERR_BLOCKED": 2826,
    "CONSTRAINT_PINNED": 2835, "IOERR_NOMEM": 3082, "IOERR_ACCESS": 3338,
    "IOERR_CHECKRESERVEDLOCK": 3594, "IOERR_CLOSE": 4106, "IOERR_DIR_CLOSE": 4362,
    "IOERR_SHMOPEN": 4618, "IOERR_SHMSIZE": 4874, "IOERR_SHMLOCK": 5130, "IOERR_SHMMAP": 5386,
    "IOERR_SEEK": 5642, "IOERR_DELETE_NOENT": 5898, "IOERR_MMAP": 6154,
    "IOERR_GETTEMPPATH": 6410, "IOERR_CONVPATH": 6666, "IOERR_VNODE": 6922, "IOERR_AUTH": 7178,
    "IOERR_BEGIN_ATOMIC": 7434, "IOERR_COMMIT_ATOMIC": 7690, "IOERR_ROLLBACK_ATOMIC": 7946,
    "IOERR_DATA": 8202, "IOERR_CORRUPTFS": 8458,
}

# Authorizer callback results.
AUTHORIZER_RESULTS = {"DENY": 1, "IGNORE": 2}

# Authorizer action codes.
AUTHORIZER_ACTIONS = {
    "CREATE_INDEX": 1, "CREATE_TABLE": 2, "CREATE_TEMP_INDEX": 3, "CREATE_TEMP_TABLE": 4,
    "CREATE_TEMP_TRIGGER": 5, "CREATE_TEMP_VIEW": 6, "CREATE_TRIGGER": 7, "CREATE_VIEW": 8,
    "DELETE": 9, "DROP_INDEX": 10, "DROP_TABLE": 11, "DROP_TEMP_INDEX": 12,
    "DROP_TEMP_TABLE": 13, "DROP_TEMP_TRIGGER": 14, "DROP_TEMP_VIEW": 15, "DROP_TRIGGER": 16,
    "DROP_VIEW": 17, "INSERT": 18, "PRAGMA": 19, "READ": 20, "SELECT": 21, "TRANSACTION": 22,
    "UPDATE": 23, "ATTACH": 24, "DETACH": 25, "ALTER_TABLE": 26, "REINDEX": 27, "ANALYZE": 28,
    "CREATE_VTABLE": 29, "DROP_VTABLE": 30, "FUNCTION": 31, "SAVEPOINT": 32, "RECURSIVE": 33,
}

# Run-time limit ids (sqlite3_limit).
LIMITS = {
    "LIMIT_LENGTH": 0, "LIMIT_SQL_LENGTH": 1, "LIMIT_COLUMN": 2, "LIMIT_EXPR_DEPTH": 3,
    "LIMIT_COMPOUND_SELECT": 4, "LIMIT_VDBE_OP": 5, "LIMIT_FUNCTION_ARG": 6,
    "LIMIT_ATTACHED": 7, "LIMIT_LIKE_PATTERN_LENGTH": 8, "LIMIT_VARIABLE_NUMBER": 9,
    "LIMIT_TRIGGER_DEPTH": 10, "LIMIT_WORKER_THREADS": 11,
}

SQLITE_NAMES = {f"SQLITE_{name}": value
                for table in (RESULT_CODES, AUTHORIZER_RESULTS, AUTHORIZER_ACTIONS, LIMITS)
                for name, value in table.items()}
