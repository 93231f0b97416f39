# pipeline — a sales-pipeline CRM in the terminal.
#
#   make run     install what is missing, build a release binary, open the board
#   make test    install what is missing, build, run every test (what CI runs) beside a
#                throwaway PostgreSQL server (Scripts/test-postgres.sh), stopped afterwards;
#                then the release binary's smoke run (Scripts/release-smoke.sh)
#   make pg-shell a shell with that throwaway server and its PIPELINE_TEST_PG* variables, for
#                running `swift test --filter Postgres…` by hand; the server goes when it exits
#   make build   debug build of every target
#   make deps    install the Debian packages the build and the tests need, if missing
#   make bench   release build, then the figures of Docs/benchmarks.md (SIZES=10000,100000,
#                PARTS=postgres for the PostgreSQL column and the team under load alone)
#   make torture the long torture runs: 2,000 kills of a writer, 5,000 actions per writer
#   make screens write the screen gallery (Docs/screens/) again; review the diff like code
#   make clean   remove build output
#
# Everything else a fresh Debian machine needs is the Swift toolchain.

SWIFT        ?= swift
APT_PACKAGES := libncurses-dev libsqlite3-dev pkg-config tmux postgresql libpq-dev
RELEASE_BIN  := .build/release/pipeline

SIZES        ?= 10000,100000,1000000
# sqlite: a column per size; postgres: a column at the largest size on a throwaway server
# (Scripts/test-postgres.sh run --durable) and a team of 50 writers under load.
PARTS        ?= sqlite,postgres,range

.PHONY: all deps build release run test pg-shell bench torture screens clean

all: build

# Installs only what is missing, so a warm run costs one dpkg query per package.
deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run: release
	$(RELEASE_BIN) $(ARGS)

test: deps
	$(SWIFT) build --build-tests
	Scripts/test-postgres.sh run $(SWIFT) test --skip-build
	$(SWIFT) build -c release --product pipeline
	Scripts/test-postgres.sh run Scripts/release-smoke.sh $(RELEASE_BIN)

pg-shell: deps
	Scripts/test-postgres.sh run $${SHELL:-/bin/bash}

bench: release
	python3 Benchmarks/bench.py --sizes $(SIZES) --parts $(PARTS)

torture: deps
	$(SWIFT) build --build-tests
	PIPELINE_TORTURE_KILLS=2000 PIPELINE_TORTURE_ACTIONS=5000 PIPELINE_FUZZ_EVENTS=1000000 \
	  $(SWIFT) test --skip-build --filter 'Torture|Fuzz'

# Every view and pane at 80×24, 120×30 and 200×50, in English and Vietnamese. `make test`
# draws them again and fails when one differs from its file or breaks a rule of ScreenRules.
screens: deps
	$(SWIFT) build --build-tests
	RECORD_SNAPSHOTS=1 $(SWIFT) test --skip-build --filter 'ScreenGallery'

clean:
	rm -rf .build
