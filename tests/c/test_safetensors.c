/* Tests of the safetensors reader (src/front/safetensors.c). Blobs are built
 * here by a small writer; each parse reads an exact-size heap copy so that a
 * read past the end shows up under AddressSanitizer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "front/safetensors.h"
#include "test.h"

/* ---- a small safetensors writer ----------------------------------------- */

typedef struct writer {
    char *hdr;
    size_t hlen, hcap;
    uint8_t *data;
    size_t dlen, dcap;
    int members;
} writer;

static void reserve(void **p, size_t *cap, size_t need)
{
    if (need <= *cap) return;
    size_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    *p = realloc(*p, c);
    *cap = c;
}

static void w_text(writer *w, const char *s)
{
    size_t n = strlen(s);
    reserve((void **)&w->hdr, &w->hcap, w->hlen + n + 1);
    memcpy(w->hdr + w->hlen, s, n + 1);
    w->hlen += n;
}

static void w_init(writer *w)
{
    memset(w, 0, sizeof *w);
    w_text(w, "{");
}

/* A raw member ("\"name\": {...}"), for hand-made malformed entries. */
static void w_member(writer *w, const char *member)
{
    if (w->members++) w_text(w, ", ");
    w_text(w, member);
}

static void w_data(writer *w, const void *bytes, size_t n)
{
    reserve((void **)&w->data, &w->dcap, w->dlen + n + 1);
    if (n) memcpy(w->data + w->dlen, bytes, n);
    w->dlen += n;
}

/* A well-formed tensor: appends its bytes and an entry with their offsets. */
static void w_tensor(writer *w, const char *name, const char *dtype, const int64_t *shape, int rank,
                     const void *bytes, size_t nbytes)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "\"%s\": {\"dtype\": \"%s\", \"shape\": [", name, dtype);
    for (int k = 0; k < rank; k++) n += snprintf(buf + n, sizeof buf - (size_t)n, "%s%lld", k ? ", " : "", (long long)shape[k]);
    snprintf(buf + n, sizeof buf - (size_t)n, "], \"data_offsets\": [%zu, %zu]}", w->dlen, w->dlen + nbytes);
    w_member(w, buf);
    w_data(w, bytes, nbytes);
}

/* Closes the header, pads it with spaces to a multiple of `align` (0: none)
 * and returns the blob (malloc'ed). */
static uint8_t *w_finish(writer *w, size_t align, size_t *len)
{
    w_text(w, "}");
    while (align && w->hlen % align) w_text(w, " ");
    *len = 8 + w->hlen + w->dlen;
    uint8_t *b = malloc(*len);
    for (int k = 0; k < 8; k++) b[k] = (uint8_t)((uint64_t)w->hlen >> (8 * k));
    memcpy(b + 8, w->hdr, w->hlen);
    if (w->dlen) memcpy(b + 8 + w->hlen, w->data, w->dlen);
    free(w->hdr);
    free(w->data);
    memset(w, 0, sizeof *w);
    return b;
}

/* A blob from a literal header and data, with the header size given
 * explicitly (UINT64_MAX: the header's real length). */
static uint8_t *raw_blob(const char *header, uint64_t size_field, const void *data, size_t dlen, size_t *len)
{
    size_t hl = strlen(header);
    *len = 8 + hl + dlen;
    uint8_t *b = malloc(*len ? *len : 1);
    uint64_t sz = size_field == UINT64_MAX ? hl : size_field;
    for (int k = 0; k < 8; k++) b[k] = (uint8_t)(sz >> (8 * k));
    memcpy(b + 8, header, hl);
    if (dlen) memcpy(b + 8 + hl, data, dlen);
    return b;
}

/* ---- fixture --------------------------------------------------------------- */

typedef struct fixture {
    ox_arena *arena;
    ox_ctx ctx;
    ox_safetensors st;
} fixture;

static void fx_init(fixture *f)
{
    f->arena = ox_arena_new();
    ox_ctx_init(&f->ctx, f->arena);
    memset(&f->st, 0, sizeof f->st);
}

