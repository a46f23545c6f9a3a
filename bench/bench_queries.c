/*
 * bench/bench_queries.c: a mixed query workload (joins, aggregates, index
 * lookups, sorts, subqueries, compound selects, window functions, LIKE and
 * GLOB prefixes, a join on unindexed columns that SQLite serves with an
 * automatic index),
 * ChorusDB and SQLite (libsqlite3, the peer) side by side in one run.
 *
 * Schema, populated identically in both engines from one seeded generator
 * (for N orders: N/5 customers, 1000 products, 1 to 5 items per order), in
 * one transaction, indexes created after the load:
 *   customers(id INTEGER PRIMARY KEY, name TEXT, city TEXT, signup_year INT)
 *       indexes on city, name
 *   products(id INTEGER PRIMARY KEY, name TEXT, category TEXT, price INT)
 *       index on category
 *   orders(id INTEGER PRIMARY KEY, customer_id INT, order_date INT,
 *          status TEXT, total INT)
 *       indexes on customer_id, order_date (total and status unindexed)
 *   order_items(order_id INT, product_id INT, qty INT, price INT)
 *       indexes on order_id, product_id
 * Both databases are files in one temporary folder, WAL mode, synchronous
 * NORMAL and a 64 MiB page cache, so that the queries, not the disk, are
 * measured.
 *
 * Each query is first run once in each engine and its rows compared as a
 * multiset (every query that limits rows orders them by a unique key, so the
 * multiset is well defined); reals are compared to 12 significant digits,
 * since the engines may add them in different orders. A query whose rows
 * differ, or that ChorusDB refuses ("not supported yet", or any other
 * error), is reported and left out of the timings. Then each query runs
 * `rounds` times per engine, alternating which engine goes first; one run is
 * stepping through every row and reading every column of a statement
 * prepared beforehand (preparing is not timed). Printed per query: the
 * median milliseconds of each engine, the ratio sqlite ms / chorus ms (> 1
 * means ChorusDB is faster, as in bench_core) and the number of result rows;
 * last, the geometric mean of the ratios of the queries that ran.
 *
 * Clock: the thread's CPU time by default ("cpu"), which the other processes
 * of a shared, loaded machine disturb far less than the wall clock ("wall");
 * the workload is in the page cache, so the two differ little on an idle
 * machine.
 *
 * Usage: bench_queries [orders] [rounds] [cpu|wall]   (defaults 50000, 5, cpu)
 * Exit status 0 when every query ran, 2 when some were skipped.
 * Single-threaded. Callers: run by hand; not part of the test suite.
 */
#include "bench_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MAX_ROUNDS = 99, N_PRODUCTS = 1000, MAX_ITEMS_PER_ORDER = 5 };

typedef struct query {
    const char *name;
    const char *sql;
} query;

