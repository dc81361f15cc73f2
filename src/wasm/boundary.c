/*
 * The Emscripten boundary. JS calls the public API of include/onnxify.h as
 * is (the exported list is in wasm.cmake); this file only adds the two things
 * JS cannot do on its own, and holds no logic:
 *
 *   - know sizeof(onnxify_options), to malloc one;
 *   - point opt->log at a C function that hands each log line to the JS
 *     function the wrapper installs as Module.onnxifyLog (js/index.mjs), so
 *     `onLog` works without a growable function table.
 */
#include <emscripten.h>

#include "onnxify.h"

EMSCRIPTEN_KEEPALIVE size_t onnxify_wasm_options_size(void)
{
    return sizeof(onnxify_options);
}

/* Runs inside the generated glue, where `Module` is this instance. */
EM_JS(void, onnxify_wasm_log_to_js, (int level, const char *message), {
    var log = Module["onnxifyLog"];
    if (log) log(level, message);
});

static void forward_log(void *user, onnxify_log_level level, const char *message)
{
    (void)user;
    onnxify_wasm_log_to_js((int)level, message);
}

EMSCRIPTEN_KEEPALIVE void onnxify_wasm_route_log(onnxify_options *opt)
{
    opt->log = forward_log;
    opt->log_user = NULL;
}
