/* The export entry (seed: export -> _export -> _model_to_graph): validates the
 * options, decides the derived settings the way torch does, runs the pass
 * pipeline, serializes and checks the model. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporter.h"
#include "front/graph_reader.h"
#include "front/json.h"
#include "onnx/serialize.h"
#include "passes/pipeline.h"

struct onnxify_exporter {
    ox_buffer result;
    char *list;               /* backing of the last returned string list */
    ox_arena *model_arena;    /* the last export's arena: chunks point into it */
    onnxify_chunk *chunks;
    size_t chunks_cap;
    char *error;
    ox_arena *options_arena;  /* strings of options parsed from JSON */
    const char **names;
};

static const char *const status_names[] = {
    "OK",          "InvalidArgumentError", "GraphDescriptionError", "UnsupportedOperatorError",
    "SymbolicValueError", "CheckerError",  "OnnxExporterError",     "OutOfMemoryError",
    "CancelledError", "InternalError",
};

const char *onnxify_status_name(onnxify_status s)
{
    return (unsigned)s < sizeof(status_names) / sizeof(status_names[0]) ? status_names[s] : "InternalError";
}

const char *onnxify_version(void) { return ONNXIFY_VERSION; }

void onnxify_options_init(onnxify_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->export_params = 1;
    opt->do_constant_folding = 1;
    opt->keep_initializers_as_inputs = -1;
}

onnxify_exporter *onnxify_exporter_new(void)
{
    onnxify_exporter *ex = calloc(1, sizeof(*ex));
    if (ex) ox_buffer_init(&ex->result);
    return ex;
}

void onnxify_exporter_free(onnxify_exporter *ex)
{
    if (!ex) return;
    ox_buffer_free(&ex->result);
    free(ex->list);
    ox_arena_free(ex->model_arena);
    free(ex->chunks);
    free(ex->error);
    ox_arena_free(ex->options_arena);
    free(ex);
}

const char *onnxify_last_error(const onnxify_exporter *ex) { return ex && ex->error ? ex->error : ""; }

static onnxify_status set_error(onnxify_exporter *ex, onnxify_status st, const char *msg)
{
    free(ex->error);
    ex->error = NULL;
    if (st != ONNXIFY_OK) {
        const char *m = msg ? msg : "unknown error";
        ex->error = malloc(strlen(m) + 1);
        if (ex->error) strcpy(ex->error, m);
    }
    return st;
}

static onnxify_status take_ctx_error(onnxify_exporter *ex, ox_ctx *ctx)
{
    return set_error(ex, ctx->status, ctx->message);
}

/* ---- options from JSON (the JS API passes its camelCase options here) ---- */

static ox_status json_names(ox_ctx *ctx, const ox_json *v, const char *key, const char *const **out, size_t *n)
{
    if (v->kind == OX_JSON_NULL) return OX_OK;
    if (v->kind != OX_JSON_ARRAY)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "option '%s' must be an array of strings", key);
    const char **names = ox_arena_alloc(ctx->arena, (v->count + 1) * sizeof(char *));
    if (!names) return OX_NOMEM(ctx);
    for (size_t i = 0; i < v->count; i++) {
        if (v->items[i]->kind != OX_JSON_STRING)
            return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "option '%s' must be an array of strings", key);
        names[i] = v->items[i]->string;
    }
    *out = names;
    *n = v->count;
    return OX_OK;
}

static ox_status json_bool(ox_ctx *ctx, const ox_json *v, const char *key, int *out)
{
    if (v->kind != OX_JSON_BOOL)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "option '%s' must be true or false", key);
    *out = v->boolean;
    return OX_OK;
}

static ox_status json_enum(ox_ctx *ctx, const ox_json *v, const char *key, const char *const *names, int n, int *out)
{
    if (v->kind == OX_JSON_STRING)
        for (int i = 0; i < n; i++)
            if (!strcmp(v->string, names[i])) {
                *out = i;
                return OX_OK;
            }
    char allowed[160] = "";
    for (int i = 0; i < n; i++) {
        strcat(allowed, i ? ", '" : "'");
        strcat(allowed, names[i]);
        strcat(allowed, "'");
    }
    return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "option '%s' must be one of %s", key, allowed);
}

