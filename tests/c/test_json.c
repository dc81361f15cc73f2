/* Tests of the strict JSON reader (src/front/json.c). Every input is parsed from
 * an exact-size heap copy without a terminating NUL, so that any read past the
 * end shows up under AddressSanitizer. */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "front/json.h"
#include "test.h"

typedef struct fixture {
    ox_arena *arena;
    ox_ctx ctx;
    char *copy;
} fixture;

static void fx_init(fixture *f)
{
    f->arena = ox_arena_new();
    ox_ctx_init(&f->ctx, f->arena);
    f->copy = NULL;
}

static void fx_done(fixture *f)
{
    free(f->copy);
    ox_ctx_release(&f->ctx);
    ox_arena_free(f->arena);
}

/* Parses `len` bytes of `text` from an exact-size copy. */
static ox_status parse_n(fixture *f, const char *text, size_t len, ox_json **out)
{
    free(f->copy);
    f->copy = malloc(len ? len : 1);
    if (len) memcpy(f->copy, text, len);
    return ox_json_parse(&f->ctx, f->copy, len, out);
}

static ox_json *parse_ok(fixture *f, const char *text)
{
    ox_json *v = NULL;
    ox_status st = parse_n(f, text, strlen(text), &v);
    if (st != OX_OK) fprintf(stderr, "unexpected failure on %.60s: %s\n", text, f->ctx.message);
    CHECK_EQ_INT(st, OX_OK);
    CHECK(v != NULL);
    return v;
}

/* Expects a failure at line:column whose message contains `what`. */
static void expect_error_n(const char *text, size_t len, int line, int column, const char *what)
{
    fixture f;
    fx_init(&f);
    ox_json *v = (ox_json *)1;
    ox_status st = parse_n(&f, text, len, &v);
    CHECK_EQ_INT(st, ONNXIFY_ERR_GRAPH_DESCRIPTION);
    CHECK(v == NULL);
    char where[64];
    snprintf(where, sizeof where, "invalid JSON at line %d, column %d: ", line, column);
    CHECK_CONTAINS(f.ctx.message, where);
    CHECK_CONTAINS(f.ctx.message, what);
    fx_done(&f);
}

static void expect_error(const char *text, int line, int column, const char *what)
{
    expect_error_n(text, strlen(text), line, column, what);
}

/* ---- valid documents ---------------------------------------------------- */

static void test_scalars(void)
{
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, "null");
    if (v) CHECK_EQ_INT(v->kind, OX_JSON_NULL);
    v = parse_ok(&f, "true");
    if (v) { CHECK_EQ_INT(v->kind, OX_JSON_BOOL); CHECK(v->boolean); }
    v = parse_ok(&f, "false");
    if (v) { CHECK_EQ_INT(v->kind, OX_JSON_BOOL); CHECK(!v->boolean); }
    v = parse_ok(&f, "42");
    if (v) {
        CHECK_EQ_INT(v->kind, OX_JSON_NUMBER);
        CHECK(v->is_int);
        CHECK_EQ_INT(v->integer, 42);
        CHECK(v->number == 42.0);
        CHECK(v->string == NULL);
    }
    v = parse_ok(&f, "\"hi\"");
    if (v) {
        CHECK_EQ_INT(v->kind, OX_JSON_STRING);
        CHECK_STR(v->string, "hi");
        CHECK_EQ_INT(v->string_len, 2);
    }
    v = parse_ok(&f, "\"\"");
    if (v) { CHECK_STR(v->string, ""); CHECK_EQ_INT(v->string_len, 0); }
    fx_done(&f);
}

