/*
 * core/func/datetime.c: the date and time functions date, time, datetime,
 * julianday, unixepoch, strftime and timediff, with SQLite 3.45's time
 * values and modifiers.
 *
 * A moment is held as SQLite holds it: milliseconds since the Julian day
 * epoch (noon, 4714-11-24 BC, proleptic Gregorian), plus, when known,
 * broken-down year/month/day and hour/minute/second fields. Either form is
 * computed from the other on demand (Meeus's algorithms), and a modifier
 * invalidates whichever form it does not maintain.
 *
 * Time values: YYYY-MM-DD, optionally followed by ' ' or 'T' and a time;
 * HH:MM, HH:MM:SS, HH:MM:SS.SSS (on 2000-01-01); either followed by a zone
 * ([+-]HH:MM or Z); 'now'; 'subsec' (now, keeping milliseconds); a number
 * (a Julian day, or Unix seconds with the 'unixepoch' or 'auto' modifier).
 *
 * Modifiers: '±N days|hours|minutes|seconds|months|years' (singular too,
 * fractions allowed); '±HH:MM[:SS[.SSS]]'; '±YYYY-MM-DD[ HH:MM[:SS]]';
 * 'start of day|month|year'; 'weekday N'; 'unixepoch'; 'julianday';
 * 'auto'; 'localtime'; 'utc'; 'subsec'/'subsecond'. Anything else, or a
 * result outside 0000-01-01 .. 9999-12-31, gives NULL.
 *
 * 'now' is the statement time from the env hook when there is one, else
 * the clock read once per call.
 *
 * Callers: core/vm through func_find().
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "func_int.h"

/* Milliseconds from the Julian epoch to 1970-01-01 (2440587.5 days). */
#define UNIX_EPOCH_JD_MS 210866760000000LL
/* The last millisecond of 9999-12-31. */
#define MAX_JD_MS 464269060799999LL
#define DAY_MS 86400000LL

typedef struct moment {
    int64_t jd;             /* ms since the Julian epoch, when valid_jd */
    int year, month, day;   /* when valid_ymd */
    int hour, minute;       /* when valid_hms */
    double second;          /* seconds with fraction, when valid_hms */
    int tz;                 /* zone offset in minutes, when valid_tz */
    double raw;             /* the number given as the time value, when is_raw */
    bool valid_jd, valid_ymd, valid_hms, valid_tz;
    bool is_raw;            /* a bare number not yet placed by unixepoch/auto/julianday */
    bool is_utc;            /* given with a zone, or 'utc' applied: 'utc' does nothing */
    bool is_local;          /* 'localtime' applied: 'localtime' does nothing */
    bool subsec;            /* render milliseconds */
    bool is_error;
} moment;

static bool
jd_valid(int64_t jd)
{
    return jd >= 0 && jd <= MAX_JD_MS;
}

/* Marks p failed, forgetting everything else, as SQLite does (a later
 * 'localtime' clears the mark; SQLite behaves the same). */
static void
moment_fail(moment *p)
{
    memset(p, 0, sizeof *p);
    p->is_error = true;
}

/* From broken-down fields to jd. */
static void
moment_compute_jd(moment *p)
{
    int y = 2000, m = 1, d = 1;

    if (p->valid_jd)
        return;
    if (p->valid_ymd) {
        y = p->year;
        m = p->month;
        d = p->day;
    }
    if (y < -4713 || y > 9999 || p->is_raw) {
        moment_fail(p);
        return;
    }
    if (m <= 2) {
        y--;
        m += 12;
    }
    int a = y / 100;
    int b = 2 - a + a / 4;
    int x1 = 36525 * (y + 4716) / 100;
    int x2 = 306001 * (m + 1) / 10000;
    p->jd = (int64_t)((x1 + x2 + d + b - 1524.5) * 86400000.0);
    p->valid_jd = true;
    if (p->valid_hms) {
        p->jd += p->hour * 3600000LL + p->minute * 60000LL + (int64_t)(p->second * 1000 + 0.5);
        if (p->valid_tz) {
            p->jd -= p->tz * 60000LL;
            p->valid_ymd = p->valid_hms = p->valid_tz = false;
        }
    }
}