static ox_status options_from_json(ox_ctx *ctx, const char *json, size_t len, onnxify_options *opt)
{
    onnxify_options_init(opt);
    if (!json || !len) return OX_OK;
    ox_json *root;
    if (ox_json_parse(ctx, json, len, &root) != OX_OK) {
        ctx->status = ONNXIFY_ERR_INVALID_ARGUMENT;
        ox_fail_prefix(ctx, "options: ");
        return ctx->status;
    }
    if (root->kind != OX_JSON_OBJECT)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "options must be a JSON object");
    static const char *const training[] = {"eval", "preserve", "train"};
    static const char *const export_types[] = {"onnx", "onnx_aten", "onnx_aten_fallback", "onnx_fallthrough"};
    for (size_t i = 0; i < root->count; i++) {
        const char *k = root->keys[i];
        const ox_json *v = root->items[i];
        int iv = 0;
        if (!strcmp(k, "opsetVersion")) {
            if (v->kind == OX_JSON_NULL) continue;
            if (v->kind != OX_JSON_NUMBER || !v->is_int || v->integer < 0 || v->integer > 1000)
                return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "option 'opsetVersion' must be an integer");
            opt->opset_version = (int)v->integer;
        } else if (!strcmp(k, "inputNames")) {
            OX_TRY(json_names(ctx, v, k, &opt->input_names, &opt->n_input_names));
        } else if (!strcmp(k, "outputNames")) {
            OX_TRY(json_names(ctx, v, k, &opt->output_names, &opt->n_output_names));
        } else if (!strcmp(k, "exportParams")) {
            OX_TRY(json_bool(ctx, v, k, &opt->export_params));
        } else if (!strcmp(k, "doConstantFolding")) {
            OX_TRY(json_bool(ctx, v, k, &opt->do_constant_folding));
        } else if (!strcmp(k, "keepInitializersAsInputs")) {
            if (v->kind == OX_JSON_NULL) opt->keep_initializers_as_inputs = -1;
            else OX_TRY(json_bool(ctx, v, k, &opt->keep_initializers_as_inputs));
        } else if (!strcmp(k, "verbose")) {
            OX_TRY(json_bool(ctx, v, k, &opt->verbose));
        } else if (!strcmp(k, "exportModulesAsFunctions")) {
            OX_TRY(json_bool(ctx, v, k, &opt->export_modules_as_functions));
        } else if (!strcmp(k, "training")) {
            OX_TRY(json_enum(ctx, v, k, training, 3, &iv));
            opt->training = (onnxify_training_mode)iv;
        } else if (!strcmp(k, "operatorExportType")) {
            OX_TRY(json_enum(ctx, v, k, export_types, 4, &iv));
            opt->operator_export_type = (onnxify_operator_export_type)iv;
        } else if (!strcmp(k, "dynamicAxes") || !strcmp(k, "customOpsets")) {
            if (v->kind == OX_JSON_NULL) continue;
            if (v->kind != OX_JSON_OBJECT)
                return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "option '%s' must be an object", k);
            /* Handed on as text, exactly as the C API and the CLI take it. */
            const char *text = ox_json_to_text(ctx->arena, v);
            if (!text) return OX_NOMEM(ctx);
            if (!strcmp(k, "dynamicAxes")) opt->dynamic_axes_json = text;
            else opt->custom_opsets_json = text;
        } else {
            return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "unknown option '%s'", k);
        }
    }
    return OX_OK;
}

onnxify_status onnxify_options_from_json(onnxify_exporter *ex, const char *json, size_t len, onnxify_options *opt)
{
    if (!ex || !opt) return ONNXIFY_ERR_INVALID_ARGUMENT;
    ox_arena_free(ex->options_arena);
    ex->options_arena = ox_arena_new();
    if (!ex->options_arena) return set_error(ex, ONNXIFY_ERR_OUT_OF_MEMORY, "out of memory");
    ox_ctx ctx;
    ox_ctx_init(&ctx, ex->options_arena);
    ox_status st = options_from_json(&ctx, json, len, opt);
    st = st == OX_OK ? set_error(ex, OX_OK, NULL) : take_ctx_error(ex, &ctx);
    ox_ctx_release(&ctx);
    return st;
}