static void test_nesting(void)
{
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, "{\"a\": [1, {\"b\": [[], {}]}, \"x\"], \"c\": {}, \"d\": [[[true]]]}");
    if (v) {
        CHECK_EQ_INT(v->kind, OX_JSON_OBJECT);
        CHECK_EQ_INT(v->count, 3);
        CHECK_STR(v->keys[0], "a");
        CHECK_STR(v->keys[1], "c");
        CHECK_STR(v->keys[2], "d");
        const ox_json *a = ox_json_get(v, "a");
        CHECK(a && a->kind == OX_JSON_ARRAY && a->count == 3 && a->keys == NULL);
        if (a && a->count == 3) {
            CHECK_EQ_INT(a->items[0]->integer, 1);
            const ox_json *b = ox_json_get(a->items[1], "b");
            CHECK(b && b->kind == OX_JSON_ARRAY && b->count == 2);
            if (b && b->count == 2) {
                CHECK(b->items[0]->kind == OX_JSON_ARRAY && b->items[0]->count == 0);
                CHECK(b->items[1]->kind == OX_JSON_OBJECT && b->items[1]->count == 0);
            }
            CHECK_STR(a->items[2]->string, "x");
        }
        const ox_json *c = ox_json_get(v, "c");
        CHECK(c && c->kind == OX_JSON_OBJECT && c->count == 0);
        const ox_json *d = ox_json_get(v, "d");
        CHECK(d && d->count == 1 && d->items[0]->count == 1 && d->items[0]->items[0]->count == 1 &&
              d->items[0]->items[0]->items[0]->boolean);
        CHECK(ox_json_get(v, "missing") == NULL);
        CHECK(ox_json_get(a, "a") == NULL);     /* not an object */
        CHECK(ox_json_get(NULL, "a") == NULL);
    }
    fx_done(&f);
}

static void test_depth_limit_ok(void)
{
    /* Exactly OX_JSON_MAX_DEPTH levels are fine. */
    size_t n = OX_JSON_MAX_DEPTH;
    char *s = malloc(2 * n + 1);
    for (size_t k = 0; k < n; k++) {
        s[k] = '[';
        s[2 * n - 1 - k] = ']';
    }
    s[2 * n] = '\0';
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, s);
    size_t depth = 0;
    while (v && v->kind == OX_JSON_ARRAY) {
        depth++;
        v = v->count ? v->items[0] : NULL;
    }
    CHECK_EQ_INT(depth, n);
    fx_done(&f);
    free(s);
}

static void test_escapes(void)
{
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, "\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t end\"");
    if (v) {
        CHECK_STR(v->string, "q\" b\\ s/ \b\f\n\r\t end");
        CHECK_EQ_INT(v->string_len, strlen("q\" b\\ s/ \b\f\n\r\t end"));
    }
    v = parse_ok(&f, "\"\\u0041\\u00e9\\u20AC\\uFFFF\"");
    if (v) CHECK_STR(v->string, "A\xC3\xA9\xE2\x82\xAC\xEF\xBF\xBF");
    v = parse_ok(&f, "\"\\u0001\"");
    if (v) { CHECK_EQ_INT(v->string_len, 1); CHECK_EQ_INT(v->string[0], 1); }
    /* Raw UTF-8 passes through unchanged. */
    v = parse_ok(&f, "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF\"");
    if (v) CHECK_STR(v->string, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF");
    /* Escaped keys are decoded too. */
    v = parse_ok(&f, "{\"k\\u0065y\\n\": 1}");
    if (v) {
        CHECK_STR(v->keys[0], "key\n");
        CHECK(ox_json_get(v, "key\n") != NULL);
    }
    fx_done(&f);
}

static void test_surrogates(void)
{
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, "\"\\uD83D\\uDE00\"");  /* U+1F600 */
    if (v) {
        CHECK_STR(v->string, "\xF0\x9F\x98\x80");
        CHECK_EQ_INT(v->string_len, 4);
    }
    v = parse_ok(&f, "\"a\\ud800\\udc00b\\uDBFF\\uDFFF\"");  /* U+10000, U+10FFFF */
    if (v) CHECK_STR(v->string, "a\xF0\x90\x80\x80" "b\xF4\x8F\xBF\xBF");
    fx_done(&f);
}

