/* The native CLI: the same arguments as `node js/cli.mjs`, the same bytes.
 *
 *   onnxify export GRAPH --weights W.safetensors -o OUT.onnx [--opset N]
 *           [--input-names a,b] [--output-names y] [...]
 *
 * The output file is written to a temporary name beside OUT and renamed only
 * after a successful export, so a failure never leaves a partial file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "onnxify.h"

#define EXIT_USAGE 2

static const char usage[] =
    "usage: onnxify export GRAPH --weights W.safetensors -o OUT.onnx [options]\n"
    "\n"
    "options (named after torch.onnx.export's):\n"
    "  --opset N                        target opset (default %d, %d..%d)\n"
    "  --input-names a,b                names of the graph inputs, in order\n"
    "  --output-names y                 names of the graph outputs, in order\n"
    "  --no-constant-folding            do_constant_folding=False\n"
    "  --keep-initializers-as-inputs    keep_initializers_as_inputs=True\n"
    "  --no-export-params               export_params=False\n"
    "  --training eval|preserve|train   training mode (default eval)\n"
    "  --verbose                        keep doc strings, log the exported graph\n"
    "  --dynamic-axes JSON, --custom-opsets JSON, --export-modules-as-functions,\n"
    "  --operator-export-type onnx|onnx_aten|onnx_aten_fallback|onnx_fallthrough\n"
    "                                   accepted; refused by this version unless default\n"
    "  -h, --help, --version\n";

static int fail_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "onnxify: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see onnxify --help)\n");
    return EXIT_USAGE;
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        unsigned char *bigger = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Splits "a,b,c" in place into a NULL-terminated array. */
static const char **split_names(char *s, size_t *n)
{
    size_t count = 1;
    for (char *p = s; *p; p++) count += *p == ',';
    const char **names = calloc(count + 1, sizeof(char *));
    if (!names) return NULL;
    *n = 0;
    for (char *tok = s;;) {
        char *comma = strchr(tok, ',');
        if (comma) *comma = 0;
        names[(*n)++] = tok;
        if (!comma) break;
        tok = comma + 1;
    }
    return names;
}

static void log_to_stderr(void *user, onnxify_log_level level, const char *msg)
{
    (void)user;
    if (level >= ONNXIFY_LOG_WARNING) fprintf(stderr, "onnxify: warning: %s\n", msg);
    else fprintf(stderr, "%s\n", msg);
}