static void fx_done(fixture *f)
{
    ox_ctx_release(&f->ctx);
    ox_arena_free(f->arena);
}

/* Every tensor of a successful parse lies inside the buffer. */
static void check_inside(const ox_safetensors *st, const uint8_t *buf, size_t len)
{
    for (size_t k = 0; k < st->count; k++) {
        const ox_st_tensor *t = &st->tensors[k];
        CHECK(t->name != NULL);
        CHECK(t->data >= buf && t->data <= buf + len);
        CHECK((size_t)(buf + len - t->data) >= t->nbytes);
        CHECK(t->rank >= 0);
        CHECK(t->rank == 0 || t->dims != NULL);
        if (k) CHECK(strcmp(st->tensors[k - 1].name, t->name) < 0);
    }
}

/* Parses `len` bytes of `blob` (from an exact-size copy) and expects a
 * failure whose message contains every one of the NULL-ended `needles`. */
static void expect_fail(const uint8_t *blob, size_t len, const char *n1, const char *n2)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (len) memcpy(copy, blob, len);
    fixture f;
    fx_init(&f);
    f.st.count = 99;
    ox_status s = ox_safetensors_parse(&f.ctx, copy, len, &f.st);
    CHECK_EQ_INT(s, ONNXIFY_ERR_GRAPH_DESCRIPTION);
    CHECK_EQ_INT(f.st.count, 0);
    CHECK(f.st.tensors == NULL);
    CHECK_CONTAINS(f.ctx.message, n1);
    if (n2) CHECK_CONTAINS(f.ctx.message, n2);
    fx_done(&f);
    free(copy);
}

/* Builds a one-member header from `member` with `dlen` data bytes and expects failure. */
static void expect_member_fail(const char *member, size_t dlen, const char *n1, const char *n2)
{
    writer w;
    w_init(&w);
    w_member(&w, member);
    uint8_t zeros[64] = {0};
    w_data(&w, zeros, dlen);
    size_t len;
    uint8_t *b = w_finish(&w, 8, &len);
    expect_fail(b, len, n1, n2);
    free(b);
}

/* ---- valid blobs ------------------------------------------------------------ */

static void test_empty(void)
{
    fixture f;
    fx_init(&f);
    CHECK_EQ_INT(ox_safetensors_parse(&f.ctx, NULL, 0, &f.st), OX_OK);
    CHECK_EQ_INT(f.st.count, 0);
    CHECK_EQ_INT(ox_safetensors_parse(&f.ctx, NULL, 12, &f.st), OX_OK);
    CHECK_EQ_INT(f.st.count, 0);
    uint8_t one = 0;
    CHECK_EQ_INT(ox_safetensors_parse(&f.ctx, &one, 0, &f.st), OX_OK);
    CHECK_EQ_INT(f.st.count, 0);
    CHECK(ox_safetensors_find(&f.st, "x") == NULL);
    CHECK(ox_safetensors_find(NULL, "x") == NULL);
    CHECK(ox_safetensors_find(&f.st, NULL) == NULL);
    /* An empty header object is a valid empty set, too. */
    size_t len;
    uint8_t *b = raw_blob("{}", UINT64_MAX, NULL, 0, &len);
    CHECK_EQ_INT(ox_safetensors_parse(&f.ctx, b, len, &f.st), OX_OK);
    CHECK_EQ_INT(f.st.count, 0);
    free(b);
    b = raw_blob("{\"__metadata__\": {\"format\": \"pt\"}}", UINT64_MAX, NULL, 0, &len);
    CHECK_EQ_INT(ox_safetensors_parse(&f.ctx, b, len, &f.st), OX_OK);
    CHECK_EQ_INT(f.st.count, 0);
    free(b);
    fx_done(&f);
}