static const query queries[] = {
    {"3-way join, selective WHERE",
     "SELECT c.name, o.id, o.order_date, oi.product_id, oi.qty"
     " FROM customers c JOIN orders o ON o.customer_id = c.id"
     " JOIN order_items oi ON oi.order_id = o.id"
     " WHERE c.city = 'Lyon' AND o.status = 'returned'"},
    {"join + GROUP BY category",
     "SELECT p.category, count(*), sum(oi.qty * oi.price), avg(oi.qty)"
     " FROM order_items oi JOIN products p ON p.id = oi.product_id"
     " GROUP BY p.category"},
    {"GROUP BY + HAVING",
     "SELECT customer_id, count(*), sum(total), avg(total) FROM orders"
     " GROUP BY customer_id HAVING count(*) >= 10"},
    {"ORDER BY unindexed LIMIT",
     "SELECT id, customer_id, total FROM orders ORDER BY total DESC, id LIMIT 20"},
    {"index range scan (rows)",
     "SELECT id, customer_id, total FROM orders WHERE order_date BETWEEN 1000 AND 1039"},
    {"index range scan (aggregate)",
     "SELECT count(*), sum(qty) FROM order_items WHERE product_id BETWEEN 100 AND 149"},
    {"correlated subquery (scalar)",
     "SELECT c.id, c.name,"
     " (SELECT max(o.total) FROM orders o WHERE o.customer_id = c.id)"
     " FROM customers c WHERE c.city = 'Oslo'"},
    {"correlated subquery (WHERE)",
     "SELECT o.id, o.total FROM orders o WHERE o.customer_id <= 500 AND o.total >"
     " (SELECT avg(o2.total) FROM orders o2 WHERE o2.customer_id = o.customer_id)"},
    {"IN (subquery)",
     "SELECT count(*), sum(total) FROM orders"
     " WHERE customer_id IN (SELECT id FROM customers WHERE city = 'Porto')"},
    {"DISTINCT",
     "SELECT DISTINCT product_id, qty FROM order_items"},
    {"UNION",
     "SELECT customer_id FROM orders WHERE total > 99000"
     " UNION SELECT id FROM customers WHERE city = 'Riga'"},
    {"window functions",
     "SELECT id, customer_id, total,"
     " rank() OVER (PARTITION BY customer_id ORDER BY total DESC, id),"
     " sum(total) OVER (PARTITION BY customer_id ORDER BY id)"
     " FROM orders WHERE customer_id <= 2000"},
    {"LIKE prefix",
     "SELECT id, name FROM customers WHERE name LIKE 'Mar%'"},
    {"GLOB prefix (index range)",
     "SELECT id, name FROM customers WHERE name GLOB 'Mar*'"},
    {"unindexed join (automatic index)",
     "SELECT count(*), sum(o.total) FROM orders o"
     " JOIN customers c ON c.signup_year = o.order_date + 1000"},
};

enum { N_QUERIES = sizeof queries / sizeof queries[0] };

/* Index 0 is ChorusDB, 1 SQLite, in every pair of handles and statements. */
static const bench_engine *const engines[2] = {&bench_chorus, &bench_sqlite};

/* --- data ---------------------------------------------------------------- */

static const char *const cities[] = {
    "Lyon", "Oslo", "Porto", "Riga", "Turin", "Ghent", "Bern", "Cork", "Graz", "Split",
    "Malmo", "Tartu", "Brno", "Lille", "Basel", "Delft", "Bilbao", "Krakow", "Aarhus", "Sibiu",
};
static const char *const first_names[] = {
    "Marie", "Marco", "Anna", "Jonas", "Lea", "Tomas", "Ines", "Piotr", "Sara", "Emil",
    "Ada", "Hugo", "Nina", "Oskar", "Eva", "Luca", "Ida", "Pavel", "Rosa", "Felix",
    "Alma", "Bruno", "Clara", "David", "Elin", "Goran", "Hanna", "Ivan", "Jana", "Karl",
    "Lotte", "Milan",
};
static const char *const last_names[] = {
    "Berg", "Novak", "Rossi", "Dubois", "Silva", "Jensen", "Kowal", "Meyer", "Lind", "Costa",
    "Horvat", "Moreau", "Weber", "Nagy", "Ferrari", "Olsen",
};
static const char *const categories[] = {
    "books", "music", "garden", "kitchen", "toys", "tools", "sports", "office", "games", "bath",
    "lamps", "shoes", "bags", "paint", "pets", "food",
};
static const char *const statuses[] = {"new", "paid", "shipped", "returned"};

#define COUNT_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* xorshift64*: the same seed gives both engines the same rows. */
static uint64_t
rng_next(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545F4914F6CDD1DULL;
}

static int64_t
rng_below(uint64_t *state, int64_t n)
{
    return (int64_t)(rng_next(state) % (uint64_t)n);
}

static void
text_bind(const bench_engine *e, void *st, int idx, const char *s)
{
    e->bind_text(st, idx, s, (int)strlen(s));   /* s is one of the static names above */
}

static void
insert_row(const bench_engine *e, void *db, void *st)
{
    bench_step(e, db, st);
    e->reset(st);
}

