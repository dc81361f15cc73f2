# The WebAssembly build: onnxify_core + src/wasm/*.c -> js/wasm/onnxify.{mjs,wasm}.
#
# Included by the top-level CMakeLists.txt when configured with emcmake. The whole
# WASM boundary is the two lists below: the C functions JS may call (the public API
# of include/onnxify.h, as is, plus two glue helpers from boundary.c) and the
# Emscripten runtime methods js/index.mjs uses. Keep them short; review them here.
#
# Emscripten 3.1.6 facts behind the flags (see TOOLCHAIN.md):
#  - ENVIRONMENT=web,worker + EXPORT_ES6: the only glue that loads under Node 20 too,
#    given the bytes as `wasmBinary` (js/loader.mjs does that).
#  - NODEJS_CATCH_EXIT/REJECTION=0: a library must not install process-wide handlers.
#  - TOTAL_STACK is this version's name for STACK_SIZE.
#  - emcc needs NODE_PATH=/usr/share/nodejs at -O1 and above (acorn).

set(ONNXIFY_WASM_EXPORTED_FUNCTIONS
    _onnxify_version
    _onnxify_status_name
    _onnxify_options_init
    _onnxify_options_from_json
    _onnxify_exporter_new
    _onnxify_exporter_free
    _onnxify_export
    _onnxify_export_chunks
    _onnxify_unconvertible_ops
    _onnxify_last_error
    _onnxify_wasm_options_size   # boundary.c: sizeof(onnxify_options)
    _onnxify_wasm_route_log      # boundary.c: opt->log = forward to Module.onnxifyLog
    _malloc
    _free)

set(ONNXIFY_WASM_RUNTIME_METHODS
    UTF8ToString
    HEAPU8)

list(JOIN ONNXIFY_WASM_EXPORTED_FUNCTIONS "," _onnxify_wasm_functions)
list(JOIN ONNXIFY_WASM_RUNTIME_METHODS "," _onnxify_wasm_runtime)

get_filename_component(ONNXIFY_JS_WASM_DIR "${CMAKE_CURRENT_LIST_DIR}/../../js/wasm" ABSOLUTE)

file(GLOB ONNXIFY_WASM_SOURCES CONFIGURE_DEPENDS "${CMAKE_CURRENT_LIST_DIR}/*.c")

add_executable(onnxify_wasm ${ONNXIFY_WASM_SOURCES})
target_link_libraries(onnxify_wasm PRIVATE onnxify_core)
target_compile_options(onnxify_wasm PRIVATE -O2)
set_target_properties(onnxify_wasm PROPERTIES OUTPUT_NAME onnxify SUFFIX ".mjs")

target_link_options(onnxify_wasm PRIVATE
    -O2
    -sMODULARIZE=1
    -sEXPORT_ES6=1
    -sEXPORT_NAME=createOnnxifyModule
    -sENVIRONMENT=web,worker
    -sALLOW_MEMORY_GROWTH=1
    -sMAXIMUM_MEMORY=4GB
    -sTOTAL_STACK=2MB
    -sNODEJS_CATCH_EXIT=0
    -sNODEJS_CATCH_REJECTION=0
    -sFILESYSTEM=0
    "-sEXPORTED_FUNCTIONS=${_onnxify_wasm_functions}"
    "-sEXPORTED_RUNTIME_METHODS=${_onnxify_wasm_runtime}")

# Relink when the glue's inputs change (the lists above live in this file).
set_property(TARGET onnxify_wasm APPEND PROPERTY LINK_DEPENDS "${CMAKE_CURRENT_LIST_FILE}")

# js/wasm/ is generated (gitignored): the npm package and the JS API load it from there.
add_custom_command(TARGET onnxify_wasm POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E make_directory "${ONNXIFY_JS_WASM_DIR}"
    COMMAND ${CMAKE_COMMAND} -E copy_if_different
            "$<TARGET_FILE_DIR:onnxify_wasm>/onnxify.mjs"
            "$<TARGET_FILE_DIR:onnxify_wasm>/onnxify.wasm"
            "${ONNXIFY_JS_WASM_DIR}/"
    COMMENT "Copying onnxify.mjs + onnxify.wasm into js/wasm/")