static void test_big_ints(void)
{
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, "[9223372036854775807, -9223372036854775808, 9223372036854775808, "
                              "-9223372036854775809, 18446744073709551616, 9007199254740993, 0, "
                              "123456789012345678901234567890]");
    if (v && v->count == 8) {
        CHECK(v->items[0]->is_int);
        CHECK(v->items[0]->integer == INT64_MAX);
        CHECK(v->items[0]->number == 9223372036854775807.0);
        CHECK(v->items[1]->is_int);
        CHECK(v->items[1]->integer == INT64_MIN);
        CHECK(v->items[1]->number == -9223372036854775808.0);
        CHECK(!v->items[2]->is_int);
        CHECK(v->items[2]->number == 9223372036854775808.0);
        CHECK(!v->items[3]->is_int);
        CHECK(v->items[3]->number == -9223372036854775809.0);
        CHECK(!v->items[4]->is_int);
        CHECK(v->items[4]->number == 18446744073709551616.0);
        CHECK(v->items[5]->is_int);
        CHECK(v->items[5]->integer == 9007199254740993LL);
        CHECK(v->items[5]->number == 9007199254740992.0); /* correctly rounded */
        CHECK(v->items[6]->is_int && v->items[6]->integer == 0);
        CHECK(!v->items[7]->is_int);
        CHECK(fabs(v->items[7]->number - 1.2345678901234568e29) < 1e14);
    } else {
        CHECK(0);
    }
    fx_done(&f);
}

static void test_negative_zero(void)
{
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, "[-0, -0.0, 0, -0e5]");
    if (v && v->count == 4) {
        CHECK(v->items[0]->is_int);
        CHECK_EQ_INT(v->items[0]->integer, 0);
        CHECK(v->items[0]->number == 0.0 && signbit(v->items[0]->number));
        CHECK(!v->items[1]->is_int);
        CHECK(signbit(v->items[1]->number));
        CHECK(!signbit(v->items[2]->number));
        CHECK(!v->items[3]->is_int && signbit(v->items[3]->number));
    } else {
        CHECK(0);
    }
    fx_done(&f);
}

static void test_exponents_and_fractions(void)
{
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, "[1e2, 1E+2, 1.5e-3, 2.5E-0, -3.25, 0.1, 1e-400, 1.7976931348623157e308, "
                              "4.9e-324, 10.0, 0e0]");
    if (v && v->count == 11) {
        CHECK(!v->items[0]->is_int && v->items[0]->number == 100.0);
        CHECK(!v->items[1]->is_int && v->items[1]->number == 100.0);
        CHECK(v->items[2]->number == 1.5e-3);
        CHECK(v->items[3]->number == 2.5);
        CHECK(v->items[4]->number == -3.25);
        CHECK(v->items[5]->number == 0.1);
        CHECK(v->items[6]->number == 0.0);    /* underflow rounds to zero: accepted */
        CHECK(v->items[7]->number == 1.7976931348623157e308);
        CHECK(v->items[8]->number > 0.0 && v->items[8]->number < 1e-323);
        CHECK(!v->items[9]->is_int && v->items[9]->number == 10.0);
        CHECK(!v->items[10]->is_int && v->items[10]->number == 0.0);
    } else {
        CHECK(0);
    }
    /* A literal longer than the on-stack buffer goes through the arena. */
    char big[400];
    memset(big, '1', sizeof big - 1);
    big[0] = '0';
    big[1] = '.';
    big[sizeof big - 1] = '\0';
    v = parse_ok(&f, big);
    if (v) CHECK(fabs(v->number - 0.1111111111111111) < 1e-15);
    fx_done(&f);
}

static void test_whitespace_and_positions(void)
{
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, " \t\r\n [ 1 ,\n\t2 ,\r\n  {\"k\" :\n \"v\" } ] \n\t ");
    if (v && v->count == 3) {
        CHECK_EQ_INT(v->line, 2);
        CHECK_EQ_INT(v->column, 2);
        CHECK_EQ_INT(v->items[0]->line, 2);
        CHECK_EQ_INT(v->items[0]->column, 4);
        CHECK_EQ_INT(v->items[1]->line, 3);
        CHECK_EQ_INT(v->items[1]->column, 2);
        CHECK_EQ_INT(v->items[2]->line, 4);
        CHECK_EQ_INT(v->items[2]->column, 3);
        const ox_json *s = ox_json_get(v->items[2], "k");
        CHECK(s && s->line == 5 && s->column == 2);
    } else {
        CHECK(0);
    }
    /* A UTF-8 byte order mark is skipped. */
    v = parse_ok(&f, "\xEF\xBB\xBF[true]");
    if (v) { CHECK_EQ_INT(v->kind, OX_JSON_ARRAY); CHECK_EQ_INT(v->column, 1); }
    fx_done(&f);
}

