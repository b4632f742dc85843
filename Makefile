# The two set-up commands: `make run` (a node) and `make test` (every test).
# Both install what they need first.
BUILD ?= build
JOBS ?= 2
DATA ?= ./data

.PHONY: all build run test bench clean

all: build

build:
	@scripts/install-deps.sh build
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/streamgate node --data-dir $(DATA)

test:
	@scripts/install-deps.sh test
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && ctest --output-on-failure --timeout 900

bench:
	@scripts/install-deps.sh bench
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)
	STREAMGATE_BIN=$(BUILD)/streamgate bash bench/run.sh $(BENCH)

clean:
	rm -rf $(BUILD)
