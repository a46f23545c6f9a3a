"""chorusdb/adapt.py: adapters (Python value -> bindable value) and converters (stored
bytes -> Python value), with sqlite3's registration functions and defaults.

A value is bound as it is when it is None, int, float, str or bytes-like; anything else
goes through adapters[(type(value), PrepareProtocol)] or the value's __conform__ first.
The binding itself is C (native/bind.c rule B2): it calls adapt_value() for the values
that need it, and for every value once an adapter is registered for a bindable type.
Converters run only with detect_types (PARSE_DECLTYPES, PARSE_COLNAMES); they receive the
stored value as bytes. The date/datetime defaults match sqlite3's, so code that relied on
them keeps working.
Callers: chorusdb/dbapi2.py (binding, fetching) and users through the package namespace.
"""

import datetime

from chorusdb import _chorus
from chorusdb._chorus import ProgrammingError

PARSE_DECLTYPES = 1
PARSE_COLNAMES = 2

adapters = {}
converters = {}
_BINDABLE = frozenset({type(None), int, float, str, bytes, bool, bytearray, memoryview})
_NO_DEFAULT = object()


class PrepareProtocol:
    """The protocol object adapters are registered for (PEP 246 style, as sqlite3)."""

    def __init__(self, *args, **kwargs):
        pass


def register_adapter(type_, adapter):
    """Adapts values of exactly type_ with adapter(value) before binding."""
    adapters[(type_, PrepareProtocol)] = adapter
    if type_ in _BINDABLE:
        _chorus.set_adapter(adapt_value, True)


def register_converter(typename, converter):
    """Converts values of declared type (or [colname] type) typename, case-insensitive,
    with converter(bytes)."""
    if not isinstance(typename, str):
        raise TypeError("register_converter() argument 1 must be str")
    converters[typename.upper()] = converter


def adapt(obj, proto=PrepareProtocol, alt=_NO_DEFAULT):
    """obj adapted to proto: by a registered adapter, proto.__adapt__ or obj.__conform__;
    alt (or ProgrammingError without it) when none applies. A TypeError raised by
    __adapt__ or __conform__ means "does not apply" (as in sqlite3); any other exception
    propagates, as does everything a registered adapter raises."""
    adapter = adapters.get((type(obj), proto))
    if adapter is not None:
        return adapter(obj)
    for hook, arg in ((getattr(proto, "__adapt__", None), obj),
                      (getattr(obj, "__conform__", None), proto)):
        if hook is not None:
            try:
                adapted = hook(arg)
            except TypeError:
                continue
            if adapted is not None:
                return adapted
    if alt is not _NO_DEFAULT:
        return alt
    raise ProgrammingError("can't adapt")


def adapt_value(value):
    """value ready to bind: adapted when an adapter or __conform__ applies, else itself
    (binding then refuses what it cannot store)."""
    return adapt(value, PrepareProtocol, value)


def converter_for(name, decltype, detect_types):
    """The converter for a result column, or None: [type] in its name first
    (PARSE_COLNAMES), then its declared type's first word (PARSE_DECLTYPES)."""
    if detect_types & PARSE_COLNAMES and name:
        start = name.find("[")
        end = name.find("]", start + 1)
        if start >= 0 and end > start:
            converter = converters.get(name[start + 1:end].upper())
            if converter is not None:
                return converter
    if detect_types & PARSE_DECLTYPES and decltype:
        word = decltype.strip().split("(")[0].split(" ")[0]
        return converters.get(word.upper())
    return None


def column_display_name(name, detect_types):
    """The description name of a column: with PARSE_COLNAMES, 'x [type]' reads 'x'."""
    if detect_types & PARSE_COLNAMES and name:
        start = name.find("[")
        if start >= 0:
            return name[:start].rstrip()
    return name


def as_bytes(value):
    """A fetched value as the bytes a converter expects."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return str(value).encode("ascii")


def _convert_date(raw):
    return datetime.date(*map(int, raw.split(b"-")))


def _convert_timestamp(raw):
    day, clock = raw.split(b" ")
    year, month, mday = map(int, day.split(b"-"))
    clock_parts = clock.split(b".")
    hours, minutes, seconds = map(int, clock_parts[0].split(b":"))
    micro = int(clock_parts[1][:6].ljust(6, b"0")) if len(clock_parts) == 2 else 0
    return datetime.datetime(year, month, mday, hours, minutes, seconds, micro)


_chorus.set_adapter(adapt_value, False)
register_adapter(datetime.date, lambda value: value.isoformat())
register_adapter(datetime.datetime, lambda value: value.isoformat(" "))
register_converter("date", _convert_date)
register_converter("timestamp", _convert_timestamp)
