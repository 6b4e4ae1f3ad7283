# make run   : install, build, migrate and serve on 127.0.0.1:8080 (embedded database in ./var)
# make test  : the whole suite (PostgreSQL tests use a throwaway cluster when the server is installed;
#              Dovecot/Postfix/nft tests need those daemons, see .ci/run)

NPM_STAMP := node_modules/.install-stamp
SOURCES := $(shell find src bench test/helpers test/e2e/harness test/e2e/clients -name '*.ts' 2>/dev/null) tsconfig.json
BUILD_STAMP := dist/.build-stamp

.PHONY: run test e2e lint format build bench clean

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(BUILD_STAMP): $(NPM_STAMP) $(SOURCES)
	npx tsc -p tsconfig.json
	@chmod +x dist/src/main.js
	@touch $@

build: $(BUILD_STAMP)

run: build
	MAILAUTH_LOG_FORMAT=$${MAILAUTH_LOG_FORMAT:-pretty} node dist/src/main.js serve

test: build
	npx vitest run $(VITEST_ARGS)

e2e: build
	npx vitest run test/e2e

lint: $(NPM_STAMP)
	npx biome check .
	npx tsc --noEmit -p tsconfig.json
	npx tsc -p tsconfig.test.json

format: $(NPM_STAMP)
	npx biome check --write .

bench: build
	node dist/bench/run.js

clean:
	rm -rf dist node_modules/.install-stamp