static void test_valid_read(void)
{
    float w[6] = {1, 2, 3, 4, 5, 6};
    int64_t bias[3] = {-1, 0, 1};
    double scalar = 3.25;
    uint8_t mask[4] = {1, 0, 0, 1};
    uint16_t bf[2] = {0x3F80, 0x4000};
    uint8_t u8[5] = {9, 8, 7, 6, 5};
    int64_t s_w[] = {2, 3}, s_bias[] = {3}, s_empty[] = {0, 4}, s_mask[] = {2, 2}, s_bf[] = {2}, s_u8[] = {5};

    writer wr;
    w_init(&wr);
    w_member(&wr, "\"__metadata__\": {\"format\": \"pt\", \"note\": \"x\"}");
    w_tensor(&wr, "layer.b.weight", "F32", s_w, 2, w, sizeof w);
    w_tensor(&wr, "layer.a.bias", "I64", s_bias, 1, bias, sizeof bias);
    w_tensor(&wr, "scalar", "F64", NULL, 0, &scalar, sizeof scalar);
    w_tensor(&wr, "empty", "F16", s_empty, 2, NULL, 0);
    w_tensor(&wr, "mask", "BOOL", s_mask, 2, mask, sizeof mask);
    w_tensor(&wr, "bf", "BF16", s_bf, 1, bf, sizeof bf);
    w_tensor(&wr, "\xC3\xA9t\xC3\xA9", "U8", s_u8, 1, u8, sizeof u8);
    size_t hlen_unpadded = wr.hlen + 1;
    size_t len;
    uint8_t *b = w_finish(&wr, 8, &len);
    size_t hlen = (size_t)b[0] | (size_t)b[1] << 8;
    CHECK(hlen % 8 == 0 && hlen >= hlen_unpadded);
    const uint8_t *data = b + 8 + hlen;

    fixture f;
    fx_init(&f);
    CHECK_EQ_INT(ox_safetensors_parse(&f.ctx, b, len, &f.st), OX_OK);
    CHECK_EQ_INT(f.st.count, 7);
    check_inside(&f.st, b, len);
    if (f.st.count == 7) {
        /* Sorted by name, byte order. */
        CHECK_STR(f.st.tensors[0].name, "bf");
        CHECK_STR(f.st.tensors[1].name, "empty");
        CHECK_STR(f.st.tensors[2].name, "layer.a.bias");
        CHECK_STR(f.st.tensors[3].name, "layer.b.weight");
        CHECK_STR(f.st.tensors[4].name, "mask");
        CHECK_STR(f.st.tensors[5].name, "scalar");
        CHECK_STR(f.st.tensors[6].name, "\xC3\xA9t\xC3\xA9");
    }
    const ox_st_tensor *t = ox_safetensors_find(&f.st, "layer.b.weight");
    CHECK(t != NULL);
    if (t) {
        CHECK_EQ_INT(t->dtype, OX_FLOAT);
        CHECK_EQ_INT(t->rank, 2);
        CHECK_EQ_INT(t->dims[0], 2);
        CHECK_EQ_INT(t->dims[1], 3);
        CHECK_EQ_INT(t->nbytes, 24);
        CHECK(t->data == data); /* borrowed, not copied */
        CHECK(memcmp(t->data, w, sizeof w) == 0);
    }
    t = ox_safetensors_find(&f.st, "layer.a.bias");
    CHECK(t && t->dtype == OX_INT64 && t->rank == 1 && t->dims[0] == 3 && t->nbytes == 24);
    if (t) {
        CHECK(t->data == data + 24);
        int64_t got[3];
        memcpy(got, t->data, sizeof got);
        CHECK(got[0] == -1 && got[1] == 0 && got[2] == 1);
    }
    t = ox_safetensors_find(&f.st, "scalar");
    CHECK(t && t->dtype == OX_DOUBLE && t->rank == 0 && t->nbytes == 8);
    if (t) {
        double d;
        memcpy(&d, t->data, sizeof d);
        CHECK(d == 3.25);
    }
    t = ox_safetensors_find(&f.st, "empty");
    CHECK(t && t->dtype == OX_FLOAT16 && t->rank == 2 && t->dims[0] == 0 && t->dims[1] == 4 && t->nbytes == 0);
    t = ox_safetensors_find(&f.st, "mask");
    CHECK(t && t->dtype == OX_BOOL && t->nbytes == 4 && memcmp(t->data, mask, 4) == 0);
    t = ox_safetensors_find(&f.st, "bf");
    CHECK(t && t->dtype == OX_BFLOAT16 && t->nbytes == 4);
    t = ox_safetensors_find(&f.st, "\xC3\xA9t\xC3\xA9");
    CHECK(t && t->dtype == OX_UINT8 && t->nbytes == 5 && memcmp(t->data, u8, 5) == 0);
    CHECK(ox_safetensors_find(&f.st, "missing") == NULL);
    CHECK(ox_safetensors_find(&f.st, "__metadata__") == NULL);
    CHECK(ox_safetensors_find(&f.st, "") == NULL);
    CHECK(ox_safetensors_find(&f.st, "layer") == NULL);
    fx_done(&f);
    free(b);
}