static void test_not_nul_terminated(void)
{
    fixture f;
    fx_init(&f);
    ox_json *v = NULL;
    CHECK_EQ_INT(parse_n(&f, "[1,2]garbage", 5, &v), OX_OK);
    CHECK(v && v->count == 2);
    CHECK_EQ_INT(parse_n(&f, "12345", 2, &v), OX_OK);
    CHECK(v && v->integer == 12);
    CHECK_EQ_INT(parse_n(&f, "\"abc\"", 5, &v), OX_OK);
    CHECK(v && v->string[3] == '\0');
    fx_done(&f);
}

static void test_kind_names(void)
{
    CHECK_STR(ox_json_kind_name(OX_JSON_NULL), "null");
    CHECK_STR(ox_json_kind_name(OX_JSON_BOOL), "boolean");
    CHECK_STR(ox_json_kind_name(OX_JSON_NUMBER), "number");
    CHECK_STR(ox_json_kind_name(OX_JSON_STRING), "string");
    CHECK_STR(ox_json_kind_name(OX_JSON_ARRAY), "array");
    CHECK_STR(ox_json_kind_name(OX_JSON_OBJECT), "object");
}

/* Builds {"k0": 0, "k1": 1, ...}; with `dup` >= 0 the last key repeats k<dup>. */
static char *object_with_keys(size_t n, long dup)
{
    char *s = malloc(n * 32 + 64), *p = s;
    *p++ = '{';
    for (size_t k = 0; k < n; k++) p += sprintf(p, "%s\"k%zu\": %zu", k ? ", " : "", k, k);
    if (dup >= 0) p += sprintf(p, ", \"k%ld\": 0", dup);
    *p++ = '}';
    *p = '\0';
    return s;
}

static void test_large_object(void)
{
    fixture f;
    fx_init(&f);
    char *s = object_with_keys(5000, -1);
    ox_json *v = parse_ok(&f, s);
    CHECK(v && v->count == 5000);
    if (v && v->count == 5000) {
        CHECK_STR(v->keys[4321], "k4321");
        CHECK_EQ_INT(v->items[4321]->integer, 4321);
        const ox_json *x = ox_json_get(v, "k4999");
        CHECK(x && x->integer == 4999);
    }
    free(s);
    fx_done(&f);
    /* Duplicates are caught in small and large objects alike. */
    long dups[] = {0, 15, 16, 17, 2500, 4999};
    for (size_t d = 0; d < sizeof dups / sizeof dups[0]; d++) {
        s = object_with_keys(5000, dups[d]);
        char what[64];
        snprintf(what, sizeof what, "duplicate key \"k%ld\"", dups[d]);
        int column = (int)(strrchr(s, ',') - s) + 3;
        expect_error(s, 1, column, what);
        free(s);
    }
    for (size_t n = 1; n < 40; n++) {
        s = object_with_keys(n, (long)n / 2);
        int column = (int)(strrchr(s, ',') - s) + 3;
        expect_error(s, 1, column, "duplicate key");
        free(s);
    }
}

static void test_large_document_is_linear(void)
{
    /* ~8 MB: 200k nodes in one flat array of objects and one long array of
     * numbers. A quadratic parser would take minutes here. */
    size_t n = 200000;
    char *s = malloc(n * 48 + 64), *p = s;
    p += sprintf(p, "{\"nodes\": [");
    for (size_t k = 0; k < n; k++)
        p += sprintf(p, "%s{\"kind\": \"aten::add\", \"i\": %zu}", k ? "," : "", k);
    p += sprintf(p, "], \"xs\": [");
    for (size_t k = 0; k < n; k++) p += sprintf(p, "%s%zu.5", k ? "," : "", k);
    p += sprintf(p, "]}");
    fixture f;
    fx_init(&f);
    clock_t t0 = clock();
    ox_json *v = parse_ok(&f, s);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    const ox_json *nodes = ox_json_get(v, "nodes"), *xs = ox_json_get(v, "xs");
    CHECK(nodes && nodes->count == n);
    CHECK(xs && xs->count == n);
    if (nodes && nodes->count == n) CHECK_EQ_INT(ox_json_get(nodes->items[n - 1], "i")->integer, (long long)n - 1);
    if (xs && xs->count == n) CHECK(xs->items[7]->number == 7.5);
    CHECK(secs < 10.0); /* generous: sanitizers are slow */
    fprintf(stderr, "  parsed %zu bytes in %.3f s (arena %zu bytes)\n", (size_t)(p - s), secs,
            ox_arena_used(f.arena));
    fx_done(&f);
    free(s);
}

