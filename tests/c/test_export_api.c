/* Tests of the public API (include/onnxify.h): options, onnxify_export and
 * onnxify_export_chunks on examples/mlp, error reporting and argument
 * checking. Runs from the repository root (ctest's working directory). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "graph_util.h"
#include "onnx.pb-c.h"
#include "onnxify.h"
#include "test.h"

/* ---- fixtures ------------------------------------------------------------- */

/* examples/mlp, with a check that it could be read. */
static bool mlp_load(tg_mlp *m)
{
    bool ok = tg_mlp_load(m);
    CHECK(ok);
    return ok;
}

static onnxify_status export_mlp(onnxify_exporter *ex, const tg_mlp *m, const onnxify_options *opt, const uint8_t **out,
                                 size_t *len)
{
    return onnxify_export(ex, m->json, m->json_len, m->w, m->w_len, opt, out, len);
}

/* Runs fn(arg) in a child process: a crash (signal, or a sanitizer report,
 * which exits with status 1 under -fno-sanitize-recover) is reported as a
 * failed check instead of ending the test run. Returns fn's result (a
 * status, 0..99), or -1 when the child crashed. */
#define ISOLATED_BASE 100
static int isolated(int (*fn)(void *), void *arg)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) return -2;
    if (pid == 0) _exit(ISOLATED_BASE + (fn(arg) % 100));
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return -2;
    if (!WIFEXITED(status) || WEXITSTATUS(status) < ISOLATED_BASE) return -1;
    return WEXITSTATUS(status) - ISOLATED_BASE;
}

/* ======================================================================== */
/* options                                                                    */
/* ======================================================================== */

static void test_options_init_defaults(void)
{
    onnxify_options o;
    memset(&o, 0x5a, sizeof(o));
    onnxify_options_init(&o);
    CHECK_EQ_INT(o.opset_version, 0);
    CHECK(o.input_names == NULL && o.n_input_names == 0);
    CHECK(o.output_names == NULL && o.n_output_names == 0);
    CHECK_EQ_INT(o.export_params, 1);
    CHECK_EQ_INT(o.do_constant_folding, 1);
    CHECK_EQ_INT(o.keep_initializers_as_inputs, -1);
    CHECK_EQ_INT(o.training, ONNXIFY_TRAINING_EVAL);
    CHECK_EQ_INT(o.operator_export_type, ONNXIFY_OPERATOR_EXPORT_ONNX);
    CHECK_EQ_INT(o.verbose, 0);
    CHECK(o.dynamic_axes_json == NULL);
    CHECK(o.custom_opsets_json == NULL);
    CHECK_EQ_INT(o.export_modules_as_functions, 0);
    CHECK(o.log == NULL && o.log_user == NULL);
    CHECK_STR(onnxify_version(), ONNXIFY_VERSION);
}

static onnxify_status from_json(onnxify_exporter *ex, const char *json, onnxify_options *o)
{
    return onnxify_options_from_json(ex, json, strlen(json), o);
}