static void test_all_dtypes(void)
{
    static const struct { const char *name; ox_dtype t; size_t size; } cases[] = {
        {"F64", OX_DOUBLE, 8}, {"F32", OX_FLOAT, 4},  {"F16", OX_FLOAT16, 2}, {"BF16", OX_BFLOAT16, 2},
        {"I64", OX_INT64, 8},  {"I32", OX_INT32, 4},  {"I16", OX_INT16, 2},   {"I8", OX_INT8, 1},
        {"U8", OX_UINT8, 1},   {"BOOL", OX_BOOL, 1},  {"U16", OX_UINT16, 2},  {"U32", OX_UINT32, 4},
        {"U64", OX_UINT64, 8},
    };
    uint8_t bytes[3 * 8] = {0};
    int64_t shape[] = {3};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        writer w;
        w_init(&w);
        w_tensor(&w, "t", cases[k].name, shape, 1, bytes, 3 * cases[k].size);
        size_t len;
        uint8_t *b = w_finish(&w, 0, &len);
        fixture f;
        fx_init(&f);
        ox_status s = ox_safetensors_parse(&f.ctx, b, len, &f.st);
        if (s != OX_OK) fprintf(stderr, "%s: %s\n", cases[k].name, f.ctx.message);
        CHECK_EQ_INT(s, OX_OK);
        const ox_st_tensor *t = ox_safetensors_find(&f.st, "t");
        CHECK(t && t->dtype == cases[k].t && t->nbytes == 3 * cases[k].size);
        fx_done(&f);
        free(b);
    }
}

static void test_header_layouts(void)
{
    float one = 1.0f;
    const char *headers[] = {
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}        ",
        "\n{ \"x\" : { \"data_offsets\" : [ 0 , 4 ] , \"shape\" : [ 1 ] , \"dtype\" : \"F32\" } }\n",
        /* extra keys in an entry are ignored */
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":[1,2]}}",
    };
    for (size_t k = 0; k < sizeof headers / sizeof headers[0]; k++) {
        size_t len;
        uint8_t *b = raw_blob(headers[k], UINT64_MAX, &one, 4, &len);
        fixture f;
        fx_init(&f);
        ox_status s = ox_safetensors_parse(&f.ctx, b, len, &f.st);
        if (s != OX_OK) fprintf(stderr, "header %zu: %s\n", k, f.ctx.message);
        CHECK_EQ_INT(s, OX_OK);
        const ox_st_tensor *t = ox_safetensors_find(&f.st, "x");
        CHECK(t && t->data == b + len - 4);
        fx_done(&f);
        free(b);
    }
    /* Shared bytes and gaps are accepted: two views of the same 4 bytes, then unused bytes. */
    float data[3] = {1, 2, 3};
    size_t len;
    uint8_t *b = raw_blob("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                          "\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
                          UINT64_MAX, data, sizeof data, &len);
    fixture f;
    fx_init(&f);
    CHECK_EQ_INT(ox_safetensors_parse(&f.ctx, b, len, &f.st), OX_OK);
    CHECK(f.st.count == 2 && f.st.tensors[0].data == f.st.tensors[1].data);
    fx_done(&f);
    free(b);
}