/* ---- invalid documents --------------------------------------------------- */

static void test_empty_and_truncated(void)
{
    expect_error("", 1, 1, "unexpected end of input");
    expect_error("   \n  ", 2, 3, "unexpected end of input");
    expect_error("[1, 2", 1, 6, "unexpected end of input");
    expect_error("{\"a\": ", 1, 7, "unexpected end of input");
    expect_error("{\"a\"", 1, 5, "unexpected end of input");
    expect_error("{", 1, 2, "unexpected end of input");
    expect_error("[", 1, 2, "unexpected end of input");
    expect_error("\"abc", 1, 5, "unexpected end of input");
    expect_error("\"ab\\", 1, 5, "unexpected end of input");
    expect_error("\"\\u12", 1, 6, "unexpected end of input");
    expect_error("tru", 1, 4, "unexpected end of input");
    expect_error("-", 1, 2, "unexpected end of input");
    expect_error("1.", 1, 3, "unexpected end of input");
    expect_error("1e+", 1, 4, "unexpected end of input");
    /* NULL text is empty input, not a crash. */
    fixture f;
    fx_init(&f);
    ox_json *v = NULL;
    CHECK_EQ_INT(ox_json_parse(&f.ctx, NULL, 10, &v), ONNXIFY_ERR_GRAPH_DESCRIPTION);
    CHECK(v == NULL);
    fx_done(&f);
}

static void test_syntax_errors(void)
{
    expect_error("{\"a\": 1,\n \"b\" 2}", 2, 6, "expected ':'");
    expect_error("[1 2]", 1, 4, "expected ',' or ']'");
    expect_error("{\"a\": 1 \"b\": 2}", 1, 9, "expected ',' or '}'");
    expect_error("{\"a\": 1,\n  \"b\": [1, 2}\n}", 2, 13, "expected ',' or ']', found '}'");
    expect_error("[1,]", 1, 4, "trailing comma before ']'");
    expect_error("{\"a\": 1,}", 1, 9, "trailing comma before '}'");
    expect_error("[,1]", 1, 2, "expected a value");
    expect_error("{,}", 1, 2, "expected a string key");
    expect_error("{a: 1}", 1, 2, "expected a string key, found 'a'");
    expect_error("{'a': 1}", 1, 2, "expected a string key");
    expect_error("['a']", 1, 2, "expected a value, found '''");
    expect_error("{\"a\" 1}", 1, 6, "expected ':'");
    expect_error("{\"a\": }", 1, 7, "expected a value, found '}'");
    expect_error("// comment\n1", 1, 1, "expected a value, found '/'");
    expect_error("[1, /* c */ 2]", 1, 5, "expected a value");
    expect_error("NaN", 1, 1, "NaN and Infinity");
    expect_error("[Infinity]", 1, 2, "NaN and Infinity");
    expect_error("-Infinity", 1, 1, "Infinity is not a valid JSON number");
    expect_error("nan", 1, 1, "NaN is not a valid JSON number");
    expect_error("trux", 1, 1, "invalid literal (expected 'true')");
    expect_error("[nul]", 1, 2, "invalid literal (expected 'null')");
    expect_error("True", 1, 1, "expected a value, found 'T'");
    expect_error("01", 1, 1, "leading zeros");
    expect_error("-012", 1, 1, "leading zeros");
    expect_error("1.e5", 1, 3, "expected a digit after '.'");
    expect_error(".5", 1, 1, "expected a value, found '.'");
    expect_error("+1", 1, 1, "expected a value, found '+'");
    expect_error("-a", 1, 2, "expected a digit after '-'");
    expect_error("1e", 1, 3, "unexpected end of input");
    expect_error("1ex", 1, 3, "expected a digit in the exponent");
    expect_error("0x10", 1, 2, "unexpected 'x' after the JSON value");
    expect_error("1e400", 1, 1, "number out of range");
    expect_error("[-1e400]", 1, 2, "number out of range");
    expect_error("\xC3\xA9", 1, 1, "expected a value, found byte 0xC3");
}

