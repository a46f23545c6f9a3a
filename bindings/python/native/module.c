/*
 * bindings/python/native/module.c: the extension module chorusdb._chorus,
 * with the ChorusDB engine compiled in.
 *
 * It holds the module state (the handle and cursor types, the exception
 * types and the value adapter, native.h N1), the library-level calls (version, errstr) and the integer
 * constants of chorus.h. Multi-phase initialisation (PEP 489) keeps the
 * module free of C globals, so sub-interpreters each get their own state.
 *
 * Callers: Python only (chorusdb/dbapi2.py imports it).
 */
#include "native.h"

PyDoc_STRVAR(module_version_doc, "version() -> str\n\nThe engine's version (chorus_version).");

static PyObject *
module_version(PyObject *module, PyObject *unused)
{
    return PyUnicode_FromString(chorus_version());
}

PyDoc_STRVAR(module_version_number_doc,
             "version_number() -> int\n\nMAJOR*1000000 + MINOR*1000 + PATCH.");

static PyObject *
module_version_number(PyObject *module, PyObject *unused)
{
    return PyLong_FromLong(chorus_version_number());
}

PyDoc_STRVAR(module_errstr_doc, "errstr(code) -> str\n\nThe English text of a result code.");

static PyObject *
module_errstr(PyObject *module, PyObject *arg)
{
    long code = PyLong_AsLong(arg);

    if (code == -1 && PyErr_Occurred())
        return NULL;
    if (code < INT32_MIN || code > INT32_MAX)
        return PyErr_Format(PyExc_OverflowError, "result code out of range");
    return PyUnicode_FromString(chorus_errstr((int)code));
}

PyDoc_STRVAR(module_set_adapter_doc,
             "set_adapter(adapter, adapt_all)\n\nThe function binding calls on a value that "
             "is not None, int, float, str or bytes-like (on every value when adapt_all); "
             "chorusdb.adapt installs it (native/bind.c B2).");

static PyObject *
module_set_adapter(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    native_state *st = PyModule_GetState(module);
    int adapt_all;

    if (nargs != 2)
        return PyErr_Format(PyExc_TypeError, "set_adapter() takes 2 arguments");
    if (!PyCallable_Check(args[0]))
        return PyErr_Format(PyExc_TypeError, "adapter must be callable");
    if ((adapt_all = PyObject_IsTrue(args[1])) < 0)
        return NULL;
    Py_INCREF(args[0]);
    Py_XSETREF(st->adapter, args[0]);
    st->adapt_all = adapt_all;
    Py_RETURN_NONE;
}

PyDoc_STRVAR(module_set_callback_tracebacks_doc,
             "set_callback_tracebacks(flag)\n\nsqlite3's enable_callback_tracebacks: when "
             "flag is true, an exception in a function callback goes to sys.unraisablehook "
             "(native/functions.c PF5).");

static PyObject *
module_set_callback_tracebacks(PyObject *module, PyObject *flag)
{
    int on = PyObject_IsTrue(flag);

    if (on < 0)
        return NULL;
    ((native_state *)PyModule_GetState(module))->callback_tracebacks = on;
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"set_callback_tracebacks", module_set_callback_tracebacks, METH_O,
     module_set_callback_tracebacks_doc},
    {"set_adapter", (PyCFunction)(void (*)(void))module_set_adapter, METH_FASTCALL,
     module_set_adapter_doc},
    {"version", module_version, METH_NOARGS, module_version_doc},
    {"version_number", module_version_number, METH_NOARGS, module_version_number_doc},
    {"errstr", module_errstr, METH_O, module_errstr_doc},
    {NULL, NULL, 0, NULL},
};

/* Adds a heap type made from spec to module and stores it in *slot. */
static int
module_type_add(PyObject *module, PyType_Spec *spec, PyTypeObject **slot)
{
    *slot = (PyTypeObject *)PyType_FromModuleAndSpec(module, spec, NULL);
    if (*slot == NULL)
        return -1;
    return PyModule_AddType(module, *slot);
}

