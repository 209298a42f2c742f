# icediag: build, test, benchmark and fuzz.
GO        ?= go
FUZZTIME  ?= 10s
BIN       ?= bin/icediag

.PHONY: build test race bench fuzz vet clean lab

build:
	$(GO) build -o $(BIN) ./cmd/icediag

# The test command of the README and of CI: every test with the race
# detector, then the lab module's tests (its committed captures against
# their ground truth). Tests that compare with tshark skip themselves when
# tshark is not installed; live-capture tests that need root skip without it.
test:
	$(GO) vet ./...
	$(GO) test -race -timeout 30m ./...
	cd pcaps/lab && $(GO) vet ./... && $(GO) test ./...

race:
	$(GO) test -race -timeout 30m ./...

# Benchmarks of the per-packet hot paths (decoding, and the analysis' RTP
# accounting and check matching in ice), with allocations; then the whole
# analysis against reading the file and against tshark on generated captures
# (scripts/benchcmp, docs/performance.md): medians of BENCHRUNS runs, tshark
# once on the 1 GiB capture. About 8 minutes on 2 cores.
BENCHRUNS  ?= 3
BENCHSIZES ?= 250MB,1GB
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./decode/... ./ice/...
	$(GO) run ./scripts/benchcmp --runs $(BENCHRUNS) --sizes $(BENCHSIZES)

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

# Regenerates the scenario lab's captures (needs root, coturn, tcpdump, tshark,
# nftables): real calls in network namespaces, proved against scenario.json.
lab:
	@command -v turnserver >/dev/null && command -v tcpdump >/dev/null && command -v nft >/dev/null && command -v tshark >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coturn tcpdump nftables tshark iproute2)
	cd pcaps/lab && $(GO) run ./cmd/lab -all
	cd pcaps/lab && $(GO) test ./...