static void test_trailing_garbage(void)
{
    expect_error("[1] x", 1, 5, "unexpected 'x' after the JSON value");
    expect_error("1 2", 1, 3, "unexpected '2' after the JSON value");
    expect_error("{}\n\n  }", 3, 3, "unexpected '}'");
    expect_error_n("1\0", 2, 1, 2, "unexpected byte 0x00 after the JSON value");
    expect_error("\"a\"\"b\"", 1, 4, "after the JSON value");
}

static void test_bad_strings(void)
{
    expect_error("\"abc\\x\"", 1, 5, "invalid escape '\\' followed by 'x'");
    expect_error("\"\\'\"", 1, 2, "invalid escape");
    expect_error("\"\\U0041\"", 1, 2, "invalid escape");
    expect_error("\"\\u12G4\"", 1, 2, "invalid \\u escape");
    expect_error("\"\\u\"", 1, 2, "invalid \\u escape");
    expect_error("[\"ok\", \"\\uD800\"]", 1, 9, "unpaired surrogate \\uD800");
    expect_error("\"\\uDC00\"", 1, 2, "unpaired surrogate \\uDC00");
    expect_error("\"\\uD800\\u0041\"", 1, 2, "unpaired surrogate");
    expect_error("\"\\uD800\\uD800\"", 1, 2, "unpaired surrogate");
    expect_error("\"\\uD800x\"", 1, 2, "unpaired surrogate");
    expect_error("\"ab\\u0000\"", 1, 4, "\\u0000 (NUL) is not allowed");
    expect_error("{\"\\u0000\": 1}", 1, 3, "\\u0000");
    expect_error("\"a\tb\"", 1, 3, "unescaped control character U+0009");
    expect_error("\"abc\ndef\"", 1, 5, "unterminated string");
    expect_error_n("\"a\0b\"", 5, 1, 3, "unescaped control character U+0000");
}

static void test_invalid_utf8(void)
{
    expect_error("\"\xC3\x28\"", 1, 2, "invalid UTF-8 (byte 0xC3)");
    expect_error("\"ok \x80\"", 1, 5, "invalid UTF-8 (byte 0x80)");
    expect_error("\"\xC0\xAF\"", 1, 2, "invalid UTF-8");          /* overlong '/' */
    expect_error("\"\xE0\x80\xAF\"", 1, 2, "invalid UTF-8");      /* overlong 3-byte */
    expect_error("\"\xF0\x80\x80\xAF\"", 1, 2, "invalid UTF-8");  /* overlong 4-byte */
    expect_error("\"\xED\xA0\x80\"", 1, 2, "invalid UTF-8");      /* UTF-16 surrogate */
    expect_error("\"\xF4\x90\x80\x80\"", 1, 2, "invalid UTF-8");  /* above U+10FFFF */
    expect_error("\"\xF5\x80\x80\x80\"", 1, 2, "invalid UTF-8");
    expect_error("\"\xFF\"", 1, 2, "invalid UTF-8");
    expect_error("\"\xE2\x82\"", 1, 2, "invalid UTF-8");          /* cut short by the quote */
    expect_error_n("\"\xE2\x82", 3, 1, 2, "invalid UTF-8");       /* cut short by the end */
    expect_error("{\"k\xC3\": 1}", 1, 4, "invalid UTF-8");
}

static void test_deep_nesting(void)
{
    /* 10000 levels: an error at the 513th bracket, not a stack overflow. */
    size_t n = 10000;
    char *s = malloc(2 * n + 1);
    for (size_t k = 0; k < n; k++) {
        s[k] = '[';
        s[2 * n - 1 - k] = ']';
    }
    s[2 * n] = '\0';
    expect_error_n(s, 2 * n, 1, OX_JSON_MAX_DEPTH + 1, "nesting deeper than 512");
    expect_error_n(s, n, 1, OX_JSON_MAX_DEPTH + 1, "nesting deeper than 512"); /* unclosed */
    free(s);

    /* Objects count too: {"a":{"a":...}} */
    char *o = malloc(n * 5 + n + 8), *p = o;
    for (size_t k = 0; k < n; k++) p += sprintf(p, "{\"a\":");
    *p++ = '1';
    for (size_t k = 0; k < n; k++) *p++ = '}';
    *p = '\0';
    expect_error(o, 1, 5 * OX_JSON_MAX_DEPTH + 1, "nesting deeper than 512");
    free(o);

    /* 513 levels exactly is one too many. */
    char t[2 * (OX_JSON_MAX_DEPTH + 1) + 1];
    memset(t, '[', OX_JSON_MAX_DEPTH + 1);
    memset(t + OX_JSON_MAX_DEPTH + 1, ']', OX_JSON_MAX_DEPTH + 1);
    t[sizeof t - 1] = '\0';
    expect_error(t, 1, OX_JSON_MAX_DEPTH + 1, "nesting deeper");
}