static void
load_customers(const bench_engine *e, void *db, int64_t n, uint64_t *rng)
{
    void *st = bench_prepare(e, db, "INSERT INTO customers VALUES (?1, ?2 || ' ' || ?3, ?4, ?5)");
    for (int64_t id = 1; id <= n; id++) {
        e->bind_int(st, 1, id);
        text_bind(e, st, 2, first_names[rng_below(rng, COUNT_OF(first_names))]);
        text_bind(e, st, 3, last_names[rng_below(rng, COUNT_OF(last_names))]);
        text_bind(e, st, 4, cities[rng_below(rng, COUNT_OF(cities))]);
        e->bind_int(st, 5, 2000 + rng_below(rng, 25));
        insert_row(e, db, st);
    }
    e->finalize(st);
}

static void
load_products(const bench_engine *e, void *db, int64_t *prices, uint64_t *rng)
{
    void *st = bench_prepare(e, db, "INSERT INTO products VALUES (?1, ?2 || '-' || ?1, ?2, ?3)");
    for (int64_t id = 1; id <= N_PRODUCTS; id++) {
        prices[id - 1] = 100 + rng_below(rng, 19901);
        e->bind_int(st, 1, id);
        text_bind(e, st, 2, categories[rng_below(rng, COUNT_OF(categories))]);
        e->bind_int(st, 3, prices[id - 1]);
        insert_row(e, db, st);
    }
    e->finalize(st);
}

static void
load_orders(const bench_engine *e, void *db, int64_t n_orders, int64_t n_customers,
            const int64_t *prices, uint64_t *rng)
{
    void *ord = bench_prepare(e, db, "INSERT INTO orders VALUES (?, ?, ?, ?, ?)");
    void *item = bench_prepare(e, db, "INSERT INTO order_items VALUES (?, ?, ?, ?)");
    for (int64_t id = 1; id <= n_orders; id++) {
        e->bind_int(ord, 1, id);
        e->bind_int(ord, 2, 1 + rng_below(rng, n_customers));
        e->bind_int(ord, 3, rng_below(rng, 2000));
        text_bind(e, ord, 4, statuses[rng_below(rng, COUNT_OF(statuses))]);
        e->bind_int(ord, 5, 100 + rng_below(rng, 99901));
        insert_row(e, db, ord);
        int64_t n_items = 1 + rng_below(rng, MAX_ITEMS_PER_ORDER);
        for (int64_t i = 0; i < n_items; i++) {
            int64_t product = 1 + rng_below(rng, N_PRODUCTS);
            e->bind_int(item, 1, id);
            e->bind_int(item, 2, product);
            e->bind_int(item, 3, 1 + rng_below(rng, 10));
            e->bind_int(item, 4, prices[product - 1]);
            insert_row(e, db, item);
        }
    }
    e->finalize(ord);
    e->finalize(item);
}

/* Creates and fills the schema in a fresh database; returns the open
 * handle, owned by the caller (e->close). */
static void *
populate(const bench_engine *e, const char *path, int64_t n_orders)
{
    static const char *const setup[] = {
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA cache_size=-65536",
        "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, city TEXT, signup_year INT)",
        "CREATE TABLE products(id INTEGER PRIMARY KEY, name TEXT, category TEXT, price INT)",
        "CREATE TABLE orders(id INTEGER PRIMARY KEY, customer_id INT, order_date INT,"
        " status TEXT, total INT)",
        "CREATE TABLE order_items(order_id INT, product_id INT, qty INT, price INT)",
    };
    static const char *const indexes[] = {
        "CREATE INDEX customers_city ON customers(city)",
        "CREATE INDEX customers_name ON customers(name)",
        "CREATE INDEX products_category ON products(category)",
        "CREATE INDEX orders_customer ON orders(customer_id)",
        "CREATE INDEX orders_date ON orders(order_date)",
        "CREATE INDEX order_items_order ON order_items(order_id)",
        "CREATE INDEX order_items_product ON order_items(product_id)",
    };
    int64_t prices[N_PRODUCTS];
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    int64_t n_customers = n_orders / 5 > 0 ? n_orders / 5 : 1;

    bench_remove_db(path);
    void *db = e->open(path);
    for (int i = 0; i < COUNT_OF(setup); i++)
        bench_exec(e, db, setup[i]);
    bench_exec(e, db, "BEGIN");
    load_customers(e, db, n_customers, &rng);
    load_products(e, db, prices, &rng);
    load_orders(e, db, n_orders, n_customers, prices, &rng);
    bench_exec(e, db, "COMMIT");
    for (int i = 0; i < COUNT_OF(indexes); i++)
        bench_exec(e, db, indexes[i]);
    return db;
}