/* From jd to year/month/day. */
static void
moment_compute_ymd(moment *p)
{
    if (p->valid_ymd)
        return;
    if (!p->valid_jd) {
        p->year = 2000;
        p->month = 1;
        p->day = 1;
    } else if (!jd_valid(p->jd)) {
        moment_fail(p);
        return;
    } else {
        int z = (int)((p->jd + 43200000) / DAY_MS);
        int a = (int)((z - 1867216.25) / 36524.25);
        a = z + 1 + a - a / 4;
        int b = a + 1524;
        int c = (int)((b - 122.1) / 365.25);
        int d = (36525 * (c & 32767)) / 100;
        int e = (int)((b - d) / 30.6001);
        int x1 = (int)(30.6001 * e);
        p->day = b - d - x1;
        p->month = e < 14 ? e - 1 : e - 13;
        p->year = p->month > 2 ? c - 4716 : c - 4715;
    }
    p->valid_ymd = true;
}

/* From jd to hour/minute/second. */
static void
moment_compute_hms(moment *p)
{
    if (p->valid_hms)
        return;
    moment_compute_jd(p);
    int ms = (int)((p->jd + 43200000) % DAY_MS);
    int s = ms / 1000;
    p->second = (ms % 1000) / 1000.0;
    p->hour = s / 3600;
    s -= p->hour * 3600;
    p->minute = s / 60;
    p->second += s - p->minute * 60;
    p->is_raw = false;
    p->valid_hms = true;
}

static void
moment_compute_all(moment *p)
{
    moment_compute_ymd(p);
    moment_compute_hms(p);
}

/* Keeps only jd. */
static void
moment_clear_fields(moment *p)
{
    p->valid_ymd = p->valid_hms = p->valid_tz = false;
}

static void
moment_set_raw(moment *p, double r)
{
    p->raw = r;
    p->is_raw = true;
    if (r >= 0.0 && r < 5373484.5) {
        p->jd = (int64_t)(r * 86400000.0 + 0.5);
        p->valid_jd = true;
    }
}

