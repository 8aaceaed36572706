# Thin wrapper over CMake: `make demo`, `make check`, `make bench`.
BUILD ?= build
SANITIZE ?=
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all deps configure build demo check bench clean

all: build

deps:
	@sh scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DSANITIZE="$(SANITIZE)" $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/intravisor -y examples/hello/hello.yaml

check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

bench: build
	cmake --build $(BUILD) --target bench

clean:
	rm -rf $(BUILD)