static void test_overflow_then_zero_dim(void)
{
    /* The product of the first dims overflows, but a zero dim makes it empty. */
    size_t len;
    uint8_t *b = raw_blob("{\"z\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4611686018427387904,0],"
                          "\"data_offsets\":[0,0]}}",
                          UINT64_MAX, NULL, 0, &len);
    fixture f;
    fx_init(&f);
    CHECK_EQ_INT(ox_safetensors_parse(&f.ctx, b, len, &f.st), OX_OK);
    const ox_st_tensor *t = ox_safetensors_find(&f.st, "z");
    CHECK(t && t->nbytes == 0 && t->rank == 3 && t->dims[0] == 4611686018427387904LL);
    fx_done(&f);
    free(b);
}

static void test_many_tensors(void)
{
    size_t n = 5000;
    writer w;
    w_init(&w);
    int64_t shape[] = {2};
    char name[64];
    for (size_t k = 0; k < n; k++) {
        /* names in a scrambled order */
        size_t id = (k * 7919) % n;
        snprintf(name, sizeof name, "model.layers.%zu.weight", id);
        int32_t v[2] = {(int32_t)id, -(int32_t)id};
        w_tensor(&w, name, "I32", shape, 1, v, sizeof v);
    }
    size_t len;
    uint8_t *b = w_finish(&w, 8, &len);
    fixture f;
    fx_init(&f);
    clock_t t0 = clock();
    CHECK_EQ_INT(ox_safetensors_parse(&f.ctx, b, len, &f.st), OX_OK);
    CHECK_EQ_INT(f.st.count, n);
    check_inside(&f.st, b, len);
    size_t found = 0;
    for (size_t id = 0; id < n; id++) {
        snprintf(name, sizeof name, "model.layers.%zu.weight", id);
        const ox_st_tensor *t = ox_safetensors_find(&f.st, name);
        if (t) {
            int32_t v[2];
            memcpy(v, t->data, sizeof v);
            if (v[0] == (int32_t)id && v[1] == -(int32_t)id) found++;
        }
    }
    CHECK_EQ_INT(found, n);
    CHECK(ox_safetensors_find(&f.st, "model.layers.5000.weight") == NULL);
    fprintf(stderr, "  %zu tensors parsed and found in %.3f s\n", n, (double)(clock() - t0) / CLOCKS_PER_SEC);
    fx_done(&f);
    free(b);
}

/* ---- failures ---------------------------------------------------------------- */

static void test_truncated(void)
{
    uint8_t five[5] = {1, 2, 3, 4, 5};
    expect_fail(five, 5, "truncated safetensors: 5 bytes", NULL);
    expect_fail(five, 1, "truncated safetensors: 1 bytes", NULL);
    size_t len;
    uint8_t *b = raw_blob("{}", 3, NULL, 0, &len);
    expect_fail(b, len, "truncated safetensors: the header size says 3 bytes but only 2 follow", NULL);
    free(b);
    b = raw_blob("{}", UINT64_MAX - 1, NULL, 0, &len);
    expect_fail(b, len, "truncated safetensors", "18446744073709551614");
    free(b);
    uint8_t eight[8] = {0x10, 0, 0, 0, 0, 0, 0, 0};
    expect_fail(eight, 8, "truncated safetensors: the header size says 16 bytes but only 0 follow", NULL);
    /* Header size 0: an empty header is not JSON. */
    b = raw_blob("", UINT64_MAX, NULL, 0, &len);
    expect_fail(b, len, "safetensors header: invalid JSON at line 1, column 1: unexpected end of input", NULL);
    free(b);
    /* The header size cuts the JSON short. */
    b = raw_blob("{\"a\": 1}", 5, NULL, 0, &len);
    expect_fail(b, len, "safetensors header: invalid JSON", "unexpected end of input");
    free(b);
}

