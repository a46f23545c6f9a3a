"""Value round trips, text_factory, adapters, converters and detect_types."""

import datetime
import decimal

import pytest

import chorusdb


def roundtrip(conn, value):
    return conn.execute("SELECT ?", (value,)).fetchone()[0]


@pytest.mark.parametrize("value", [0, 1, -1, 2**31, -(2**31) - 1, 2**63 - 1, -(2**63)])
def test_integers_round_trip_over_the_64_bit_range(memory, value):
    result = roundtrip(memory, value)
    assert result == value and type(result) is int


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_integers_beyond_64_bits_raise_overflow_error(memory, value):
    with pytest.raises(OverflowError):
        roundtrip(memory, value)


@pytest.mark.parametrize("value", [0.0, 1.5, -2.25, 1e300, 5e-324, 0.1])
def test_floats_round_trip_exactly(memory, value):
    result = roundtrip(memory, value)
    assert result == value and type(result) is float


@pytest.mark.parametrize("value", ["", "plain", "naïve ünïcödé", "日本語", "emoji 🎉",
                                   "quote ' and \" marks", "x" * 100000])
def test_text_round_trips(memory, value):
    assert roundtrip(memory, value) == value


@pytest.mark.parametrize("value", [b"", b"\x00\x01\xff", bytes(range(256)) * 100])
def test_bytes_round_trip(memory, value):
    result = roundtrip(memory, value)
    assert result == value and type(result) is bytes


def test_bytearray_and_memoryview_bind_as_blobs(memory):
    assert roundtrip(memory, bytearray(b"ab")) == b"ab"
    assert roundtrip(memory, memoryview(b"cd")) == b"cd"


def test_none_round_trips_as_null(memory):
    assert roundtrip(memory, None) is None
    assert memory.execute("SELECT typeof(?)", (None,)).fetchone() == ("null",)


def test_booleans_bind_as_integers(memory):
    assert roundtrip(memory, True) == 1
    assert roundtrip(memory, False) == 0


def test_values_keep_their_types_in_a_table(memory):
    memory.execute("CREATE TABLE v(x)")
    values = [1, 2.5, "s", b"b", None]
    memory.executemany("INSERT INTO v VALUES (?)", [(v,) for v in values])
    assert [row[0] for row in memory.execute("SELECT x FROM v ORDER BY rowid")] == values


def test_unsupported_types_raise_programming_error(memory):
    for value in ([1], {"a": 1}, object(), decimal.Decimal("1.5"), 1j):
        with pytest.raises(chorusdb.ProgrammingError, match="parameter 1"):
            roundtrip(memory, value)


def test_strings_with_lone_surrogates_are_refused(memory):
    with pytest.raises(UnicodeEncodeError):
        roundtrip(memory, "\ud800")


def test_text_factory_bytes_returns_bytes(memory):
    memory.text_factory = bytes
    assert roundtrip(memory, "héllo") == "héllo".encode()


def test_text_factory_callable_receives_bytes(memory):
    memory.text_factory = lambda raw: raw.decode().upper()
    assert roundtrip(memory, "abc") == "ABC"
    assert roundtrip(memory, 3) == 3


def test_text_factory_errors_propagate(memory):
    def broken(raw):
        raise ValueError("no")

    memory.text_factory = broken
    with pytest.raises(ValueError):
        roundtrip(memory, "abc")


def test_invalid_utf8_text_raises_operational_error(memory):
    with pytest.raises(chorusdb.OperationalError, match="Could not decode"):
        memory.execute("SELECT CAST(? AS TEXT)", (b"\xff\xfe",)).fetchone()


def test_registered_adapter_converts_before_binding(memory):
    class Point:
        def __init__(self, x, y):
            self.x, self.y = x, y

    chorusdb.register_adapter(Point, lambda p: f"{p.x};{p.y}")
    try:
        assert roundtrip(memory, Point(1, 2)) == "1;2"
    finally:
        del chorusdb.adapters[(Point, chorusdb.PrepareProtocol)]


def test_conform_protocol_adapts_values(memory):
    class Celsius:
        def __conform__(self, protocol):
            if protocol is chorusdb.PrepareProtocol:
                return 21.5
            return None

    assert roundtrip(memory, Celsius()) == 21.5


def test_default_date_adapters_store_iso_text(memory):
    assert roundtrip(memory, datetime.date(2024, 2, 29)) == "2024-02-29"
    assert roundtrip(memory, datetime.datetime(2024, 2, 29, 12, 30, 1)) == "2024-02-29 12:30:01"


def test_parse_decltypes_applies_converters_by_declared_type(tmp_path):
    conn = chorusdb.connect(str(tmp_path / "d.db"), detect_types=chorusdb.PARSE_DECLTYPES)
    conn.execute("CREATE TABLE e(day date, at timestamp, n integer)")
    day = datetime.date(2020, 5, 17)
    at = datetime.datetime(2020, 5, 17, 8, 9, 10, 123000)
    conn.execute("INSERT INTO e VALUES (?, ?, ?)", (day, at, 3))
    assert conn.execute("SELECT day, at, n FROM e").fetchone() == (day, at, 3)
    conn.close()


def test_parse_colnames_uses_the_bracketed_type_and_trims_the_name(memory):
    memory.detect_types = chorusdb.PARSE_COLNAMES
    cursor = memory.execute('SELECT ? AS "d [date]"', ("2021-03-04",))
    assert cursor.fetchone() == (datetime.date(2021, 3, 4),)
    assert cursor.description[0][0] == "d"


def test_converters_receive_bytes_and_skip_null(memory):
    seen = []
    chorusdb.register_converter("seen", lambda raw: seen.append(raw) or raw)
    try:
        memory.detect_types = chorusdb.PARSE_COLNAMES
        rows = memory.execute('SELECT ? AS "a [seen]"', (12,)).fetchall()
        rows += memory.execute('SELECT NULL AS "a [seen]"').fetchall()
        assert seen == [b"12"] and rows == [(b"12",), (None,)]
    finally:
        del chorusdb.converters["SEEN"]


def test_adapt_without_an_adapter_raises_or_returns_alt():
    # chorusdb.adapt is the function, as sqlite3.adapt
    with pytest.raises(chorusdb.ProgrammingError):
        chorusdb.adapt(object())
    marker = object()
    assert chorusdb.adapt(object(), chorusdb.PrepareProtocol, marker) is marker