static void test_duplicate_keys(void)
{
    expect_error("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\"");
    expect_error("{\"a\": 1,\n \"b\": {\"a\": 1},\n \"a\": 3}", 3, 2, "duplicate key \"a\"");
    expect_error("{\"a\": 1, \"\\u0061\": 2}", 1, 10, "duplicate key \"a\"");
    /* Same key in different objects is fine. */
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, "{\"a\": {\"a\": {\"a\": 1}}, \"b\": [{\"a\": 1}, {\"a\": 2}]}");
    CHECK(v && v->count == 2);
    /* Keys differing only after a common prefix, or by length, are distinct. */
    v = parse_ok(&f, "{\"ab\": 1, \"a\": 2, \"abc\": 3, \"\": 4}");
    CHECK(v && v->count == 4);
    fx_done(&f);
    /* Long keys are cut in the message. */
    char s[700];
    char key[301];
    memset(key, 'k', 300);
    key[300] = '\0';
    snprintf(s, sizeof s, "{\"%s\": 1, \"%s\": 2}", key, key);
    expect_error(s, 1, 309, "duplicate key \"kkkk");
    fixture g;
    fx_init(&g);
    ox_json *w;
    parse_n(&g, s, strlen(s), &w);
    CHECK(g.ctx.message && strlen(g.ctx.message) < 200);
    fx_done(&g);
}

/* ---- robustness -------------------------------------------------------- */

static void walk(const ox_json *v, size_t *nodes)
{
    (*nodes)++;
    if (v->kind == OX_JSON_STRING) CHECK(v->string && strlen(v->string) == v->string_len);
    if (v->kind == OX_JSON_ARRAY || v->kind == OX_JSON_OBJECT) {
        CHECK(v->count == 0 || v->items);
        CHECK((v->kind == OX_JSON_OBJECT && v->count) == (v->keys != NULL));
        for (size_t k = 0; k < v->count; k++) walk(v->items[k], nodes);
    }
    CHECK(v->line >= 1 && v->column >= 1);
}

static const char *fuzz_seed =
    "{\"format\": \"onnxify-graph\", \"version\": 1,\n"
    " \"graph\": {\"inputs\": [{\"name\": \"x\", \"type\": {\"kind\": \"tensor\", \"dtype\": \"float32\","
    " \"shape\": [1, null, \"batch\"]}}],\n"
    "  \"nodes\": [{\"kind\": \"aten::add\", \"inputs\": [\"x\", \"x\"], \"attributes\": "
    "[{\"name\": \"alpha\", \"kind\": \"f\", \"value\": -1.5e-3}], \"s\": \"\\u00e9\\uD83D\\uDE00\\n\xC3\xA9\"}],\n"
    "  \"outputs\": [\"y\"], \"flags\": [true, false, null, 0, -0, 9223372036854775807]}}";

static void check_status(ox_status st, const fixture *f, ox_json *v)
{
    CHECK(st == OX_OK || st == ONNXIFY_ERR_GRAPH_DESCRIPTION);
    if (st == OX_OK) {
        CHECK(v != NULL);
        size_t nodes = 0;
        if (v) walk(v, &nodes);
    } else {
        CHECK(v == NULL);
        CHECK_CONTAINS(f->ctx.message, "invalid JSON at line ");
    }
}