static void test_bad_header(void)
{
    size_t len;
    uint8_t *b = raw_blob("[]", UINT64_MAX, NULL, 0, &len);
    expect_fail(b, len, "safetensors header: expected a JSON object, found array", NULL);
    free(b);
    b = raw_blob("\"x\"", UINT64_MAX, NULL, 0, &len);
    expect_fail(b, len, "expected a JSON object, found string", NULL);
    free(b);
    b = raw_blob("{\"a\": {\"dtype\": \"F32\",}}", UINT64_MAX, NULL, 0, &len);
    expect_fail(b, len, "safetensors header: invalid JSON at line 1, column 23: trailing comma", NULL);
    free(b);
    /* NUL padding is not JSON whitespace. */
    b = raw_blob("{\"a\": 1}   ", UINT64_MAX, NULL, 0, &len);
    b[8 + 9] = 0;
    expect_fail(b, len, "safetensors header: invalid JSON at line 1, column 10: unexpected byte 0x00", NULL);
    free(b);
    b = raw_blob("{\"__metadata__\": [1]}", UINT64_MAX, NULL, 0, &len);
    expect_fail(b, len, "\"__metadata__\" is an array, expected an object", NULL);
    free(b);
}

static void test_bad_entries(void)
{
    expect_member_fail("\"w\": 3", 0, "safetensors tensor \"w\": expected an object, found 3", NULL);
    expect_member_fail("\"w\": [1]", 0, "safetensors tensor \"w\": expected an object, found an array", NULL);

    /* dtype */
    expect_member_fail("\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}", 4,
                       "safetensors tensor \"w\": \"dtype\" is missing, expected a string", NULL);
    expect_member_fail("\"w\": {\"dtype\": 1, \"shape\": [1], \"data_offsets\": [0, 4]}", 4,
                       "tensor \"w\": \"dtype\" is 1, expected a string", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F8_E4M3\", \"shape\": [1], \"data_offsets\": [0, 1]}", 1,
                       "safetensors tensor \"w\": unknown dtype \"F8_E4M3\"", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"f32\", \"shape\": [1], \"data_offsets\": [0, 4]}", 4,
                       "unknown dtype \"f32\"", NULL);

    /* shape */
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}", 4,
                       "safetensors tensor \"w\": \"shape\" is missing, expected an array", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": 4, \"data_offsets\": [0, 4]}", 4,
                       "\"shape\" is 4, expected an array", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [2, -3], \"data_offsets\": [0, 4]}", 4,
                       "safetensors tensor \"w\": shape[1] is -3, expected a non-negative integer", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}", 4,
                       "shape[0] is 1.5, expected a non-negative integer", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1e0], \"data_offsets\": [0, 4]}", 4,
                       "shape[0] is 1 (not written as an integer)", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1e30], \"data_offsets\": [0, 4]}", 4,
                       "shape[0] is 1e+30 (beyond int64)", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [\"2\"], \"data_offsets\": [0, 4]}", 4,
                       "shape[0] is a string", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [null], \"data_offsets\": [0, 4]}", 4,
                       "shape[0] is a null", NULL);

    /* data_offsets */
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1]}", 4,
                       "safetensors tensor \"w\": \"data_offsets\" is missing, expected [begin, end]", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}", 4,
                       "\"data_offsets\" is an array of the wrong length", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4, 8]}", 8,
                       "\"data_offsets\" is an array of the wrong length", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": {}}", 4,
                       "\"data_offsets\" is an object", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [-4, 0]}", 4,
                       "data_offsets[0] is -4, expected a non-negative integer", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4.5]}", 4,
                       "data_offsets[1] is 4.5", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, true]}", 4,
                       "data_offsets[1] is a boolean", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 4]}", 8,
                       "safetensors tensor \"w\": data_offsets [8, 4]: end is before begin", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}", 4,
                       "safetensors tensor \"w\": data_offsets [0, 8] lie outside the data buffer of 4 bytes", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [9223372036854775807, 9223372036854775807]}",
                       4, "lie outside the data buffer", NULL);

    /* length */
    expect_member_fail("\"w\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 12]}", 16,
                       "safetensors tensor \"w\": holds 12 bytes but dtype F32 and shape [2, 2] need 16", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"F64\", \"shape\": [], \"data_offsets\": [0, 4]}", 8,
                       "holds 4 bytes but dtype F64 and shape [] need 8", NULL);
    expect_member_fail("\"w\": {\"dtype\": \"U8\", \"shape\": [0], \"data_offsets\": [0, 1]}", 1,
                       "holds 1 bytes but dtype U8 and shape [0] need 0", NULL);

    /* a long shape is cut in the message */
    {
        char member[600];
        int n = snprintf(member, sizeof member, "\"w\": {\"dtype\": \"F32\", \"shape\": [");
        for (int k = 0; k < 100; k++) n += snprintf(member + n, sizeof member - (size_t)n, "%s1", k ? "," : "");
        snprintf(member + n, sizeof member - (size_t)n, "], \"data_offsets\": [0, 0]}");
        expect_member_fail(member, 0, "and shape [1, 1, 1, ", "...] need 4");
    }

    /* overflow of product(dims) * size */
    expect_member_fail("\"big\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 16], \"data_offsets\": [0, 4]}", 4,
                       "safetensors tensor \"big\": shape [4294967296, 4294967296, 16] is too large", NULL);
    expect_member_fail("\"big\": {\"dtype\": \"F32\", \"shape\": [4611686018427387904, 4], \"data_offsets\": [0, 4]}", 4,
                       "is too large", NULL);
    expect_member_fail("\"big\": {\"dtype\": \"F64\", \"shape\": [2305843009213693952], \"data_offsets\": [0, 4]}", 4,
                       "shape [2305843009213693952] is too large", NULL);
    /* just below the limit: no overflow, simply a length mismatch */
    expect_member_fail("\"big\": {\"dtype\": \"U8\", \"shape\": [4294967296, 4294967295], \"data_offsets\": [0, 4]}", 4,
                       "need 18446744069414584320", NULL);
}