static void test_options_from_json_all_keys(void)
{
    onnxify_exporter *ex = onnxify_exporter_new();
    CHECK(ex != NULL);
    if (!ex) return;
    const char *json = "{\"opsetVersion\":13,\"inputNames\":[\"a\",\"b\"],\"outputNames\":[\"y\"],"
                       "\"exportParams\":false,\"doConstantFolding\":false,\"keepInitializersAsInputs\":true,"
                       "\"verbose\":true,\"exportModulesAsFunctions\":true,\"training\":\"train\","
                       "\"operatorExportType\":\"onnx_aten_fallback\",\"dynamicAxes\":{\"a\":{\"0\":\"batch\"}},"
                       "\"customOpsets\":{\"mydom\":2}}";
    onnxify_options o;
    CHECK_EQ_INT(from_json(ex, json, &o), ONNXIFY_OK);
    CHECK_STR(onnxify_last_error(ex), "");
    CHECK_EQ_INT(o.opset_version, 13);
    CHECK_EQ_INT(o.n_input_names, 2);
    if (o.n_input_names == 2) {
        CHECK_STR(o.input_names[0], "a");
        CHECK_STR(o.input_names[1], "b");
    }
    CHECK_EQ_INT(o.n_output_names, 1);
    if (o.n_output_names == 1) CHECK_STR(o.output_names[0], "y");
    CHECK_EQ_INT(o.export_params, 0);
    CHECK_EQ_INT(o.do_constant_folding, 0);
    CHECK_EQ_INT(o.keep_initializers_as_inputs, 1);
    CHECK_EQ_INT(o.verbose, 1);
    CHECK_EQ_INT(o.export_modules_as_functions, 1);
    CHECK_EQ_INT(o.training, ONNXIFY_TRAINING_TRAIN);
    CHECK_EQ_INT(o.operator_export_type, ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN_FALLBACK);
    CHECK(o.dynamic_axes_json && strstr(o.dynamic_axes_json, "batch"));
    CHECK(o.custom_opsets_json && strstr(o.custom_opsets_json, "mydom"));
    /* an empty object / text gives the defaults */
    CHECK_EQ_INT(from_json(ex, "{}", &o), ONNXIFY_OK);
    CHECK_EQ_INT(o.opset_version, 0);
    CHECK_EQ_INT(o.export_params, 1);
    CHECK_EQ_INT(o.keep_initializers_as_inputs, -1);
    CHECK_EQ_INT(onnxify_options_from_json(ex, NULL, 0, &o), ONNXIFY_OK);
    CHECK_EQ_INT(o.do_constant_folding, 1);
    /* nulls */
    CHECK_EQ_INT(from_json(ex, "{\"opsetVersion\":null,\"keepInitializersAsInputs\":null,\"inputNames\":null,"
                               "\"dynamicAxes\":null}",
                           &o),
                 ONNXIFY_OK);
    CHECK_EQ_INT(o.opset_version, 0);
    CHECK_EQ_INT(o.keep_initializers_as_inputs, -1);
    CHECK(o.input_names == NULL && o.dynamic_axes_json == NULL);
    CHECK_EQ_INT(from_json(ex, "{\"keepInitializersAsInputs\":false}", &o), ONNXIFY_OK);
    CHECK_EQ_INT(o.keep_initializers_as_inputs, 0);
    onnxify_exporter_free(ex);
}