/* ---- settings decided from the options (seed: _export / _decide_*) ---- */

/* A JSON-object option given as text: NULL or "{}" means "not given". */
static ox_status object_option(ox_ctx *ctx, const char *text, const char *name, bool *given)
{
    *given = false;
    if (!text) return OX_OK;
    ox_json *v;
    if (ox_json_parse(ctx, text, strlen(text), &v) != OX_OK) {
        ctx->status = ONNXIFY_ERR_INVALID_ARGUMENT;
        ox_fail_prefix(ctx, "%s: ", name);
        return ctx->status;
    }
    if (v->kind != OX_JSON_OBJECT)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "%s must be a JSON object", name);
    *given = v->count > 0;
    return OX_OK;
}

/* custom_opsets: {"domain": version}; versions of non-ONNX domains. */
static ox_status parse_custom_opsets(ox_ctx *ctx, const char *text, ox_export_settings *s)
{
    if (!text) return OX_OK;
    ox_json *v;
    if (ox_json_parse(ctx, text, strlen(text), &v) != OX_OK) {
        ctx->status = ONNXIFY_ERR_INVALID_ARGUMENT;
        ox_fail_prefix(ctx, "custom_opsets: ");
        return ctx->status;
    }
    if (v->kind != OX_JSON_OBJECT)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "custom_opsets must be a JSON object {domain: version}");
    ox_custom_opset *list = ox_arena_alloc(ctx->arena, (v->count + 1) * sizeof(*list));
    if (!list) return OX_NOMEM(ctx);
    for (size_t i = 0; i < v->count; i++) {
        const ox_json *ver = v->items[i];
        if (!*v->keys[i] || !strcmp(v->keys[i], "ai.onnx"))
            return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                           "custom_opsets: the default ONNX domain takes its version from opset_version");
        if (ver->kind != OX_JSON_NUMBER || !ver->is_int || ver->integer < 1 || ver->integer > INT32_MAX)
            return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                           "custom_opsets: the version of domain '%s' must be a positive integer", v->keys[i]);
        list[i] = (ox_custom_opset){v->keys[i], ver->integer};
    }
    s->custom_opsets = list;
    s->n_custom_opsets = v->count;
    return OX_OK;
}

/* Option checks and derived settings that need no graph (torch checks them
 * first, before tracing). */
static ox_status decide_settings(ox_ctx *ctx, const onnxify_options *o, ox_export_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->opset = o->opset_version ? o->opset_version : ONNXIFY_DEFAULT_OPSET;
    if (s->opset < ONNXIFY_MIN_OPSET || s->opset > ONNXIFY_MAX_OPSET)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "Unsupported ONNX opset version: %d (onnxify supports %d to %d)",
                       s->opset, ONNXIFY_MIN_OPSET, ONNXIFY_MAX_OPSET);
    if (o->export_modules_as_functions && s->opset < 15)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                       "`export_modules_as_functions` is not supported for `opset_version` < 15. This is "
                       "because `opset_version` < 15 implies IR version < 8, which means no local function "
                       "support.");
    /* Options whose machinery is not built yet are refused, never ignored. */
    if (o->export_modules_as_functions)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "export_modules_as_functions is not supported yet");
    bool given; /* dynamic_axes is validated once the graph is read (decide_dynamic_axes) */
    OX_TRY(object_option(ctx, o->dynamic_axes_json, "dynamic_axes", &given));
    OX_TRY(parse_custom_opsets(ctx, o->custom_opsets_json, s));
    if ((unsigned)o->operator_export_type > ONNXIFY_OPERATOR_EXPORT_ONNX_FALLTHROUGH)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                       "'operator_export_type' must be ONNX, ONNX_ATEN, ONNX_ATEN_FALLBACK or ONNX_FALLTHROUGH");
    if ((o->n_input_names && !o->input_names) || (o->n_output_names && !o->output_names))
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "input_names/output_names: a count without an array");
    if ((unsigned)o->training > ONNXIFY_TRAINING_TRAIN)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "'training' must be EVAL, PRESERVE or TRAINING");

    s->training_mode = o->training;
    s->export_type = o->operator_export_type;
    s->onnx_shape_inference = true;
    s->export_params = o->export_params != 0;
    s->verbose = o->verbose != 0;
    /* keep_initializers_as_inputs: forced for opset < 9 (IR 3); None -> False for ONNX. */
    if (s->opset < 9) {
        if (o->keep_initializers_as_inputs == 0)
            ox_warn(ctx, "Setting 'keep_initializers_as_inputs=False' for opset version %d is invalid and "
                         "ignored: opset versions below 9 need initializers listed as inputs.", s->opset);
        s->keep_initializers_as_inputs = true;
    } else if (o->keep_initializers_as_inputs < 0) {
        s->keep_initializers_as_inputs = s->export_type != ONNXIFY_OPERATOR_EXPORT_ONNX;
    } else {
        s->keep_initializers_as_inputs = o->keep_initializers_as_inputs != 0;
    }
    s->do_constant_folding = o->do_constant_folding != 0;
    if (s->do_constant_folding && s->training_mode != ONNXIFY_TRAINING_EVAL)
        ox_warn(ctx, "It is recommended that constant folding be turned off ('do_constant_folding=False') "
                     "when exporting the model in training-amenable mode, i.e. with 'training=TrainingMode.TRAIN' "
                     "or 'training=TrainingMode.PRESERVE' (when model is in training mode). Otherwise, some "
                     "learnable model parameters may not translate correctly in the exported ONNX model "
                     "because constant folding mutates model parameters. Please consider turning off "
                     "constant folding or setting the training=TrainingMode.EVAL.");
    return OX_OK;
}