static int
module_constants_add(PyObject *module)
{
    static const struct {
        const char *name;
        int value;
    } constants[] = {
        {"CHORUS_INTEGER", CHORUS_INTEGER},
        {"CHORUS_FLOAT", CHORUS_FLOAT},
        {"CHORUS_TEXT", CHORUS_TEXT},
        {"CHORUS_BLOB", CHORUS_BLOB},
        {"CHORUS_NULL", CHORUS_NULL},
        {"CHORUS_OPEN_READONLY", CHORUS_OPEN_READONLY},
        {"CHORUS_OPEN_READWRITE", CHORUS_OPEN_READWRITE},
        {"CHORUS_OPEN_CREATE", CHORUS_OPEN_CREATE},
        {"CHORUS_OPEN_MEMORY", CHORUS_OPEN_MEMORY},
        {"CHORUS_TX_DEFERRED", CHORUS_TX_DEFERRED},
        {"CHORUS_TX_IMMEDIATE", CHORUS_TX_IMMEDIATE},
        {"CHORUS_TX_CONCURRENT", CHORUS_TX_CONCURRENT},
    };
    size_t i;

    for (i = 0; i < sizeof constants / sizeof constants[0]; i++)
        if (PyModule_AddIntConstant(module, constants[i].name, constants[i].value) < 0)
            return -1;
    return 0;
}

static int
module_exec(PyObject *module)
{
    native_state *st = PyModule_GetState(module);

    PyObject *abc;

    if (module_type_add(module, &native_connection_spec, &st->connection_type) < 0
        || module_type_add(module, &native_statement_spec, &st->statement_type) < 0
        || module_type_add(module, &native_cursor_spec, &st->cursor_type) < 0
        || native_errors_init(module, st) < 0 || module_constants_add(module) < 0)
        return -1;
    if ((st->str_native = PyUnicode_InternFromString("_native")) == NULL
        || (st->str_row_factory = PyUnicode_InternFromString("row_factory")) == NULL
        || (st->str_text_factory = PyUnicode_InternFromString("text_factory")) == NULL
        || (st->str_detect_types = PyUnicode_InternFromString("detect_types")) == NULL
        || (st->str_implicit_begin = PyUnicode_InternFromString("_implicit_begin")) == NULL)
        return -1;
    abc = PyImport_ImportModule("collections.abc");
    if (abc == NULL)
        return -1;
    st->mapping_type = PyObject_GetAttrString(abc, "Mapping");
    Py_DECREF(abc);
    return st->mapping_type == NULL ? -1 : 0;
}

static int
module_traverse(PyObject *module, visitproc visit, void *arg)
{
    native_state *st = PyModule_GetState(module);

    Py_VISIT(st->connection_type);
    Py_VISIT(st->statement_type);
    Py_VISIT(st->cursor_type);
    Py_VISIT(st->mapping_type);
    Py_VISIT(st->adapter);
    Py_VISIT(st->str_native);
    Py_VISIT(st->str_row_factory);
    Py_VISIT(st->str_text_factory);
    Py_VISIT(st->str_detect_types);
    Py_VISIT(st->str_implicit_begin);
    Py_VISIT(st->Warning);
    Py_VISIT(st->Error);
    Py_VISIT(st->InterfaceError);
    Py_VISIT(st->DatabaseError);
    Py_VISIT(st->DataError);
    Py_VISIT(st->OperationalError);
    Py_VISIT(st->IntegrityError);
    Py_VISIT(st->InternalError);
    Py_VISIT(st->ProgrammingError);
    Py_VISIT(st->NotSupportedError);
    Py_VISIT(st->ConflictError);
    return 0;
}

static int
module_clear(PyObject *module)
{
    native_state *st = PyModule_GetState(module);

    Py_CLEAR(st->connection_type);
    Py_CLEAR(st->statement_type);
    Py_CLEAR(st->cursor_type);
    Py_CLEAR(st->mapping_type);
    Py_CLEAR(st->adapter);
    Py_CLEAR(st->str_native);
    Py_CLEAR(st->str_row_factory);
    Py_CLEAR(st->str_text_factory);
    Py_CLEAR(st->str_detect_types);
    Py_CLEAR(st->str_implicit_begin);
    Py_CLEAR(st->Warning);
    Py_CLEAR(st->Error);
    Py_CLEAR(st->InterfaceError);
    Py_CLEAR(st->DatabaseError);
    Py_CLEAR(st->DataError);
    Py_CLEAR(st->OperationalError);
    Py_CLEAR(st->IntegrityError);
    Py_CLEAR(st->InternalError);
    Py_CLEAR(st->ProgrammingError);
    Py_CLEAR(st->NotSupportedError);
    Py_CLEAR(st->ConflictError);
    return 0;
}

static void
module_free(void *module)
{
    module_clear((PyObject *)module);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "chorusdb._chorus",
    .m_doc = "The native layer of chorusdb: ChorusDB's C API (chorus.h) for Python.",
    .m_size = sizeof(native_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC
PyInit__chorus(void)
{
    return PyModuleDef_Init(&module_def);
}