static void test_names_in_messages(void)
{
    /* The failing tensor is named even when others come first, and long names are cut. */
    float v = 1;
    writer w;
    w_init(&w);
    int64_t s1[] = {1};
    w_tensor(&w, "good", "F32", s1, 1, &v, 4);
    w_member(&w, "\"conv1.weight\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}");
    size_t len;
    uint8_t *b = w_finish(&w, 8, &len);
    expect_fail(b, len, "safetensors tensor \"conv1.weight\": holds 4 bytes but dtype F32 and shape [2] need 8", NULL);
    free(b);

    char member[1200], name[1001];
    memset(name, 'n', 1000);
    name[1000] = '\0';
    snprintf(member, sizeof member, "\"%s\": {\"dtype\": \"XX\", \"shape\": [], \"data_offsets\": [0, 0]}", name);
    w_init(&w);
    w_member(&w, member);
    b = w_finish(&w, 8, &len);
    expect_fail(b, len, "nnnn...\": unknown dtype \"XX\"", NULL);
    fixture f;
    fx_init(&f);
    ox_safetensors_parse(&f.ctx, b, len, &f.st);
    CHECK(f.ctx.message && strlen(f.ctx.message) < 300);
    fx_done(&f);
    free(b);
}

static void test_duplicate_names(void)
{
    writer w;
    w_init(&w);
    float v[2] = {1, 2};
    int64_t s1[] = {1};
    w_tensor(&w, "w", "F32", s1, 1, &v[0], 4);
    w_tensor(&w, "w", "F32", s1, 1, &v[1], 4);
    size_t len;
    uint8_t *b = w_finish(&w, 8, &len);
    expect_fail(b, len, "safetensors header: invalid JSON at line 1, column ", "duplicate key \"w\"");
    free(b);
}

/* ---- robustness -------------------------------------------------------------- */