/* A whole decimal integer ("0", "-1"), as a JSON object key. */
static bool parse_axis(const char *text, int64_t *out)
{
    const char *p = text;
    bool neg = *p == '-';
    if (neg) p++;
    if (!*p) return false;
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > (uint64_t)INT64_MAX) return false;
    }
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

static bool name_in(const char *key, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && !strcmp(key, names[i])) return true;
    return false;
}

/* dynamic_axes (seed: _validate_dynamic_axes), once the graph is read:
 * {name: {"axis": "dim_name"}} or {name: [axis, ...]}, the list form naming
 * its axes <name>_dynamic_axes_<position>. Valid names are input_names and
 * output_names when given, else the names the exported model gives its
 * inputs / outputs (outputs' are final only after the pipeline: such keys are
 * checked there). */
static ox_status decide_dynamic_axes(ox_ctx *ctx, const onnxify_options *o, ox_graph *g, ox_export_settings *s)
{
    if (!o->dynamic_axes_json) return OX_OK;
    ox_json *v;
    if (ox_json_parse(ctx, o->dynamic_axes_json, strlen(o->dynamic_axes_json), &v) != OX_OK) {
        ctx->status = ONNXIFY_ERR_INVALID_ARGUMENT;
        ox_fail_prefix(ctx, "dynamic_axes: ");
        return ctx->status;
    }
    if (v->kind != OX_JSON_OBJECT)
        return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT, "dynamic_axes must be a JSON object");
    if (!v->count) return OX_OK;
    ox_dynamic_axes_entry *entries = ox_arena_alloc(ctx->arena, v->count * sizeof(*entries));
    if (!entries) return OX_NOMEM(ctx);
    for (size_t k = 0; k < v->count; k++) {
        const char *key = v->keys[k];
        const ox_json *val = v->items[k];
        ox_dynamic_axes_entry *e = &entries[k];
        e->key = key;

        bool valid = false;
        if (o->n_input_names) valid = name_in(key, o->input_names, o->n_input_names);
        else
            for (int i = 0; i < ox_block_ninputs(g->top) && !valid; i++)
                valid = ox_dynamic_axes_key_is_input(g, i, key, NULL, 0);
        if (!valid && o->n_output_names) valid = name_in(key, o->output_names, o->n_output_names);
        if (!valid && !o->n_output_names) e->check_name_late = true;
        else if (!valid) ox_warn(ctx, "Provided key %s for dynamic axes is not a valid input/output name", key);

        ox_dynamic_axis *axes = ox_arena_alloc(ctx->arena, (val->count + 1) * sizeof(*axes));
        if (!axes) return OX_NOMEM(ctx);
        int n = 0;
        if (val->kind == OX_JSON_OBJECT) {
            for (size_t j = 0; j < val->count; j++) {
                int64_t axis;
                if (!parse_axis(val->keys[j], &axis))
                    return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                                   "The type of axis index is expected to be an integer (dynamic_axes['%s'] has "
                                   "the key '%s')",
                                   key, val->keys[j]);
                if (val->items[j]->kind != OX_JSON_STRING)
                    return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                                   "dynamic_axes['%s']: the name of axis %s must be a string", key, val->keys[j]);
                int at = n;
                for (int m = 0; m < n; m++)
                    if (axes[m].axis == axis) at = m; /* a repeated key: the last one wins, as in a dict */
                axes[at] = (ox_dynamic_axis){axis, val->items[j]->string};
                if (at == n) n++;
            }
        } else if (val->kind == OX_JSON_ARRAY) {
            /* torch's text, without a space after "input." */
            ox_warn(ctx, "No names were found for specified dynamic axes of provided input.Automatically "
                         "generated names will be applied to each dynamic axes of input %s",
                    key);
            for (size_t j = 0; j < val->count; j++) {
                const ox_json *x = val->items[j];
                if (x->kind != OX_JSON_NUMBER || !x->is_int)
                    return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                                   "The type of axis index is expected to be an integer");
                bool dup = false;
                for (int m = 0; m < n && !dup; m++) dup = axes[m].axis == x->integer;
                if (dup) {
                    ox_warn(ctx, "Duplicate dynamic axis index %lld was provided for input %s.",
                            (long long)x->integer, key);
                    continue;
                }
                const char *name = ox_arena_printf(ctx->arena, "%s_dynamic_axes_%zu", key, j + 1);
                if (!name) return OX_NOMEM(ctx);
                axes[n++] = (ox_dynamic_axis){x->integer, name};
            }
        } else {
            return ox_fail(ctx, ONNXIFY_ERR_INVALID_ARGUMENT,
                           "dynamic_axes['%s'] must be an object {axis: name} or a list of axes, not %s", key,
                           ox_json_kind_name(val->kind));
        }
        e->axes = axes;
        e->naxes = n;
    }
    s->dynamic_axes = entries;
    s->n_dynamic_axes = v->count;
    return OX_OK;
}

