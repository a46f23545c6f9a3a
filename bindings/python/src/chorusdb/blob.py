"""chorusdb/blob.py: Blob, sqlite3's incremental BLOB I/O handle (Python 3.11), made by
Connection.blobopen(). The engine side is chorus_blob_* (native/blob.c); this file keeps
the offset and gives sqlite3's file-like and sequence-like surface with its messages.

Rules
  BP1  Every method first checks the connection (closed, other thread) and then the
       blob ("Cannot operate on a closed blob."), in sqlite3's order; close() checks the
       connection only, so closing twice is harmless.
  BP2  The size never changes: writes past the end raise ValueError("data longer than
       blob length") before the engine is called; slice assignment needs a buffer of exactly
       the slice's length (IndexError "Blob slice assignment is wrong size").
  BP3  A row changed under the blob makes the engine fail reads and writes with
       OperationalError (SQLITE_ABORT); len() is then 0.
"""

import operator
import os
import sys

from chorusdb._chorus import ProgrammingError

_INT_MIN, _INT_MAX = -2**31, 2**31 - 1


def _bytes_like(data):
    """A memoryview of data, or sqlite3's TypeError for what has no buffer."""
    try:
        return memoryview(data)
    except TypeError:
        raise TypeError(f"a bytes-like object is required, not '{type(data).__name__}'") \
            from None


class Blob:
    """An open BLOB (or text) value: read, write, seek, tell, len(), indexing and slicing
    by byte, a context manager that closes it. Made by Connection.blobopen()."""

    __slots__ = ("_connection", "_handle", "_offset", "__weakref__")
    __iter__ = None                     # sqlite3's Blob is not iterable ("in" fails)

    def __new__(cls, *args, **kwargs):
        raise TypeError(f"cannot create '{cls.__module__}.{cls.__name__}' instances")

    @classmethod
    def _open(cls, connection, handle):
        blob = object.__new__(cls)
        blob._connection = connection
        blob._handle = handle
        blob._offset = 0
        return blob

    # -- checks (BP1)

    def _native(self):
        self._connection._check()
        if self._handle is None:
            raise ProgrammingError("Cannot operate on a closed blob.")
        return self._connection._native

    def _len(self, native):
        return native.blob_len(self._handle)

    # -- file-like

    def close(self):
        """Closes the blob; later use raises ProgrammingError."""
        self._connection._check()
        if self._handle is not None:
            self._connection._native.blob_close(self._handle)
            self._handle = None

    def read(self, length=-1, /):
        """Up to length bytes (all when negative) from the offset, which moves past them."""
        native = self._native()
        length = operator.index(length)
        available = self._len(native) - self._offset
        if length < 0 or length > available:
            length = available
        if length <= 0:
            return b""
        data = native.blob_read(self._handle, length, self._offset)
        self._offset += length
        return data

    def write(self, data, /):
        """Writes data (a bytes-like object) at the offset, which moves past it."""
        native = self._native()
        view = _bytes_like(data)
        if view.nbytes > self._len(native) - self._offset:
            raise ValueError("data longer than blob length")             # BP2
        native.blob_write(self._handle, view, self._offset)
        self._offset += view.nbytes

    def tell(self):
        """The current offset."""
        self._native()
        return self._offset

    def seek(self, offset, origin=os.SEEK_SET, /):
        """Moves the offset to offset from the start, the current offset or the end."""
        native = self._native()
        offset, origin = operator.index(offset), operator.index(origin)
        for number in (offset, origin):
            if not _INT_MIN <= number <= _INT_MAX:
                raise OverflowError("Python int too large to convert to C int")
        size = self._len(native)
        if origin == os.SEEK_CUR:
            base = self._offset
        elif origin == os.SEEK_END:
            base = size
        elif origin == os.SEEK_SET:
            base = 0
        else:
            raise ValueError("'origin' should be os.SEEK_SET, os.SEEK_CUR, or os.SEEK_END")
        if offset + base > _INT_MAX:
            raise OverflowError("seek offset results in overflow")
        if not 0 <= offset + base <= size:
            raise ValueError("offset out of blob range")
        self._offset = offset + base

    def __enter__(self):
        self._native()
        return self

    def __exit__(self, exc_type, exc_value, traceback, /):
        self._native()
        self.close()
        return False

    # -- sequence-like

    def __len__(self):
        return self._len(self._native())

    @staticmethod
    def _index(item, size):
        """item (an index) as a position in a blob of size bytes."""
        i = operator.index(item)
        if not -sys.maxsize - 1 <= i <= sys.maxsize:
            raise IndexError(f"cannot fit '{type(item).__name__}' into an index-sized integer")
        if i < 0:
            i += size
        if not 0 <= i < size:
            raise IndexError("Blob index out of range")
        return i

    def __getitem__(self, item):
        native = self._native()
        size = self._len(native)
        if isinstance(item, slice):
            start, stop, step = item.indices(size)
            if step == 1:
                return native.blob_read(self._handle, stop - start, start) if stop > start \
                    else b""
            if len(range(start, stop, step)) == 0:
                return b""
            return native.blob_read(self._handle, size, 0)[start:stop:step]
        if not hasattr(type(item), "__index__"):
            raise TypeError("Blob indices must be integers")
        i = self._index(item, size)
        return native.blob_read(self._handle, 1, i)[0]

    def __setitem__(self, item, value):
        self._assign(item, value)

    def __delitem__(self, item):
        self._assign(item, None)

    def _assign(self, item, value):
        native = self._native()
        size = self._len(native)
        if isinstance(item, slice):
            if value is None:
                raise TypeError("Blob doesn't support slice deletion")
            start, stop, step = item.indices(size)
            view = _bytes_like(value)
            if not view.c_contiguous:
                raise BufferError("memoryview: underlying buffer is not C-contiguous")
            count = len(range(start, stop, step))
            if view.nbytes != count:
                raise IndexError("Blob slice assignment is wrong size")          # BP2
            if count == 0:
                return
            if step == 1:
                native.blob_write(self._handle, view, start)
                return
            data = bytearray(native.blob_read(self._handle, size, 0))
            data[start:stop:step] = view.cast("B")
            native.blob_write(self._handle, bytes(data), 0)
            return
        if not hasattr(type(item), "__index__"):
            raise TypeError("Blob indices must be integers")
        if value is None:
            raise TypeError("Blob doesn't support item deletion")
        i = self._index(item, size)
        byte = operator.index(value)
        if not 0 <= byte <= 255:
            raise ValueError("byte must be in range(0, 256)")
        native.blob_write(self._handle, bytes((byte,)), i)
