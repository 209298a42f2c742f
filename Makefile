# icediag: build, test, benchmark and fuzz.
GO        ?= go
FUZZTIME  ?= 10s
BIN       ?= bin/icediag

.PHONY: build test race bench fuzz vet clean

build:
	$(GO) build -o $(BIN) ./cmd/icediag

# The test command of the README and of CI. Tests that compare with tshark
# skip themselves when tshark is not installed.
test:
	$(GO) vet ./...
	$(GO) test ./...

race:
	$(GO) test -race ./...

# Benchmarks of the per-packet hot paths, with allocations.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./decode/...

# Runs every native fuzz target for FUZZTIME each (make fuzz FUZZTIME=5m).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list='^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$t"; \
			$(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

vet:
	$(GO) vet ./...

clean:
	rm -rf bin