static void test_fuzz_truncate_and_flip(void)
{
    size_t len = strlen(fuzz_seed);
    size_t ok = 0;
    {
        fixture f;
        fx_init(&f);
        parse_ok(&f, fuzz_seed);
        fx_done(&f);
    }
    for (size_t cut = 0; cut <= len; cut++) {
        fixture f;
        fx_init(&f);
        ox_json *v = NULL;
        ox_status st = parse_n(&f, fuzz_seed, cut, &v);
        check_status(st, &f, v);
        if (st == OX_OK) ok++;
        fx_done(&f);
    }
    CHECK(ok >= 1); /* at least the whole document */
    char *buf = malloc(len);
    static const unsigned char flips[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF};
    for (size_t pos = 0; pos < len; pos++) {
        for (size_t k = 0; k < sizeof flips; k++) {
            memcpy(buf, fuzz_seed, len);
            buf[pos] = (char)(buf[pos] ^ flips[k]);
            fixture f;
            fx_init(&f);
            ox_json *v = NULL;
            ox_status st = parse_n(&f, buf, len, &v);
            check_status(st, &f, v);
            fx_done(&f);
        }
    }
    free(buf);
}

static void test_fuzz_random(void)
{
    /* Random documents over JSON's alphabet, from a fixed seed. */
    static const char alphabet[] = "{}[]\"\\:,-+.0123456789eEtrufalsn \n\tu\xC3\xA9\x80\xFF\x00";
    uint32_t seed = 12345;
    char buf[96];
    for (int iter = 0; iter < 30000; iter++) {
        seed = seed * 1664525u + 1013904223u;
        size_t len = (seed >> 8) % sizeof buf;
        for (size_t k = 0; k < len; k++) {
            seed = seed * 1664525u + 1013904223u;
            buf[k] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        fixture f;
        fx_init(&f);
        ox_json *v = NULL;
        ox_status st = parse_n(&f, buf, len, &v);
        check_status(st, &f, v);
        fx_done(&f);
    }
}

static void test_sticky_context(void)
{
    /* A failure already parked in the context stays the reported one. */
    fixture f;
    fx_init(&f);
    ox_fail(&f.ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "earlier");
    ox_json *v = NULL;
    CHECK(parse_n(&f, "[", 1, &v) != OX_OK);
    CHECK(v == NULL);
    CHECK_STR(f.ctx.message, "earlier");
    fx_done(&f);
}

static void test_decimal_comma_locale(void)
{
    /* Under a locale whose decimal point is ',' numbers still parse. Only
     * exercised where such a locale is installed. */
    static const char *names[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "de_DE"};
    const char *old = setlocale(LC_NUMERIC, NULL);
    char saved[64];
    snprintf(saved, sizeof saved, "%s", old ? old : "C");
    bool switched = false;
    for (size_t k = 0; k < sizeof names / sizeof names[0] && !switched; k++)
        switched = setlocale(LC_NUMERIC, names[k]) != NULL;
    fixture f;
    fx_init(&f);
    ox_json *v = parse_ok(&f, "[1.5, 2.25e1]");
    CHECK(v && v->count == 2 && v->items[0]->number == 1.5 && v->items[1]->number == 22.5);
    fx_done(&f);
    if (switched) setlocale(LC_NUMERIC, saved);
}

static const ox_test_case tests[] = {
    {"scalars", test_scalars},
    {"nesting", test_nesting},
    {"depth_limit_ok", test_depth_limit_ok},
    {"escapes", test_escapes},
    {"surrogates", test_surrogates},
    {"big_ints", test_big_ints},
    {"negative_zero", test_negative_zero},
    {"exponents_and_fractions", test_exponents_and_fractions},
    {"whitespace_and_positions", test_whitespace_and_positions},
    {"not_nul_terminated", test_not_nul_terminated},
    {"kind_names", test_kind_names},
    {"large_object", test_large_object},
    {"large_document_is_linear", test_large_document_is_linear},
    {"empty_and_truncated", test_empty_and_truncated},
    {"syntax_errors", test_syntax_errors},
    {"trailing_garbage", test_trailing_garbage},
    {"bad_strings", test_bad_strings},
    {"invalid_utf8", test_invalid_utf8},
    {"deep_nesting", test_deep_nesting},
    {"duplicate_keys", test_duplicate_keys},
    {"fuzz_truncate_and_flip", test_fuzz_truncate_and_flip},
    {"fuzz_random", test_fuzz_random},
    {"sticky_context", test_sticky_context},
    {"decimal_comma_locale", test_decimal_comma_locale},
};

OX_TEST_MAIN(tests)