/* Writes the chunks to a temporary file beside `path`, then renames it. */
static int write_atomically(const char *path, const onnxify_chunk *chunks, size_t n)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 32);
    if (!tmp) return -1;
    snprintf(tmp, plen + 32, "%s.tmp-%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = f != NULL;
    for (size_t i = 0; ok && i < n; i++) ok = fwrite(chunks[i].data, 1, chunks[i].size, f) == chunks[i].size;
    if (f && fclose(f) != 0) ok = 0;
    if (ok && rename(tmp, path) != 0) ok = 0;
    if (!ok) remove(tmp);
    free(tmp);
    return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf(usage, ONNXIFY_DEFAULT_OPSET, ONNXIFY_MIN_OPSET, ONNXIFY_MAX_OPSET);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        printf("onnxify %s\n", onnxify_version());
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "export") != 0)
        return fail_usage("expected a command: export%s", "");

    onnxify_options opt;
    onnxify_options_init(&opt);
    opt.log = log_to_stderr;
    const char *graph_path = NULL, *weights_path = NULL, *out_path = NULL;
    const char **input_names = NULL, **output_names = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDS_VALUE()                                                        \
    do {                                                                     \
        if (!val) return fail_usage("option %s needs a value", a);           \
        i++;                                                                 \
    } while (0)
        if (!strcmp(a, "--weights")) { NEEDS_VALUE(); weights_path = val; }
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) { NEEDS_VALUE(); out_path = val; }
        else if (!strcmp(a, "--opset")) {
            NEEDS_VALUE();
            char *end;
            long v = strtol(val, &end, 10);
            if (*end || end == val || v < 0 || v > 1000) return fail_usage("--opset needs an integer, got '%s'", val);
            opt.opset_version = (int)v;
        } else if (!strcmp(a, "--input-names")) {
            NEEDS_VALUE();
            input_names = split_names(argv[i], &opt.n_input_names);
            opt.input_names = input_names;
        } else if (!strcmp(a, "--output-names")) {
            NEEDS_VALUE();
            output_names = split_names(argv[i], &opt.n_output_names);
            opt.output_names = output_names;
        } else if (!strcmp(a, "--no-constant-folding")) opt.do_constant_folding = 0;
        else if (!strcmp(a, "--keep-initializers-as-inputs")) opt.keep_initializers_as_inputs = 1;
        else if (!strcmp(a, "--no-export-params")) opt.export_params = 0;
        else if (!strcmp(a, "--verbose")) opt.verbose = 1;
        else if (!strcmp(a, "--export-modules-as-functions")) opt.export_modules_as_functions = 1;
        else if (!strcmp(a, "--training")) {
            NEEDS_VALUE();
            if (!strcmp(val, "eval")) opt.training = ONNXIFY_TRAINING_EVAL;
            else if (!strcmp(val, "preserve")) opt.training = ONNXIFY_TRAINING_PRESERVE;
            else if (!strcmp(val, "train")) opt.training = ONNXIFY_TRAINING_TRAIN;
            else return fail_usage("--training must be eval, preserve or train, got '%s'", val);
        } else if (!strcmp(a, "--operator-export-type")) {
            NEEDS_VALUE();
            static const char *const types[] = {"onnx", "onnx_aten", "onnx_aten_fallback", "onnx_fallthrough"};
            int t = -1;
            for (int k = 0; k < 4; k++)
                if (!strcmp(val, types[k])) t = k;
            if (t < 0) return fail_usage("unknown --operator-export-type '%s'", val);
            opt.operator_export_type = (onnxify_operator_export_type)t;
        } else if (!strcmp(a, "--dynamic-axes")) { NEEDS_VALUE(); opt.dynamic_axes_json = val; }
        else if (!strcmp(a, "--custom-opsets")) { NEEDS_VALUE(); opt.custom_opsets_json = val; }
        else if (a[0] == '-') return fail_usage("unknown option '%s'", a);
        else if (!graph_path) graph_path = a;
        else return fail_usage("unexpected argument '%s'", a);
#undef NEEDS_VALUE
    }
    if (!graph_path) return fail_usage("missing GRAPH (the graph description JSON)%s", "");
    if (!out_path) return fail_usage("missing -o OUT.onnx%s", "");
    if ((opt.n_input_names && !input_names) || (opt.n_output_names && !output_names)) {
        fprintf(stderr, "onnxify: out of memory\n");
        return 1;
    }

    int rc = 1;
    size_t glen = 0, wlen = 0;
    unsigned char *graph = read_file(graph_path, &glen), *weights = NULL;
    onnxify_exporter *ex = NULL;
    if (!graph) {
        fprintf(stderr, "onnxify: cannot read %s: %s\n", graph_path, strerror(errno));
        goto done;
    }
    if (weights_path && !(weights = read_file(weights_path, &wlen))) {
        fprintf(stderr, "onnxify: cannot read %s: %s\n", weights_path, strerror(errno));
        goto done;
    }
    ex = onnxify_exporter_new();
    if (!ex) {
        fprintf(stderr, "onnxify: out of memory\n");
        goto done;
    }
    const onnxify_chunk *chunks;
    size_t n_chunks;
    onnxify_status st = onnxify_export_chunks(ex, (const char *)graph, glen, weights, wlen, &opt, &chunks, &n_chunks);
    if (st != ONNXIFY_OK) {
        fprintf(stderr, "onnxify: %s: %s\n", onnxify_status_name(st), onnxify_last_error(ex));
        goto done;
    }
    if (write_atomically(out_path, chunks, n_chunks) != 0) {
        fprintf(stderr, "onnxify: cannot write %s: %s\n", out_path, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    onnxify_exporter_free(ex);
    free(graph);
    free(weights);
    free(input_names);
    free(output_names);
    return rc;
}