/* --- result comparison --------------------------------------------------- */

/* The rows of one query in canonical text, one malloc'd string per row. */
typedef struct rowset {
    char **rows;        /* owned, each row owned */
    size_t n, cap;
    int n_cols;
} rowset;

static void
rowset_free(rowset *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        free(rs->rows[i]);
    free(rs->rows);
    memset(rs, 0, sizeof *rs);
}

/* Appends s (n bytes) to the growing buffer *buf of *len bytes, capacity *cap. */
static void
buf_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        while (*len + n + 1 > *cap)
            *cap = *cap ? *cap * 2 : 64;
        *buf = realloc(*buf, *cap);
        if (*buf == NULL)
            bench_die("realloc", "out of memory");
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

/* One value as "type:value"; reals to 12 significant digits, blobs in hex. */
static void
value_render(const bench_engine *e, void *st, int col, char **buf, size_t *len, size_t *cap)
{
    char num[64];
    int type = e->column_type(st, col);
    if (type == CHORUS_INTEGER) {
        snprintf(num, sizeof num, "i:%lld", (long long)e->column_int(st, col));
    } else if (type == CHORUS_FLOAT) {
        snprintf(num, sizeof num, "r:%.12g", e->column_double(st, col));
    } else if (type == CHORUS_NULL) {
        snprintf(num, sizeof num, "null");
    } else {
        const char *text = e->column_text(st, col);
        int nbytes = e->column_bytes(st, col);
        buf_append(buf, len, cap, type == CHORUS_TEXT ? "t:" : "b:", 2);
        for (int i = 0; i < nbytes; i++) {
            if (type == CHORUS_TEXT) {
                buf_append(buf, len, cap, text + i, 1);
            } else {
                snprintf(num, sizeof num, "%02x", (unsigned char)text[i]);
                buf_append(buf, len, cap, num, 2);
            }
        }
        return;
    }
    buf_append(buf, len, cap, num, strlen(num));
}

static int
cmp_row(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs st to the end, collecting its rows sorted into out. Returns 0, or -1
 * if a step failed (message in e->errmsg(db)); out is then freed. */
static int
rows_collect(const bench_engine *e, void *st, rowset *out)
{
    int rc;
    memset(out, 0, sizeof *out);
    out->n_cols = e->column_count(st);
    while ((rc = e->step(st)) == 1) {
        char *row = NULL;
        size_t len = 0, cap = 0;
        buf_append(&row, &len, &cap, "", 0);
        for (int c = 0; c < out->n_cols; c++) {
            if (c > 0)
                buf_append(&row, &len, &cap, " | ", 3);
            value_render(e, st, c, &row, &len, &cap);
        }
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 256;
            out->rows = realloc(out->rows, out->cap * sizeof *out->rows);
            if (out->rows == NULL)
                bench_die("realloc", "out of memory");
        }
        out->rows[out->n++] = row;
    }
    e->reset(st);
    if (rc < 0) {
        rowset_free(out);
        return -1;
    }
    qsort(out->rows, out->n, sizeof *out->rows, cmp_row);
    return 0;
}

/* Returns 1 and prints why under the skipped line of query q if the two
 * result sets differ, else 0. */