static uint8_t *fuzz_blob(size_t *len)
{
    float w[6] = {1, 2, 3, 4, 5, 6};
    int64_t b[2] = {7, 8};
    uint8_t m = 1;
    int64_t s_w[] = {2, 3}, s_b[] = {2}, s_e[] = {0};
    writer wr;
    w_init(&wr);
    w_member(&wr, "\"__metadata__\": {\"format\": \"pt\"}");
    w_tensor(&wr, "fc.weight", "F32", s_w, 2, w, sizeof w);
    w_tensor(&wr, "fc.bias", "I64", s_b, 1, b, sizeof b);
    w_tensor(&wr, "flag", "BOOL", NULL, 0, &m, 1);
    w_tensor(&wr, "none", "BF16", s_e, 1, NULL, 0);
    return w_finish(&wr, 8, len);
}

static void parse_any(const uint8_t *src, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (len) memcpy(copy, src, len);
    fixture f;
    fx_init(&f);
    ox_status s = ox_safetensors_parse(&f.ctx, copy, len, &f.st);
    CHECK(s == OX_OK || s == ONNXIFY_ERR_GRAPH_DESCRIPTION);
    if (s == OX_OK) check_inside(&f.st, copy, len);
    else CHECK(f.ctx.message != NULL && f.st.count == 0);
    fx_done(&f);
    free(copy);
}

static void test_fuzz_truncate(void)
{
    size_t len;
    uint8_t *b = fuzz_blob(&len);
    parse_any(b, len);
    for (size_t cut = 0; cut < len; cut++) parse_any(b, cut);
    /* Only the empty prefix and the whole blob are valid. */
    size_t ok = 0;
    for (size_t cut = 0; cut <= len; cut++) {
        fixture f;
        fx_init(&f);
        if (ox_safetensors_parse(&f.ctx, b, cut, &f.st) == OX_OK) ok++;
        fx_done(&f);
    }
    CHECK_EQ_INT(ok, 2);
    free(b);
}

static void test_fuzz_flip(void)
{
    size_t len;
    uint8_t *b = fuzz_blob(&len);
    uint8_t *m = malloc(len);
    static const uint8_t flips[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF};
    for (size_t pos = 0; pos < len; pos++)
        for (size_t k = 0; k < sizeof flips; k++) {
            memcpy(m, b, len);
            m[pos] ^= flips[k];
            parse_any(m, len);
        }
    /* Several random changes at once, from a fixed seed; digits and JSON
     * punctuation are likely replacements so that more headers stay parseable. */
    static const char alphabet[] = "0123456789[]{},:\"-.e ";
    uint32_t seed = 777;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(m, b, len);
        seed = seed * 1664525u + 1013904223u;
        int changes = 1 + (int)((seed >> 24) % 4);
        for (int c = 0; c < changes; c++) {
            seed = seed * 1664525u + 1013904223u;
            size_t pos = (seed >> 8) % len;
            seed = seed * 1664525u + 1013904223u;
            m[pos] = (seed & 1) ? (uint8_t)(seed >> 16) : (uint8_t)alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        seed = seed * 1664525u + 1013904223u;
        size_t cut = (seed >> 28) == 0 ? (seed >> 4) % (len + 1) : len;
        parse_any(m, cut);
    }
    free(m);
    free(b);
}

static const ox_test_case tests[] = {
    {"empty", test_empty},
    {"valid_read", test_valid_read},
    {"all_dtypes", test_all_dtypes},
    {"header_layouts", test_header_layouts},
    {"overflow_then_zero_dim", test_overflow_then_zero_dim},
    {"many_tensors", test_many_tensors},
    {"truncated", test_truncated},
    {"bad_header", test_bad_header},
    {"bad_entries", test_bad_entries},
    {"names_in_messages", test_names_in_messages},
    {"duplicate_names", test_duplicate_names},
    {"fuzz_truncate", test_fuzz_truncate},
    {"fuzz_flip", test_fuzz_flip},
};

OX_TEST_MAIN(tests)
