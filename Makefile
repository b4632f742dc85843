# The two set-up commands: `make run` (a node) and `make test` (every test).
# Both install what they need first.
BUILD ?= build
JOBS ?= 2
DATA ?= ./data

ASAN_BUILD ?= build-asan

.PHONY: all build run test test-asan bench clean

all: build

build:
	@scripts/install-deps.sh build
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)

run: build
	$(BUILD)/streamgate node --data-dir $(DATA)

# Every test, then the unit, integration and attack tests once more under
# AddressSanitizer and UBSan (label asan).
test:
	@scripts/install-deps.sh test
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && ctest --output-on-failure --timeout 900
	$(MAKE) test-asan

test-asan:
	@scripts/install-deps.sh test
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSG_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$(CURDIR)/tests/ubsan.supp \
	  ctest -L asan --output-on-failure --timeout 900

bench:
	@scripts/install-deps.sh bench
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)
	STREAMGATE_BIN=$(BUILD)/streamgate bash bench/run.sh $(BENCH)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