static void test_options_enums(void)
{
    onnxify_exporter *ex = onnxify_exporter_new();
    onnxify_options o;
    static const char *const training[] = {"eval", "preserve", "train"};
    static const onnxify_training_mode tm[] = {ONNXIFY_TRAINING_EVAL, ONNXIFY_TRAINING_PRESERVE,
                                               ONNXIFY_TRAINING_TRAIN};
    for (int i = 0; i < 3; i++) {
        char json[128];
        snprintf(json, sizeof json, "{\"training\":\"%s\"}", training[i]);
        CHECK_EQ_INT(from_json(ex, json, &o), ONNXIFY_OK);
        CHECK_EQ_INT(o.training, tm[i]);
    }
    static const char *const types[] = {"onnx", "onnx_aten", "onnx_aten_fallback", "onnx_fallthrough"};
    static const onnxify_operator_export_type et[] = {
        ONNXIFY_OPERATOR_EXPORT_ONNX, ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN, ONNXIFY_OPERATOR_EXPORT_ONNX_ATEN_FALLBACK,
        ONNXIFY_OPERATOR_EXPORT_ONNX_FALLTHROUGH};
    for (int i = 0; i < 4; i++) {
        char json[128];
        snprintf(json, sizeof json, "{\"operatorExportType\":\"%s\"}", types[i]);
        CHECK_EQ_INT(from_json(ex, json, &o), ONNXIFY_OK);
        CHECK_EQ_INT(o.operator_export_type, et[i]);
    }
    CHECK_EQ_INT(from_json(ex, "{\"training\":\"TRAINING\"}", &o), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(onnxify_last_error(ex), "'training'");
    CHECK_CONTAINS(onnxify_last_error(ex), "'eval', 'preserve', 'train'");
    CHECK_EQ_INT(from_json(ex, "{\"training\":2}", &o), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(from_json(ex, "{\"operatorExportType\":\"caffe2\"}", &o), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(onnxify_last_error(ex), "'onnx_fallthrough'");
    onnxify_exporter_free(ex);
}

static void test_options_from_json_errors(void)
{
    onnxify_exporter *ex = onnxify_exporter_new();
    onnxify_options o;
    CHECK_EQ_INT(from_json(ex, "{\"x\":1}", &o), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(onnxify_last_error(ex), "unknown option 'x'");
    /* snake_case is not the JSON spelling */
    CHECK_EQ_INT(from_json(ex, "{\"opset_version\":13}", &o), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_CONTAINS(onnxify_last_error(ex), "unknown option 'opset_version'");
    static const char *const bad[] = {
        "{\"opsetVersion\":\"13\"}",     "{\"opsetVersion\":13.5}",        "{\"opsetVersion\":-1}",
        "{\"opsetVersion\":true}",       "{\"inputNames\":\"a\"}",         "{\"inputNames\":[1]}",
        "{\"outputNames\":[\"a\",null]}", "{\"exportParams\":1}",           "{\"doConstantFolding\":\"yes\"}",
        "{\"keepInitializersAsInputs\":1}", "{\"verbose\":null}",          "{\"exportModulesAsFunctions\":0}",
        "{\"dynamicAxes\":[]}",          "{\"customOpsets\":\"x\"}",       "{\"training\":null}",
        "[1,2]",                         "{\"opsetVersion\":13",           "not json",
        "42",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        onnxify_status st = from_json(ex, bad[i], &o);
        if (st != ONNXIFY_ERR_INVALID_ARGUMENT) fprintf(stderr, "options %s: status %d\n", bad[i], st);
        CHECK_EQ_INT(st, ONNXIFY_ERR_INVALID_ARGUMENT);
        CHECK(strlen(onnxify_last_error(ex)) > 0);
    }
    /* a success clears the last error */
    CHECK_EQ_INT(from_json(ex, "{}", &o), ONNXIFY_OK);
    CHECK_STR(onnxify_last_error(ex), "");
    /* NULL exporter / options */
    CHECK_EQ_INT(onnxify_options_from_json(NULL, "{}", 2, &o), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(onnxify_options_from_json(ex, "{}", 2, NULL), ONNXIFY_ERR_INVALID_ARGUMENT);
    onnxify_exporter_free(ex);
}

/* ======================================================================== */
/* export                                                                     */
/* ======================================================================== */

static Onnx__ModelProto *unpack(const uint8_t *data, size_t len)
{
    return onnx__model_proto__unpack(NULL, len, data);
}

static void test_export_opsets(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    onnxify_exporter *ex = onnxify_exporter_new();
    static const int opsets[] = {7, 9, 13, 17, 18, 23};
    static const int irs[] = {3, 4, 7, 8, 8, 0};
    for (size_t i = 0; i < sizeof opsets / sizeof opsets[0]; i++) {
        onnxify_options o;
        onnxify_options_init(&o);
        o.opset_version = opsets[i];
        const uint8_t *out = NULL;
        size_t len = 0;
        onnxify_status st = export_mlp(ex, &m, &o, &out, &len);
        if (st != ONNXIFY_OK) fprintf(stderr, "opset %d: %s\n", opsets[i], onnxify_last_error(ex));
        CHECK_EQ_INT(st, ONNXIFY_OK);
        if (st != ONNXIFY_OK) continue;
        CHECK(out != NULL && len > 0);
        CHECK_STR(onnxify_last_error(ex), "");
        Onnx__ModelProto *mp = unpack(out, len);
        CHECK(mp != NULL);
        if (!mp) continue;
        CHECK(mp->n_opset_import >= 1);
        if (mp->n_opset_import >= 1) {
            CHECK_STR(mp->opset_import[0]->domain ? mp->opset_import[0]->domain : "", "");
            CHECK_EQ_INT(mp->opset_import[0]->version, opsets[i]);
        }
        if (irs[i]) CHECK_EQ_INT(mp->ir_version, irs[i]);
        else CHECK(mp->ir_version >= 8);
        CHECK(mp->graph && mp->graph->n_node == 3);
        onnx__model_proto__free_unpacked(mp, NULL);
    }
    onnxify_exporter_free(ex);
    tg_mlp_free(&m);
}

static void expect_export_error(onnxify_exporter *ex, const tg_mlp *m, const onnxify_options *o, onnxify_status code,
                                const char *needle)
{
    const uint8_t *out = (const uint8_t *)"sentinel";
    size_t len = 12345;
    onnxify_status st = export_mlp(ex, m, o, &out, &len);
    CHECK_EQ_INT(st, code);
    CHECK(out == NULL);
    CHECK_EQ_INT(len, 0);
    CHECK_CONTAINS(onnxify_last_error(ex), needle);
    /* the chunked entry fails the same way */
    const onnxify_chunk *chunks = (const onnxify_chunk *)"sentinel";
    size_t n = 77;
    CHECK_EQ_INT(onnxify_export_chunks(ex, m->json, m->json_len, m->w, m->w_len, o, &chunks, &n), code);
    CHECK(chunks == NULL);
    CHECK_EQ_INT(n, 0);
    CHECK_CONTAINS(onnxify_last_error(ex), needle);
}

static void test_export_option_errors(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    onnxify_exporter *ex = onnxify_exporter_new();
    onnxify_options o;
    onnxify_options_init(&o);
    o.opset_version = 6;
    expect_export_error(ex, &m, &o, ONNXIFY_ERR_INVALID_ARGUMENT, "Unsupported ONNX opset version");
    o.opset_version = 24;
    expect_export_error(ex, &m, &o, ONNXIFY_ERR_INVALID_ARGUMENT, "Unsupported ONNX opset version");
    o.opset_version = -3;
    expect_export_error(ex, &m, &o, ONNXIFY_ERR_INVALID_ARGUMENT, "Unsupported ONNX opset version");
    onnxify_options_init(&o);
    o.opset_version = 14;
    o.export_modules_as_functions = 1;
    expect_export_error(ex, &m, &o, ONNXIFY_ERR_INVALID_ARGUMENT,
                        "`export_modules_as_functions` is not supported for `opset_version` < 15. This is "
                        "because `opset_version` < 15 implies IR version < 8, which means no local function "
                        "support.");
    /* dynamic axes: {} is "not given"; bad forms are refused (more in test_dynamic_axes.c) */
    onnxify_options_init(&o);
    o.dynamic_axes_json = "{\"0\":{\"a\":\"batch\"}}";
    expect_export_error(ex, &m, &o, ONNXIFY_ERR_INVALID_ARGUMENT, "The type of axis index is expected to be an integer");
    o.dynamic_axes_json = "{not json";
    expect_export_error(ex, &m, &o, ONNXIFY_ERR_INVALID_ARGUMENT, "dynamic_axes");
    o.dynamic_axes_json = "{}";
    const uint8_t *out;
    size_t len;
    CHECK_EQ_INT(export_mlp(ex, &m, &o, &out, &len), ONNXIFY_OK);
    /* the same through the JSON options */
    CHECK_EQ_INT(from_json(ex, "{\"dynamicAxes\":{}}", &o), ONNXIFY_OK);
    CHECK_EQ_INT(export_mlp(ex, &m, &o, &out, &len), ONNXIFY_OK);
    CHECK_EQ_INT(from_json(ex, "{\"dynamicAxes\":{\"0\":[0.5]}}", &o), ONNXIFY_OK);
    expect_export_error(ex, &m, &o, ONNXIFY_ERR_INVALID_ARGUMENT, "The type of axis index is expected to be an integer");
    /* too many names */
    static const char *const names[] = {"a", "b", "c", "d", "e", "f"};
    onnxify_options_init(&o);
    o.output_names = names;
    o.n_output_names = 2;
    expect_export_error(ex, &m, &o, ONNXIFY_ERR_INVALID_ARGUMENT,
                        "number of output names provided (2) exceeded number of outputs (1)");
    onnxify_exporter_free(ex);
    tg_mlp_free(&m);
}

/* Exports twice, contiguous and chunked; the chunks, concatenated, must be
 * the contiguous bytes. Returns whether a chunk points into `w`. */
static bool check_chunks(const char *json, size_t jlen, const uint8_t *w, size_t wlen, const onnxify_options *o,
                         size_t *nchunks)
{
    onnxify_exporter *ex = onnxify_exporter_new();
    const uint8_t *out;
    size_t len = 0;
    bool borrowed = false;
    *nchunks = 0;
    CHECK_EQ_INT(onnxify_export(ex, json, jlen, w, wlen, o, &out, &len), ONNXIFY_OK);
    uint8_t *copy = malloc(len ? len : 1);
    if (copy && len) memcpy(copy, out, len);
    const onnxify_chunk *chunks = NULL;
    size_t n = 0;
    CHECK_EQ_INT(onnxify_export_chunks(ex, json, jlen, w, wlen, o, &chunks, &n), ONNXIFY_OK);
    CHECK(n > 0);
    size_t total = 0;
    bool same = true;
    for (size_t i = 0; i < n; i++) {
        CHECK(chunks[i].data != NULL || chunks[i].size == 0);
        if (total + chunks[i].size > len || (chunks[i].size && memcmp(copy + total, chunks[i].data, chunks[i].size)))
            same = false;
        total += chunks[i].size;
        if (w && chunks[i].data >= w && chunks[i].data < w + wlen) borrowed = true;
    }
    CHECK_EQ_INT(total, len);
    CHECK(same);
    *nchunks = n;
    free(copy);
    onnxify_exporter_free(ex);
    return borrowed;
}

/* A safetensors blob with one F32 tensor "w" of `count` elements 0, 1, 2, ... */
static uint8_t *big_weights(size_t count, size_t *len)
{
    char header[256];
    int h = snprintf(header, sizeof header, "{\"w\":{\"dtype\":\"F32\",\"shape\":[%zu],\"data_offsets\":[0,%zu]}}",
                     count, count * 4);
    while (h % 8) header[h++] = ' ';
    *len = 8 + (size_t)h + count * 4;
    uint8_t *b = malloc(*len);
    if (!b) return NULL;
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)((uint64_t)h >> (8 * i));
    memcpy(b + 8, header, (size_t)h);
    for (size_t i = 0; i < count; i++) {
        float f = (float)i;
        memcpy(b + 8 + h + 4 * i, &f, 4);
    }
    return b;
}

static void test_export_chunks_match(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    static const int opsets[] = {7, 9, 17};
    for (int k = 0; k < 3; k++) {
        onnxify_options o;
        onnxify_options_init(&o);
        o.opset_version = opsets[k];
        size_t n;
        check_chunks(m.json, m.json_len, m.w, m.w_len, &o, &n);
    }
    tg_mlp_free(&m);

    /* a parameter above OX_BORROW_MIN (4096 bytes) is not copied: its chunk
     * points into the caller's weights */
    static const char json[] =
        "{\"format\":\"onnxify-graph\",\"version\":1,\"graph\":{\"inputs\":["
        "{\"name\":\"x\",\"type\":{\"kind\":\"tensor\",\"dtype\":\"float32\",\"shape\":[4096]}},"
        "{\"name\":\"w\",\"type\":{\"kind\":\"tensor\",\"dtype\":\"float32\",\"shape\":[4096]},\"param\":true}],"
        "\"nodes\":[{\"kind\":\"aten::mul\",\"inputs\":[\"x\",\"w\"],\"outputs\":[{\"name\":\"y\",\"type\":"
        "{\"kind\":\"tensor\",\"dtype\":\"float32\",\"shape\":[4096]}}]}],\"outputs\":[\"y\"]}}";
    size_t wlen;
    uint8_t *w = big_weights(4096, &wlen);
    CHECK(w != NULL);
    if (!w) return;
    onnxify_options o;
    onnxify_options_init(&o);
    size_t n;
    CHECK(check_chunks(json, sizeof json - 1, w, wlen, &o, &n));
    CHECK(n >= 3); /* before, the payload, after */
    free(w);
}

static void test_export_deterministic(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    onnxify_exporter *ex = onnxify_exporter_new(), *ex2 = onnxify_exporter_new();
    const uint8_t *a, *b, *c;
    size_t alen, blen, clen;
    CHECK_EQ_INT(export_mlp(ex, &m, NULL, &a, &alen), ONNXIFY_OK);
    uint8_t *copy = malloc(alen);
    memcpy(copy, a, alen);
    CHECK_EQ_INT(export_mlp(ex, &m, NULL, &b, &blen), ONNXIFY_OK);
    CHECK(blen == alen && memcmp(copy, b, alen) == 0);
    CHECK_EQ_INT(export_mlp(ex2, &m, NULL, &c, &clen), ONNXIFY_OK);
    CHECK(clen == alen && memcmp(copy, c, alen) == 0);
    free(copy);
    onnxify_exporter_free(ex);
    onnxify_exporter_free(ex2);
    tg_mlp_free(&m);
}

/* Failures: nothing returned, a message, and the exporter still works. */
static void test_export_errors_and_recovery(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    onnxify_exporter *ex = onnxify_exporter_new();
    CHECK_STR(onnxify_last_error(ex), "");
    const uint8_t *out = (const uint8_t *)"x";
    size_t len = 5;
    /* a broken graph description */
    static const char broken[] = "{\"format\":\"onnxify-graph\",\"version\":1,\"graph\":{\"inputs\":[],\"nodes\":[{}]";
    CHECK_EQ_INT(onnxify_export(ex, broken, sizeof broken - 1, NULL, 0, NULL, &out, &len), ONNXIFY_ERR_GRAPH_DESCRIPTION);
    CHECK(out == NULL && len == 0);
    CHECK(strlen(onnxify_last_error(ex)) > 0);
    /* a valid export on the same exporter */
    CHECK_EQ_INT(export_mlp(ex, &m, NULL, &out, &len), ONNXIFY_OK);
    CHECK(out != NULL && len > 0);
    CHECK_STR(onnxify_last_error(ex), "");
    /* an unsupported operator */
    static const char unsupported[] =
        "{\"format\":\"onnxify-graph\",\"version\":1,\"graph\":{\"inputs\":[{\"name\":\"x\",\"type\":{\"kind\":"
        "\"tensor\",\"dtype\":\"float32\",\"shape\":[2]}}],\"nodes\":[{\"kind\":\"aten::does_not_exist\",\"inputs\":"
        "[\"x\"],\"outputs\":[{\"name\":\"y\",\"type\":{\"kind\":\"tensor\",\"dtype\":\"float32\",\"shape\":[2]}}]}],"
        "\"outputs\":[\"y\"]}}";
    onnxify_options o;
    onnxify_options_init(&o);
    o.opset_version = 13;
    CHECK_EQ_INT(onnxify_export(ex, unsupported, sizeof unsupported - 1, NULL, 0, &o, &out, &len),
                 ONNXIFY_ERR_UNSUPPORTED_OPERATOR);
    CHECK(out == NULL && len == 0);
    CHECK_CONTAINS(onnxify_last_error(ex),
                   "Exporting the operator 'aten::does_not_exist' to ONNX opset version 13 is not supported.");
    /* weights that do not match the description */
    CHECK_EQ_INT(onnxify_export(ex, m.json, m.json_len, NULL, 0, NULL, &out, &len), ONNXIFY_ERR_GRAPH_DESCRIPTION);
    CHECK(out == NULL && len == 0);
    CHECK(strlen(onnxify_last_error(ex)) > 0);
    static const uint8_t garbage[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{'};
    CHECK_EQ_INT(onnxify_export(ex, m.json, m.json_len, garbage, sizeof garbage, NULL, &out, &len),
                 ONNXIFY_ERR_GRAPH_DESCRIPTION);
    /* and again a success, chunked this time */
    const onnxify_chunk *chunks;
    size_t n;
    CHECK_EQ_INT(onnxify_export_chunks(ex, m.json, m.json_len, m.w, m.w_len, NULL, &chunks, &n), ONNXIFY_OK);
    CHECK(n > 0);
    CHECK_STR(onnxify_last_error(ex), "");
    onnxify_exporter_free(ex);
    tg_mlp_free(&m);
}

/* input names and options parsed from JSON on the same exporter */
static void test_export_names_from_json(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    onnxify_exporter *ex = onnxify_exporter_new();
    onnxify_options o;
    CHECK_EQ_INT(from_json(ex, "{\"inputNames\":[\"features\"],\"outputNames\":[\"logits\"],\"opsetVersion\":13}", &o),
                 ONNXIFY_OK);
    const uint8_t *out;
    size_t len;
    CHECK_EQ_INT(export_mlp(ex, &m, &o, &out, &len), ONNXIFY_OK);
    Onnx__ModelProto *mp = unpack(out, len);
    CHECK(mp && mp->graph);
    if (mp && mp->graph) {
        CHECK(mp->graph->n_input == 1 && !strcmp(mp->graph->input[0]->name, "features"));
        CHECK(mp->graph->n_output == 1 && !strcmp(mp->graph->output[0]->name, "logits"));
        CHECK(mp->graph->n_node == 3 && !strcmp(mp->graph->node[0]->input[0], "features"));
    }
    if (mp) onnx__model_proto__free_unpacked(mp, NULL);
    onnxify_exporter_free(ex);
    tg_mlp_free(&m);
}

static void test_status_names(void)
{
    static const struct {
        onnxify_status st;
        const char *name;
    } want[] = {
        {ONNXIFY_OK, "OK"},
        {ONNXIFY_ERR_INVALID_ARGUMENT, "InvalidArgumentError"},
        {ONNXIFY_ERR_GRAPH_DESCRIPTION, "GraphDescriptionError"},
        {ONNXIFY_ERR_UNSUPPORTED_OPERATOR, "UnsupportedOperatorError"},
        {ONNXIFY_ERR_SYMBOLIC_VALUE, "SymbolicValueError"},
        {ONNXIFY_ERR_CHECKER, "CheckerError"},
        {ONNXIFY_ERR_EXPORTER, "OnnxExporterError"},
        {ONNXIFY_ERR_OUT_OF_MEMORY, "OutOfMemoryError"},
        {ONNXIFY_ERR_CANCELLED, "CancelledError"},
        {ONNXIFY_ERR_INTERNAL, "InternalError"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) CHECK_STR(onnxify_status_name(want[i].st), want[i].name);
    /* distinct */
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        for (size_t j = i + 1; j < sizeof want / sizeof want[0]; j++)
            CHECK(strcmp(onnxify_status_name(want[i].st), onnxify_status_name(want[j].st)) != 0);
    /* out of range: still a string */
    const char *s = onnxify_status_name((onnxify_status)99);
    CHECK(s && *s);
    s = onnxify_status_name((onnxify_status)-1);
    CHECK(s && *s);
}

/* ---- NULL arguments --------------------------------------------------------- */

static int null_graph_json(void *arg)
{
    (void)arg;
    onnxify_exporter *ex = onnxify_exporter_new();
    const uint8_t *out = (const uint8_t *)"x";
    size_t len = 3;
    int st = onnxify_export(ex, NULL, 100, NULL, 0, NULL, &out, &len);
    int ok = out == NULL && len == 0 && *onnxify_last_error(ex);
    onnxify_exporter_free(ex);
    return ok ? st : 99;
}

static int null_weights_with_length(void *arg)
{
    const tg_mlp *m = arg;
    onnxify_exporter *ex = onnxify_exporter_new();
    const uint8_t *out;
    size_t len;
    int st = onnxify_export(ex, m->json, m->json_len, NULL, 1000, NULL, &out, &len);
    onnxify_exporter_free(ex);
    return st;
}

static int null_name_array(void *arg)
{
    const tg_mlp *m = arg;
    onnxify_exporter *ex = onnxify_exporter_new();
    onnxify_options o;
    onnxify_options_init(&o);
    o.n_input_names = 1; /* input_names left NULL */
    const uint8_t *out;
    size_t len;
    int st = onnxify_export(ex, m->json, m->json_len, m->w, m->w_len, &o, &out, &len);
    onnxify_exporter_free(ex);
    return st;
}

static int null_name_entry(void *arg)
{
    const tg_mlp *m = arg;
    onnxify_exporter *ex = onnxify_exporter_new();
    onnxify_options o;
    onnxify_options_init(&o);
    static const char *const names[] = {NULL};
    o.output_names = names;
    o.n_output_names = 1;
    const uint8_t *out;
    size_t len;
    int st = onnxify_export(ex, m->json, m->json_len, m->w, m->w_len, &o, &out, &len);
    onnxify_exporter_free(ex);
    return st;
}

static int null_options(void *arg)
{
    const tg_mlp *m = arg;
    onnxify_exporter *ex = onnxify_exporter_new();
    const uint8_t *out;
    size_t len;
    int st = onnxify_export(ex, m->json, m->json_len, m->w, m->w_len, NULL, &out, &len);
    onnxify_exporter_free(ex);
    return st;
}

static void test_null_arguments(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    onnxify_exporter *ex = onnxify_exporter_new();
    const uint8_t *out = (const uint8_t *)"x";
    size_t len = 3;
    const onnxify_chunk *chunks = (const onnxify_chunk *)"x";
    size_t n = 3;
    CHECK_EQ_INT(onnxify_export(NULL, m.json, m.json_len, m.w, m.w_len, NULL, &out, &len), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(onnxify_export(ex, m.json, m.json_len, m.w, m.w_len, NULL, NULL, &len), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK(strlen(onnxify_last_error(ex)) > 0);
    CHECK_EQ_INT(onnxify_export(ex, m.json, m.json_len, m.w, m.w_len, NULL, &out, NULL), ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK_EQ_INT(onnxify_export_chunks(NULL, m.json, m.json_len, m.w, m.w_len, NULL, &chunks, &n),
                 ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(onnxify_export_chunks(ex, m.json, m.json_len, m.w, m.w_len, NULL, NULL, &n),
                 ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(onnxify_export_chunks(ex, m.json, m.json_len, m.w, m.w_len, NULL, &chunks, NULL),
                 ONNXIFY_ERR_INVALID_ARGUMENT);
    CHECK(chunks == NULL);
    CHECK_STR(onnxify_last_error(NULL), "");
    onnxify_exporter_free(NULL);
    onnxify_exporter_free(ex);

    /* the calls that could crash run in a child process */
    int st = isolated(null_weights_with_length, &m);
    CHECK(st >= 0); /* no crash */
    CHECK(st == ONNXIFY_ERR_INVALID_ARGUMENT || st == ONNXIFY_ERR_GRAPH_DESCRIPTION);
    CHECK_EQ_INT(isolated(null_name_entry, &m), ONNXIFY_ERR_INVALID_ARGUMENT);
    /* NULL options mean the defaults (src/export.c run_export) */
    CHECK_EQ_INT(isolated(null_options, &m), ONNXIFY_OK);
    tg_mlp_free(&m);
}

static void test_null_graph_json(void)
{
    /* a NULL graph is a bad argument, not a bad description */
    CHECK_EQ_INT(isolated(null_graph_json, NULL), ONNXIFY_ERR_INVALID_ARGUMENT);
}

static void test_null_name_array(void)
{
    tg_mlp m;
    if (!mlp_load(&m)) return;
    /* n_input_names > 0 with input_names NULL: refused, no NULL dereference */
    CHECK_EQ_INT(isolated(null_name_array, &m), ONNXIFY_ERR_INVALID_ARGUMENT);
    tg_mlp_free(&m);
}

static const ox_test_case tests[] = {
    {"options_init_defaults", test_options_init_defaults},
    {"options_from_json_all_keys", test_options_from_json_all_keys},
    {"options_enums", test_options_enums},
    {"options_from_json_errors", test_options_from_json_errors},
    {"export_opsets", test_export_opsets},
    {"export_option_errors", test_export_option_errors},
    {"export_chunks_match", test_export_chunks_match},
    {"export_deterministic", test_export_deterministic},
    {"export_errors_and_recovery", test_export_errors_and_recovery},
    {"export_names_from_json", test_export_names_from_json},
    {"status_names", test_status_names},
    {"null_arguments", test_null_arguments},
    {"null_graph_json", test_null_graph_json},
    {"null_name_array", test_null_name_array},
};
OX_TEST_MAIN(tests)
