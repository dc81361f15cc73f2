# onnxify: the commands to use.
#
#   make test      install what is missing, build everything, run all tests
#   make demo      install, build, run examples/demo.mjs
#   make bench     install, build, run bench/run.mjs
#   make serve     serve the repository on 127.0.0.1 for the converter page web/
#                  (PORT=8000 by default; PORT=0 picks a free one); needs `make wasm`
#
# Single steps: setup native sanitize wasm fixtures fixtures-rnn zoo test-c test-js test-browser
# clean distclean
# Build trees: build/ (native Release; build/deps holds the protobuf-c sources
# for wasm, build/fixtures the generated test fixtures), build-asan/ (Debug with
# ONNXIFY_SANITIZE=ON), build-wasm/ (emcmake, Release). build/zoo holds the model-zoo
# fixtures.

MAKEFLAGS += --no-print-directory

PYTHON   := /usr/bin/python3
JOBS     := 2
CHROMIUM := /usr/bin/chromium

# Debian's emcc runs a JS optimizer that needs acorn from /usr/share/nodejs.
EMCC_NODE_PATH := /usr/share/nodejs

FIXTURE_SCRIPT := $(wildcard tools/make_fixtures.py)
FIXTURE_STAMP  := build/fixtures/.stamp
RNN_FIXTURE_SCRIPT := $(wildcard tools/make_rnn_fixtures.py)
RNN_FIXTURE_STAMP  := build/fixtures_rnn/.stamp
ZOO_SCRIPT     := $(wildcard tools/make_zoo.py)
ZOO_STAMP      := build/zoo/.stamp

.PHONY: all setup native sanitize wasm fixtures fixtures-inplace fixtures-rnn zoo test-c test-js test-browser test demo bench serve clean distclean

# Steps depend on each other in the listed order; keep it so under `make -j`.
.NOTPARALLEL:

all: native

setup:
	bash tools/setup.sh

native:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
	cmake --build build -j$(JOBS)

sanitize:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DONNXIFY_SANITIZE=ON
	cmake --build build-asan -j$(JOBS)

wasm: export NODE_PATH := $(EMCC_NODE_PATH)
wasm:
	emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release
	cmake --build build-wasm -j$(JOBS)

# Reference models exported by torch; redone only when the scripts change.
ifneq ($(FIXTURE_SCRIPT),)
fixtures: $(FIXTURE_STAMP)

$(FIXTURE_STAMP): $(wildcard tools/*.py)
	$(PYTHON) tools/make_fixtures.py build/fixtures
	@touch $@
else
fixtures:
	@echo "fixtures: tools/make_fixtures.py not present, nothing to generate"
endif

# The in-place assignment fixtures (tests/js/inplace.test.mjs); the script skips up-to-date models.
fixtures-inplace:
	$(PYTHON) tools/make_inplace_fixtures.py build/fixtures_inplace

# The recurrent layers of tests/js/rnn.test.mjs (LSTM, GRU, RNN, LSTMCell) exported by torch;
# redone only when the scripts change.
ifneq ($(RNN_FIXTURE_SCRIPT),)
fixtures-rnn: $(RNN_FIXTURE_STAMP)

$(RNN_FIXTURE_STAMP): $(wildcard tools/*.py)
	$(PYTHON) tools/make_rnn_fixtures.py build/fixtures_rnn
	@touch $@
else
fixtures-rnn:
	@echo "fixtures-rnn: tools/make_rnn_fixtures.py not present, nothing to generate"
endif

# The model zoo (tests/js/zoo.test.mjs): torchvision and transformer models exported by torch;
# redone only when the scripts change (tools/make_zoo.py also skips up-to-date models).
ifneq ($(ZOO_SCRIPT),)
zoo: $(ZOO_STAMP)

$(ZOO_STAMP): $(wildcard tools/*.py)
	$(PYTHON) tools/make_zoo.py build/zoo
	@touch $@
else
zoo:
	@echo "zoo: tools/make_zoo.py not present, nothing to generate"
endif

test-c: sanitize
	cd build-asan && ctest --output-on-failure

test-js:
	node --test tests/js/

# The JS API in Debian's Chromium (tests/browser/); skipped only without the browser.
test-browser:
	@if [ -e $(CHROMIUM) ]; then \
		echo "node --test tests/browser/"; node --test tests/browser/; \
	else \
		echo "test-browser: SKIPPED, $(CHROMIUM) is missing (apt-get install chromium)"; \
	fi

test: setup native sanitize wasm fixtures fixtures-inplace fixtures-rnn zoo test-c test-js test-browser

demo: setup native wasm
	node examples/demo.mjs

bench: setup native wasm
	node bench/run.mjs

# The in-browser converter (web/) and the API test page, served from the repository
# root on loopback only; prints http://127.0.0.1:PORT/web/. Ctrl-C stops it.
PORT ?= 8000
serve:
	@test -e js/wasm/onnxify.wasm || echo "serve: js/wasm/onnxify.wasm is missing: run \`make wasm\` first"
	node tests/browser/server.mjs . --port $(PORT)

# Build outputs go; build/deps (fetched sources) and node_modules stay.
clean:
	rm -rf build-asan build-wasm
	if [ -d build ]; then find build -mindepth 1 -maxdepth 1 ! -name deps -exec rm -rf {} +; fi

distclean: clean
	rm -rf build node_modules