static int
rows_differ(const query *q, const rowset *ch, const rowset *sq)
{
    if (ch->n_cols == sq->n_cols && ch->n == sq->n) {
        size_t i = 0;
        while (i < ch->n && strcmp(ch->rows[i], sq->rows[i]) == 0)
            i++;
        if (i == ch->n)
            return 0;
    }
    printf("%-30s skipped: results differ\n", q->name);
    if (ch->n_cols != sq->n_cols) {
        printf("    columns: chorus %d, sqlite %d\n", ch->n_cols, sq->n_cols);
        return 1;
    }
    size_t n = ch->n < sq->n ? ch->n : sq->n;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ch->rows[i], sq->rows[i]) != 0) {
            printf("    rows: chorus %zu, sqlite %zu; sorted row %zu differs:\n"
                   "      chorus: %.200s\n      sqlite: %.200s\n",
                   ch->n, sq->n, i, ch->rows[i], sq->rows[i]);
            return 1;
        }
    }
    printf("    rows: chorus %zu, sqlite %zu (one is a prefix of the other)\n", ch->n, sq->n);
    return 1;
}

/* Prepares query q in both engines and compares their rows. Returns 1, the
 * statements in st_out[0] (chorus) and st_out[1] (sqlite), owned by the
 * caller, and the number of rows in *n_rows_out if the rows agree; else
 * prints why and returns 0. */
static int
query_verify(const query *q, void *dbs[2], void *st_out[2], size_t *n_rows_out)
{
    const bench_engine *ch = &bench_chorus, *sq = &bench_sqlite;
    rowset ch_rows, sq_rows;
    int ok = 0;

    st_out[0] = st_out[1] = NULL;
    void *ch_st = ch->prepare(dbs[0], q->sql);
    if (ch_st == NULL) {
        printf("%-30s skipped: chorus prepare: %s\n", q->name, ch->errmsg(dbs[0]));
        return 0;
    }
    void *sq_st = bench_prepare(sq, dbs[1], q->sql);
    if (rows_collect(ch, ch_st, &ch_rows) != 0) {
        printf("%-30s skipped: chorus step: %s\n", q->name, ch->errmsg(dbs[0]));
        goto done;
    }
    if (rows_collect(sq, sq_st, &sq_rows) != 0)
        bench_die(q->sql, sq->errmsg(dbs[1]));
    ok = !rows_differ(q, &ch_rows, &sq_rows);
    *n_rows_out = sq_rows.n;
    rowset_free(&ch_rows);
    rowset_free(&sq_rows);
done:
    if (!ok) {
        ch->finalize(ch_st);
        sq->finalize(sq_st);
        return 0;
    }
    st_out[0] = ch_st;
    st_out[1] = sq_st;
    return 1;
}

/* --- timing -------------------------------------------------------------- */

static clockid_t timing_clock = CLOCK_THREAD_CPUTIME_ID;

static double
timing_now_s(void)
{
    struct timespec ts;
    clock_gettime(timing_clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs st once to the end, reading every column of every row; returns the
 * seconds it took on timing_clock. The checksum keeps the reads from being
 * skipped. */
static double
query_time(const bench_engine *e, void *db, void *st, uint64_t *checksum)
{
    int n_cols = e->column_count(st);
    double t0 = timing_now_s();
    while (bench_step(e, db, st)) {
        for (int c = 0; c < n_cols; c++) {
            int type = e->column_type(st, c);
            if (type == CHORUS_INTEGER)
                *checksum += (uint64_t)e->column_int(st, c);
            else if (type == CHORUS_FLOAT)
                *checksum += (uint64_t)e->column_double(st, c);
            else if (type != CHORUS_NULL)
                *checksum += (uint64_t)e->column_bytes(st, c) + (uint8_t)e->column_text(st, c)[0];
        }
    }
    double t = timing_now_s() - t0;
    e->reset(st);
    return t;
}

/* Verifies query q, then times it `rounds` times per engine, alternating
 * which engine goes first, and prints its line. Returns the ratio sqlite ms
 * / chorus ms, or 0 if the query was skipped. */
static double
query_run(const query *q, void *dbs[2], int rounds, uint64_t *checksum)
{
    void *sts[2];
    double samples[2][MAX_ROUNDS];
    size_t n_rows;

    if (!query_verify(q, dbs, sts, &n_rows))
        return 0;
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 2; k++) {
            int slot = (r + k) % 2;
            samples[slot][r] = query_time(engines[slot], dbs[slot], sts[slot], checksum);
        }
    }
    for (int k = 0; k < 2; k++)
        engines[k]->finalize(sts[k]);
    double ch_ms = bench_median(samples[0], rounds) * 1e3;
    double sq_ms = bench_median(samples[1], rounds) * 1e3;
    printf("%-30s %10.3f %10.3f %8.2f %8zu\n", q->name, ch_ms, sq_ms, sq_ms / ch_ms, n_rows);
    return sq_ms / ch_ms;
}