static void
moment_set_now(moment *p, const func_ctx *ctx)
{
    int64_t now_ms;

    if (ctx->env != NULL && ctx->env->now_ms != NULL) {
        now_ms = ctx->env->now_ms(ctx->env->conn);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    p->jd = now_ms + UNIX_EPOCH_JD_MS;
    p->valid_jd = true;
}

/* --- parsing ----------------------------------------------------------------- */

/* Reads exactly n digits at z into *out if within [lo, hi]. */
static bool
digits_get(const char *z, int n, int lo, int hi, int *out)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (z[i] < '0' || z[i] > '9')
            return false;
        v = v * 10 + (z[i] - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static const char *
spaces_skip(const char *z)
{
    while (*z == ' ' || (*z >= '\t' && *z <= '\r'))
        z++;
    return z;
}

/* A zone suffix: spaces, then [+-]HH:MM or Z, then spaces. */
static bool
zone_parse(const char *z, moment *p)
{
    int sign, h, m;

    z = spaces_skip(z);
    p->tz = 0;
    if (*z == '\0')
        return true;
    if (*z == 'Z' || *z == 'z') {
        z++;
    } else {
        if (*z != '+' && *z != '-')
            return false;
        sign = *z++ == '-' ? -1 : 1;
        if (!digits_get(z, 2, 0, 14, &h) || z[2] != ':' || !digits_get(z + 3, 2, 0, 59, &m))
            return false;
        z += 5;
        p->tz = sign * (h * 60 + m);
    }
    p->valid_tz = p->tz != 0;
    p->is_utc = true;
    z = spaces_skip(z);
    return *z == '\0';
}

/* HH:MM[:SS[.SSS]], then a zone when with_zone, else only spaces. */
static bool
time_parse(const char *z, moment *p, bool with_zone)
{
    int h, m, s = 0;
    double frac = 0.0;

    if (!digits_get(z, 2, 0, 24, &h) || z[2] != ':' || !digits_get(z + 3, 2, 0, 59, &m))
        return false;
    z += 5;
    if (*z == ':') {
        if (!digits_get(z + 1, 2, 0, 59, &s))
            return false;
        z += 3;
        if (*z == '.' && z[1] >= '0' && z[1] <= '9') {
            double scale = 1.0;
            for (z++; *z >= '0' && *z <= '9'; z++) {
                frac = frac * 10.0 + (*z - '0');
                scale *= 10.0;
            }
            frac /= scale;
        }
    }
    p->valid_jd = false;
    p->is_raw = false;
    p->valid_hms = true;
    p->hour = h;
    p->minute = m;
    p->second = s + frac;
    if (!with_zone)
        return *spaces_skip(z) == '\0';
    return zone_parse(z, p);
}

/* YYYY-MM-DD (an optional leading '-'), then an optional time. */
static bool
date_parse(const char *z, moment *p)
{
    int y, m, d;
    bool neg = false;

    if (*z == '-') {
        neg = true;
        z++;
    }
    if (!digits_get(z, 4, 0, 9999, &y) || z[4] != '-' || !digits_get(z + 5, 2, 1, 12, &m) ||
        z[7] != '-' || !digits_get(z + 8, 2, 1, 31, &d))
        return false;
    z += 10;
    while (*z == ' ' || (*z >= '\t' && *z <= '\r') || *z == 'T')
        z++;
    if (*z != '\0' && !time_parse(z, p, true))
        return false;
    if (*z == '\0')
        p->valid_hms = false;
    p->valid_jd = false;
    p->valid_ymd = true;
    p->year = neg ? -y : y;
    p->month = m;
    p->day = d;
    if (p->valid_tz)
        moment_compute_jd(p);   /* the zone is folded in at once */
    return true;
}

/* A time value given as text. */
static bool
time_value_parse(const char *z, int n, moment *p, const func_ctx *ctx)
{
    if (date_parse(z, p) || time_parse(z, p, true))
        return true;
    if (strcasecmp(z, "now") == 0) {
        moment_set_now(p, ctx);
        return true;
    }
    value num;
    if (value_text_to_numeric(z, n, &num)) {
        moment_set_raw(p, value_to_double(&num));
        return true;
    }
    if (strcasecmp(z, "subsec") == 0 || strcasecmp(z, "subsecond") == 0) {
        p->subsec = true;
        moment_set_now(p, ctx);
        return true;
    }
    return false;
}

/* --- modifiers ------------------------------------------------------------- */

/* Local time of p's moment, mapping years outside 1970..2037 into that
 * range as SQLite does (localtime_r only knows those reliably). */
static bool
to_localtime(moment *p)
{
    struct tm tm;
    int year_diff = 0;
    time_t t;

    moment_compute_jd(p);
    if (p->jd < 210866760000000LL || p->jd > 213014145600000LL) {
        moment x = *p;
        moment_compute_all(&x);
        year_diff = (2000 + x.year % 4) - x.year;
        x.year += year_diff;
        x.valid_jd = false;
        moment_compute_jd(&x);
        t = (time_t)(x.jd / 1000 - UNIX_EPOCH_JD_MS / 1000);
    } else {
        t = (time_t)(p->jd / 1000 - UNIX_EPOCH_JD_MS / 1000);
    }
    memset(&tm, 0, sizeof tm);
    if (localtime_r(&t, &tm) == NULL)
        return false;
    p->year = tm.tm_year + 1900 - year_diff;
    p->month = tm.tm_mon + 1;
    p->day = tm.tm_mday;
    p->hour = tm.tm_hour;
    p->minute = tm.tm_min;
    p->second = tm.tm_sec + (double)(p->jd % 1000) * 0.001;
    p->valid_ymd = p->valid_hms = true;
    p->valid_jd = p->is_raw = p->valid_tz = p->is_error = false;
    return true;
}

/* 'utc': the moment whose local time is p's, found by iteration. */
static bool
to_utc(moment *p)
{
    if (p->is_utc)
        return true;
    moment_compute_jd(p);
    int64_t orig = p->jd, guess = orig, err = 0;
    for (int cnt = 0; cnt == 0 || (err != 0 && cnt < 4); cnt++) {
        moment x;
        memset(&x, 0, sizeof x);
        guess -= err;
        x.jd = guess;
        x.valid_jd = true;
        if (!to_localtime(&x))
            return false;
        moment_compute_jd(&x);
        err = x.jd - orig;
    }
    bool subsec = p->subsec;
    memset(p, 0, sizeof *p);
    p->jd = guess;
    p->valid_jd = true;
    p->is_utc = true;
    p->subsec = subsec;
    return true;
}

/* Months added to the broken-down date, the year carried. */
static void
months_add(moment *p, int months)
{
    p->month += months;
    int x = p->month > 0 ? (p->month - 1) / 12 : (p->month - 12) / 12;
    p->year += x;
    p->month -= x * 12;
    p->valid_jd = false;
}

/* '±HH:MM[:SS[.SSS]]' at z (sign at z[0] or none): a time offset. */
static bool
offset_time_apply(const char *z, bool negative, moment *p)
{
    moment tx;

    memset(&tx, 0, sizeof tx);
    if (!time_parse(z, &tx, false))
        return false;
    moment_compute_jd(&tx);
    tx.jd -= 43200000;
    tx.jd -= (tx.jd / DAY_MS) * DAY_MS;
    if (negative)
        tx.jd = -tx.jd;
    moment_compute_jd(p);
    moment_clear_fields(p);
    p->jd += tx.jd;
    return true;
}

/* '±YYYY-MM-DD[ HH:MM[:SS[.SSS]]]': years, months (0-11) and days (0-30). */
static bool
offset_date_apply(const char *z, moment *p)
{
    bool negative = z[0] == '-';
    int y, m, d;

    if (z[0] != '+' && z[0] != '-')
        return false;
    z++;
    int ylen = z[4] == '-' ? 4 : 5;
    if (!digits_get(z, ylen, 0, 99999, &y) || z[ylen] != '-' ||
        !digits_get(z + ylen + 1, 2, 0, 11, &m) || z[ylen + 3] != '-' ||
        !digits_get(z + ylen + 4, 2, 0, 30, &d))
        return false;
    z += ylen + 6;
    moment_compute_all(p);
    p->year += negative ? -y : y;
    months_add(p, negative ? -m : m);
    moment_compute_jd(p);
    p->valid_hms = p->valid_ymd = false;
    p->jd += (negative ? -d : d) * DAY_MS;
    if (*z == '\0')
        return true;
    if (*z != ' ')
        return false;
    return offset_time_apply(spaces_skip(z), negative, p);
}

static const struct {
    const char *name;
    double limit;           /* magnitude must stay below */
    double seconds;         /* seconds per unit (30 days a month, 365 a year) */
} units[] = {
    { "second", 4.6427e+14, 1.0 }, { "minute", 7.7379e+12, 60.0 },
    { "hour", 1.2897e+11, 3600.0 }, { "day", 5373485.0, 86400.0 },
    { "month", 176546.0, 2592000.0 }, { "year", 14713.0, 31536000.0 },
};

/* '±N unit': whole months and years move the calendar fields, the rest
 * (and fractions) adds a time span. */
static bool
offset_units_apply(const char *z, moment *p)
{
    int n = 1;
    int year;
    double r;
    value num;

    /* The number ends at ':', a space, or the '-' after a 4 or 5 digit
     * year of a date offset. */
    for (; z[n] != '\0' && z[n] != ':' && !(z[n] == ' ' || (z[n] >= '\t' && z[n] <= '\r')); n++)
        if (z[n] == '-' && (n == 5 || n == 6) && digits_get(z + 1, n - 1, 0, 99999, &year))
            break;
    if (!value_text_to_numeric(z, n, &num))
        return false;
    if (z[n] == '-')
        return offset_date_apply(z, p);
    if (z[n] == ':')
        return offset_time_apply(z[0] >= '0' && z[0] <= '9' ? z : z + 1, z[0] == '-', p);
    r = value_to_double(&num);
    const char *unit = spaces_skip(z + n);
    size_t len = strlen(unit);
    if (len > 10 || len < 3)
        return false;
    if (unit[len - 1] == 's' || unit[len - 1] == 'S')
        len--;
    moment_compute_jd(p);
    for (size_t i = 0; i < CHORUS_ARRAY_LEN(units); i++) {
        if (strlen(units[i].name) != len || strncasecmp(units[i].name, unit, len) != 0 ||
            !(r > -units[i].limit && r < units[i].limit))
            continue;
        if (i == 4) {
            moment_compute_all(p);
            months_add(p, (int)r);
            r -= (int)r;
        } else if (i == 5) {
            moment_compute_all(p);
            p->year += (int)r;
            p->valid_jd = false;
            r -= (int)r;
        }
        moment_compute_jd(p);
        p->jd += (int64_t)(r * 1000.0 * units[i].seconds + (r < 0 ? -0.5 : 0.5));
        moment_clear_fields(p);
        return true;
    }
    moment_clear_fields(p);
    return false;
}

/* 'start of day|month|year'. */
static bool
start_of_apply(const char *what, moment *p)
{
    bool month = strcasecmp(what, "month") == 0;
    bool year = strcasecmp(what, "year") == 0;

    if (!month && !year && strcasecmp(what, "day") != 0)
        return false;
    if (!p->valid_jd && !p->valid_ymd && !p->valid_hms)
        return false;   /* a number outside the Julian day range */
    moment_compute_ymd(p);
    p->valid_hms = true;
    p->hour = p->minute = 0;
    p->second = 0.0;
    p->is_raw = p->valid_tz = p->valid_jd = false;
    if (month || year)
        p->day = 1;
    if (year)
        p->month = 1;
    return true;
}

/* 'weekday N': forward to the next day that is weekday N (0 = Sunday). */
static bool
weekday_apply(const char *arg, moment *p)
{
    value num;

    if (!value_text_to_numeric(arg, (int)strlen(arg), &num))
        return false;
    double r = value_to_double(&num);
    if (!(r >= 0 && r < 7) || r != (int)r)
        return false;
    int n = (int)r;
    moment_compute_all(p);
    p->valid_tz = p->valid_jd = false;
    moment_compute_jd(p);
    int64_t z = ((p->jd + 129600000) / DAY_MS) % 7;
    if (z > n)
        z -= 7;
    p->jd += (n - z) * DAY_MS;
    moment_clear_fields(p);
    return true;
}

/* 'unixepoch' and 'auto' place a raw number as Unix seconds. */
static bool
unix_apply(moment *p)
{
    double r = p->raw * 1000.0 + 210866760000000.0;

    if (!p->is_raw || !(r >= 0.0 && r < 464269060800000.0))
        return false;
    moment_clear_fields(p);
    p->jd = (int64_t)(r + 0.5);
    p->valid_jd = true;
    p->is_raw = false;
    return true;
}

/* Applies modifier z (the idx-th argument, 1-based); false on error. */
static bool
modifier_apply(const char *z, int idx, moment *p)
{
    if (strcasecmp(z, "auto") == 0) {
        if (idx > 1)
            return false;
        if (!p->is_raw || p->valid_jd) {
            p->is_raw = false;
            return true;
        }
        return p->raw >= -210866760000.0 && p->raw <= 253402300799.0 && unix_apply(p);
    }
    if (strcasecmp(z, "julianday") == 0) {
        if (idx > 1 || !p->valid_jd || !p->is_raw)
            return false;
        p->is_raw = false;
        return true;
    }
    if (strcasecmp(z, "unixepoch") == 0)
        return idx == 1 && unix_apply(p);
    if (strcasecmp(z, "localtime") == 0) {
        bool ok = p->is_local || to_localtime(p);
        p->is_local = true;
        p->is_utc = false;
        return ok;
    }
    if (strcasecmp(z, "utc") == 0)
        return to_utc(p);
    if (strcasecmp(z, "subsec") == 0 || strcasecmp(z, "subsecond") == 0) {
        p->subsec = true;
        return true;
    }
    if (strncasecmp(z, "start of ", 9) == 0)
        return start_of_apply(z + 9, p);
    if (strncasecmp(z, "weekday ", 8) == 0)
        return weekday_apply(z + 8, p);
    if (z[0] == '+' || z[0] == '-' || (z[0] >= '0' && z[0] <= '9'))
        return offset_units_apply(z, p);
    return false;
}

/* Copies an argument's text NUL-terminated into buf; false for NULL or
 * text too long to be a time value or modifier. */
static bool
arg_cstring(const value *v, char *buf, size_t cap, int *n_out)
{
    char num[VALUE_REAL_BUF];
    const char *z = func_arg_text(v, num, n_out);

    if (z == NULL || (size_t)*n_out >= cap)
        return false;
    memcpy(buf, z, (size_t)*n_out);
    buf[*n_out] = '\0';
    *n_out = (int)strlen(buf);     /* C text ends at a NUL, as in SQLite */
    return true;
}

/*
 * The moment of the arguments (time value and modifiers); false when the
 * result is NULL. No arguments means 'now'.
 */
static bool
moment_from_args(func_ctx *ctx, int argc, const value *argv, moment *p)
{
    char buf[128];
    int n;

    memset(p, 0, sizeof *p);
    if (argc == 0) {
        moment_set_now(p, ctx);
    } else if (argv[0].type == VALUE_INTEGER || argv[0].type == VALUE_REAL) {
        moment_set_raw(p, value_to_double(&argv[0]));
    } else if (!arg_cstring(&argv[0], buf, sizeof buf, &n) ||
               !time_value_parse(buf, n, p, ctx)) {
        return false;
    }
    for (int i = 1; i < argc; i++) {
        if (!arg_cstring(&argv[i], buf, sizeof buf, &n) || !modifier_apply(buf, i, p))
            return false;
    }
    moment_compute_jd(p);
    if (p->is_error || !jd_valid(p->jd))
        return false;
    if (argc == 1 && p->valid_ymd && p->day > 28)
        p->valid_ymd = false;       /* 2023-02-31 reads as 2023-03-03 */
    return true;
}

/* --- rendering ---------------------------------------------------------------- */

static void
date_append(strbuf *sb, const moment *p)
{
    strbuf_printf(sb, "%s%04d-%02d-%02d", p->year < 0 ? "-" : "", abs(p->year), p->month, p->day);
}

/* HH:MM:SS, or HH:MM:SS.SSS with subsec. */
static void
time_append(strbuf *sb, const moment *p)
{
    if (p->subsec) {
        int ms = (int)(1000.0 * p->second + 0.5);
        strbuf_printf(sb, "%02d:%02d:%d%d.%03d", p->hour, p->minute, (ms / 10000) % 10,
                      (ms / 1000) % 10, ms % 1000);
    } else {
        strbuf_printf(sb, "%02d:%02d:%02d", p->hour, p->minute, (int)p->second);
    }
}

static int
fn_date(func_ctx *ctx, int argc, const value *argv)
{
    moment p;
    strbuf sb;

    if (!moment_from_args(ctx, argc, argv, &p))
        return CHORUS_OK;
    moment_compute_ymd(&p);
    strbuf_init(&sb);
    date_append(&sb, &p);
    return func_result_strbuf(ctx, &sb);
}

static int
fn_time(func_ctx *ctx, int argc, const value *argv)
{
    moment p;
    strbuf sb;

    if (!moment_from_args(ctx, argc, argv, &p))
        return CHORUS_OK;
    moment_compute_hms(&p);
    strbuf_init(&sb);
    time_append(&sb, &p);
    return func_result_strbuf(ctx, &sb);
}

static int
fn_datetime(func_ctx *ctx, int argc, const value *argv)
{
    moment p;
    strbuf sb;

    if (!moment_from_args(ctx, argc, argv, &p))
        return CHORUS_OK;
    moment_compute_all(&p);
    strbuf_init(&sb);
    date_append(&sb, &p);
    strbuf_putc(&sb, ' ');
    time_append(&sb, &p);
    return func_result_strbuf(ctx, &sb);
}

static int
fn_julianday(func_ctx *ctx, int argc, const value *argv)
{
    moment p;

    if (moment_from_args(ctx, argc, argv, &p))
        func_result_real(ctx, (double)p.jd / 86400000.0);
    return CHORUS_OK;
}

static int
fn_unixepoch(func_ctx *ctx, int argc, const value *argv)
{
    moment p;

    if (!moment_from_args(ctx, argc, argv, &p))
        return CHORUS_OK;
    if (p.subsec)
        func_result_real(ctx, (double)(p.jd - UNIX_EPOCH_JD_MS) / 1000.0);
    else
        func_result_int(ctx, p.jd / 1000 - UNIX_EPOCH_JD_MS / 1000);
    return CHORUS_OK;
}

/* Day of the year, 0-based. */
static int
day_of_year(const moment *p)
{
    moment jan1 = *p;

    jan1.valid_jd = false;
    jan1.valid_hms = false;
    jan1.month = 1;
    jan1.day = 1;
    moment_compute_jd(&jan1);
    moment day = *p;
    day.valid_jd = false;
    day.valid_hms = false;
    moment_compute_jd(&day);
    return (int)((day.jd - jan1.jd) / DAY_MS);
}

/* Day of the week, 0 = Sunday. */
static int
weekday_of(const moment *p)
{
    return (int)(((p->jd + 129600000) / DAY_MS) % 7);
}

/* ISO 8601 week number and its year. */
static int
iso_week(const moment *p, int *iso_year)
{
    /* The Thursday of this week decides the year. */
    moment thu = *p;
    int wd = (weekday_of(p) + 6) % 7;       /* 0 = Monday */

    thu.jd += (3 - wd) * DAY_MS;
    thu.valid_ymd = thu.valid_hms = false;
    moment_compute_ymd(&thu);
    *iso_year = thu.year;
    return day_of_year(&thu) / 7 + 1;
}

/* Appends one strftime conversion; false for an unknown one. */
static bool
strftime_conv(strbuf *sb, char c, const moment *p)
{
    switch (c) {
    case 'd': strbuf_printf(sb, "%02d", p->day); return true;
    case 'e': strbuf_printf(sb, "%2d", p->day); return true;
    case 'f': {
        value_real_spec spec = { .conv = 'f', .precision = 3 };
        double s = p->second > 59.999 ? 59.999 : p->second;
        if (s < 10)
            strbuf_putc(sb, '0');
        value_format_real_spec(s, &spec, sb);
        return true;
    }
    case 'F': date_append(sb, p); return true;
    case 'H': strbuf_printf(sb, "%02d", p->hour); return true;
    case 'k': strbuf_printf(sb, "%2d", p->hour); return true;
    case 'I': strbuf_printf(sb, "%02d", p->hour % 12 == 0 ? 12 : p->hour % 12); return true;
    case 'l': strbuf_printf(sb, "%2d", p->hour % 12 == 0 ? 12 : p->hour % 12); return true;
    case 'j': strbuf_printf(sb, "%03d", day_of_year(p) + 1); return true;
    case 'J': {
        value_real_spec spec = { .conv = 'g', .precision = 16 };
        value_format_real_spec((double)p->jd / 86400000.0, &spec, sb);
        return true;
    }
    case 'm': strbuf_printf(sb, "%02d", p->month); return true;
    case 'M': strbuf_printf(sb, "%02d", p->minute); return true;
    case 'p': strbuf_puts(sb, p->hour >= 12 ? "PM" : "AM"); return true;
    case 'P': strbuf_puts(sb, p->hour >= 12 ? "pm" : "am"); return true;
    case 'R': strbuf_printf(sb, "%02d:%02d", p->hour, p->minute); return true;
    case 's':
        if (p->subsec) {
            value_real_spec spec = { .conv = 'f', .precision = 3 };
            value_format_real_spec((double)(p->jd - UNIX_EPOCH_JD_MS) / 1000.0, &spec, sb);
        } else {
            strbuf_printf(sb, "%lld", (long long)(p->jd / 1000 - UNIX_EPOCH_JD_MS / 1000));
        }
        return true;
    case 'S': strbuf_printf(sb, "%02d", (int)p->second); return true;
    case 'T':
        strbuf_printf(sb, "%02d:%02d:%02d", p->hour, p->minute, (int)p->second);
        return true;
    case 'u': strbuf_printf(sb, "%d", weekday_of(p) == 0 ? 7 : weekday_of(p)); return true;
    case 'w': strbuf_printf(sb, "%d", weekday_of(p)); return true;
    case 'U': strbuf_printf(sb, "%02d", (day_of_year(p) + 7 - weekday_of(p)) / 7); return true;
    case 'W':
        strbuf_printf(sb, "%02d", (day_of_year(p) + 7 - (weekday_of(p) + 6) % 7) / 7);
        return true;
    case 'V': case 'G': case 'g': {
        int year, week = iso_week(p, &year);
        if (c == 'V')
            strbuf_printf(sb, "%02d", week);
        else if (c == 'G')
            strbuf_printf(sb, "%04d", year);
        else
            strbuf_printf(sb, "%02d", year % 100);
        return true;
    }
    case 'Y': strbuf_printf(sb, "%04d", p->year); return true;
    case '%': strbuf_putc(sb, '%'); return true;
    default: return false;
    }
}

static int
fn_strftime(func_ctx *ctx, int argc, const value *argv)
{
    char buf[VALUE_REAL_BUF];
    int n;
    const char *fmt = func_arg_text(&argv[0], buf, &n);
    moment p;
    strbuf sb;

    if (fmt == NULL || !moment_from_args(ctx, argc - 1, argv + 1, &p))
        return CHORUS_OK;
    moment_compute_all(&p);
    strbuf_init(&sb);
    for (int i = 0; i < n && fmt[i] != '\0'; i++) {
        if (fmt[i] != '%') {
            strbuf_putc(&sb, fmt[i]);
        } else if (i + 1 >= n || !strftime_conv(&sb, fmt[++i], &p)) {
            strbuf_free(&sb);
            return CHORUS_OK;
        }
    }
    return func_result_strbuf(ctx, &sb);
}

/* Moves d2 month by month toward d1 (by +1 or -1 months) until it passes. */
static void
month_step(moment *d2, int dir)
{
    d2->month += dir;
    if (d2->month < 1) {
        d2->month = 12;
        d2->year--;
    } else if (d2->month > 12) {
        d2->month = 1;
        d2->year++;
    }
    d2->valid_jd = false;
    moment_compute_jd(d2);
}

/* timediff(A, B): A - B as "±YYYY-MM-DD HH:MM:SS.SSS". */
static int
fn_timediff(func_ctx *ctx, int argc, const value *argv)
{
    moment d1, d2;
    strbuf sb;
    char sign;
    int y, m;

    if (!moment_from_args(ctx, 1, &argv[0], &d1) || !moment_from_args(ctx, 1, &argv[1], &d2))
        return CHORUS_OK;
    moment_compute_all(&d1);
    moment_compute_all(&d2);
    bool forward = d1.jd >= d2.jd;
    sign = forward ? '+' : '-';
    y = forward ? d1.year - d2.year : d2.year - d1.year;
    if (y != 0) {
        d2.year = d1.year;
        d2.valid_jd = false;
        moment_compute_jd(&d2);
    }
    m = forward ? d1.month - d2.month : d2.month - d1.month;
    if (m < 0) {
        y--;
        m += 12;
    }
    if (m != 0) {
        d2.month = d1.month;
        d2.valid_jd = false;
        moment_compute_jd(&d2);
    }
    while (forward ? d1.jd < d2.jd : d1.jd > d2.jd) {
        if (--m < 0) {
            m = 11;
            y--;
        }
        month_step(&d2, forward ? -1 : 1);
    }
    d1.jd = (forward ? d1.jd - d2.jd : d2.jd - d1.jd) + 148699540800000LL;
    moment_clear_fields(&d1);
    moment_compute_all(&d1);
    strbuf_init(&sb);
    strbuf_printf(&sb, "%c%04d-%02d-%02d %02d:%02d:", sign, y, m, d1.day - 1, d1.hour, d1.minute);
    value_real_spec spec = { .conv = 'f', .precision = 3 };
    if (d1.second < 10)
        strbuf_putc(&sb, '0');
    value_format_real_spec(d1.second, &spec, &sb);
    return func_result_strbuf(ctx, &sb);
}

#define STABLE FUNC_STATEMENT_STABLE
static const func_def defs[] = {
    { .name = "date", .n_args = -1, .flags = STABLE, .scalar = fn_date },
    { .name = "time", .n_args = -1, .flags = STABLE, .scalar = fn_time },
    { .name = "datetime", .n_args = -1, .flags = STABLE, .scalar = fn_datetime },
    { .name = "julianday", .n_args = -1, .flags = STABLE, .scalar = fn_julianday },
    { .name = "unixepoch", .n_args = -1, .flags = STABLE, .scalar = fn_unixepoch },
    { .name = "strftime", .n_args = -1, .min_args = 1, .flags = STABLE, .scalar = fn_strftime },
    { .name = "timediff", .n_args = 2, .flags = STABLE, .scalar = fn_timediff },
    /* CURRENT_DATE, CURRENT_TIME and CURRENT_TIMESTAMP: 'now' (the parser
     * makes these keywords calls of these names). */
    { .name = "current_date", .n_args = 0, .scalar = fn_date },
    { .name = "current_time", .n_args = 0, .scalar = fn_time },
    { .name = "current_timestamp", .n_args = 0, .scalar = fn_datetime },
};

const func_table func_datetime_table = { defs, (int)CHORUS_ARRAY_LEN(defs) };