/* The training flag of the export (GLOBALS.export_training): TRAINING, or
 * PRESERVE of a model captured in training mode. */
static void decide_training(ox_ctx *ctx, bool model_training, ox_export_settings *s)
{
    s->training = s->training_mode == ONNXIFY_TRAINING_TRAIN ||
                  (s->training_mode == ONNXIFY_TRAINING_PRESERVE && model_training);
    if (s->training && s->opset < 12)
        ox_warn(ctx, "You are exporting the model in training mode with onnx opset version %d. Opset versions "
                     "lower than opset 12 will not be able to export nodes such as Dropout and BatchNorm "
                     "correctly.", s->opset);
}

/* One export into ex->result (chunked or contiguous). On success the
 * export's arena stays alive in ex->model_arena (chunks may point into it). */
static onnxify_status run_export(onnxify_exporter *ex, const char *graph_json, size_t graph_len,
                                 const uint8_t *weights, size_t weights_len, const onnxify_options *opt,
                                 bool chunked)
{
    ox_buffer_reset(&ex->result);
    ex->result.chunked = chunked;
    ox_arena_free(ex->model_arena);
    ex->model_arena = NULL;
    onnxify_options defaults;
    if (!opt) {
        onnxify_options_init(&defaults);
        opt = &defaults;
    }
    ox_arena *arena = ox_arena_new();
    if (!arena) return set_error(ex, ONNXIFY_ERR_OUT_OF_MEMORY, "out of memory");
    ox_ctx ctx;
    ox_ctx_init(&ctx, arena);
    ctx.log = opt->log;
    ctx.log_user = opt->log_user;
    ctx.opt = opt;

    ox_graph_description desc;
    ox_export_settings s;
    ox_status st = decide_settings(&ctx, opt, &s);
    if (st == OX_OK) st = ox_read_graph_description(&ctx, graph_json, graph_len, weights, weights_len, &desc);
    ox_graph *onnx = NULL;
    if (st == OX_OK) {
        decide_training(&ctx, desc.model_training, &s);
        ctx.opset = s.opset;
        st = decide_dynamic_axes(&ctx, opt, desc.graph, &s);
        if (st == OX_OK) st = ox_run_pipeline(desc.graph, &s, opt, &onnx);
    }
    if (st == OX_OK) {
        ox_serialize_options so;
        ox_serialize_options_init(&so);
        so.strip_doc = !s.verbose;
        so.custom_opsets = s.custom_opsets;
        so.n_custom_opsets = s.n_custom_opsets;
        /* torch runs the checker only for the plain ONNX export type; it
         * checks the model as built, before packing (no second copy). */
        so.check = s.export_type == ONNXIFY_OPERATOR_EXPORT_ONNX;
        st = ox_serialize_model(onnx, &s, &so, &ex->result);
    }
    /* A failure parked but not returned is still a failure: no model then. */
    if (st == OX_OK && ctx.status != OX_OK) st = ctx.status;
    if (st == OX_OK) {
        set_error(ex, OX_OK, NULL);
        ex->model_arena = arena;
    } else {
        ox_buffer_reset(&ex->result);
        take_ctx_error(ex, &ctx);
        ox_arena_free(arena);
    }
    ox_ctx_release(&ctx);
    return st;
}