/* Reads [orders] [rounds] [cpu|wall] over the defaults in *n_orders,
 * *rounds and timing_clock; returns 0 if they are not valid. */
static int
args_parse(int argc, char **argv, int64_t *n_orders, int *rounds)
{
    if (argc > 4)
        return 0;
    if (argc > 1)
        *n_orders = atoll(argv[1]);
    if (argc > 2)
        *rounds = atoi(argv[2]);
    if (argc > 3) {
        if (strcmp(argv[3], "wall") == 0)
            timing_clock = CLOCK_MONOTONIC;
        else if (strcmp(argv[3], "cpu") != 0)
            return 0;
    }
    return *n_orders >= 100 && *rounds >= 1 && *rounds <= MAX_ROUNDS;
}

int
main(int argc, char **argv)
{
    int64_t n_orders = 50000;
    int rounds = 5;
    char dir[64], paths[2][128];
    void *dbs[2];
    uint64_t checksum = 0;
    double log_ratio_sum = 0;
    int n_timed = 0;

    if (!args_parse(argc, argv, &n_orders, &rounds))
        bench_die("usage", "bench_queries [orders >= 100] [rounds 1..99] [cpu|wall]");
    snprintf(dir, sizeof dir, "/tmp/chorus-qbench-XXXXXX");
    if (mkdtemp(dir) == NULL)
        bench_die("mkdtemp", "failed");

    const char *clock_name = timing_clock == CLOCK_MONOTONIC ? "wall-clock" : "CPU";
    printf("orders=%lld customers=%lld products=%d rounds=%d; %s ms\n", (long long)n_orders,
           (long long)(n_orders / 5), N_PRODUCTS, rounds, clock_name);
    for (int k = 0; k < 2; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/%s.db", dir, engines[k]->name);
        double t0 = timing_now_s();
        dbs[k] = populate(engines[k], paths[k], n_orders);
        printf("populate %-6s %10.1f ms\n", engines[k]->name, (timing_now_s() - t0) * 1e3);
    }
    printf("\nmedian of rounds; ratio = sqlite ms / chorus ms (> 1 means ChorusDB is faster)\n");
    printf("%-30s %10s %10s %8s %8s\n", "query", "chorus ms", "sqlite ms", "ratio", "rows");
    for (int q = 0; q < N_QUERIES; q++) {
        fflush(stdout);
        double ratio = query_run(&queries[q], dbs, rounds, &checksum);
        if (ratio > 0) {
            log_ratio_sum += log(ratio);
            n_timed++;
        }
    }
    if (n_timed > 0)
        printf("%-30s %10s %10s %8.2f  (%d of %d queries)\n", "geometric mean", "", "",
               exp(log_ratio_sum / n_timed), n_timed, (int)N_QUERIES);
    printf("(checksum of the values read: %llu)\n", (unsigned long long)checksum);

    for (int k = 0; k < 2; k++) {
        engines[k]->close(dbs[k]);
        bench_remove_db(paths[k]);
    }
    rmdir(dir);
    return n_timed == N_QUERIES ? 0 : 2;
}