onnxify_status onnxify_export(onnxify_exporter *ex, const char *graph_json, size_t graph_len,
                              const uint8_t *weights, size_t weights_len, const onnxify_options *opt,
                              const uint8_t **out, size_t *out_len)
{
    if (!ex) return ONNXIFY_ERR_INVALID_ARGUMENT;
    if (out) *out = NULL;
    if (out_len) *out_len = 0;
    if (!out || !out_len) return set_error(ex, ONNXIFY_ERR_INVALID_ARGUMENT, "out and out_len are required");
    if (!graph_json) return set_error(ex, ONNXIFY_ERR_INVALID_ARGUMENT, "graph_json is required");
    onnxify_status st = run_export(ex, graph_json, graph_len, weights, weights_len, opt, false);
    if (st != OX_OK) return st;
    /* The bytes are self-contained: the arena is not needed any more. */
    ox_arena_free(ex->model_arena);
    ex->model_arena = NULL;
    *out = ex->result.data;
    *out_len = ex->result.len;
    return OX_OK;
}

onnxify_status onnxify_export_chunks(onnxify_exporter *ex, const char *graph_json, size_t graph_len,
                                     const uint8_t *weights, size_t weights_len, const onnxify_options *opt,
                                     const onnxify_chunk **chunks, size_t *n_chunks)
{
    if (!ex) return ONNXIFY_ERR_INVALID_ARGUMENT;
    if (chunks) *chunks = NULL;
    if (n_chunks) *n_chunks = 0;
    if (!chunks || !n_chunks)
        return set_error(ex, ONNXIFY_ERR_INVALID_ARGUMENT, "chunks and n_chunks are required");
    if (!graph_json) return set_error(ex, ONNXIFY_ERR_INVALID_ARGUMENT, "graph_json is required");
    onnxify_status st = run_export(ex, graph_json, graph_len, weights, weights_len, opt, true);
    if (st != OX_OK) return st;
    size_t n = ex->result.nsegs;
    if (n > ex->chunks_cap) {
        onnxify_chunk *p = realloc(ex->chunks, n * sizeof(*p));
        if (!p) return set_error(ex, ONNXIFY_ERR_OUT_OF_MEMORY, "out of memory");
        ex->chunks = p;
        ex->chunks_cap = n;
    }
    for (size_t i = 0; i < n; i++) ex->chunks[i].data = ox_buffer_segment(&ex->result, i, &ex->chunks[i].size);
    *chunks = ex->chunks;
    *n_chunks = n;
    return OX_OK;
}

onnxify_status ox_exporter_set_error(onnxify_exporter *ex, onnxify_status st, const char *msg)
{
    return set_error(ex, st, msg);
}

void ox_exporter_keep_list(onnxify_exporter *ex, char *storage)
{
    free(ex->list);
    ex->list = storage;
}
