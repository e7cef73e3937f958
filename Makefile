# otelcol-mlops — see README.md. `make test` is what CI runs (after check-generated and lint).

GO            ?= go
GOBIN         := $(shell $(GO) env GOPATH)/bin
BIN           := bin/otelcol-mlops
OCB_VERSION   := v0.152.0
LINT_VERSION  := v2.15.0
OCB           := $(GOBIN)/builder
GOLANGCI_LINT := $(GOBIN)/golangci-lint
# ocb's files; main.go is ours (written from ocb's: cmd/otelcol-mlops/main.go says why).
GENERATED     := components.go main_others.go main_windows.go
BENCH_COUNT   ?= 6
FUZZ_TIME     ?= 30s

# The checksum database does not answer for the collector modules pinned here (README, "Development");
# go.sum is committed, so builds still verify every module.
export GONOSUMDB := go.opentelemetry.io,github.com/open-telemetry

.PHONY: help metadata test-allocs debian-deps build-static image all build run demo test test-unit bench lint fmt generate check-generated check-tidy clean tools test-js web fuzz jaeger filebeat kubernetes helm helm-render es-template es-setup

all: build

help: ## list the targets, one line each
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)$$/\1\t\2/' | awk -F'\t' '{printf "  %-16s %s\n", $$1, $$2}'

# CGO_ENABLED=0: a static binary (the image is FROM scratch; tests check it stays static).
build: ## the distribution, static, into bin/otelcol-mlops
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/otelcol-mlops

# The binary the image copies: static, for linux/amd64 (GOARCH=arm64 for Graviton/Ampere).
IMAGE         ?= ghcr.io/otelcol-mlops/otelcol-mlops:0.1.0
IMAGE_GOARCH  ?= amd64
build-static: ## the static linux binary the image copies (IMAGE_GOARCH=arm64 for ARM)
	CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGE_GOARCH) $(GO) build -trimpath -o bin/otelcol-mlops-linux-static ./cmd/otelcol-mlops

# Needs a Docker engine (none runs on the machines this repository is developed on).
image: build-static ## the container image (needs a Docker engine)
	docker build -t $(IMAGE) .

run: build ## build and start the embedded default (OTLP on 127.0.0.1:4317/4318, output in ./data)
	./$(BIN)

# The example incident end to end on this machine: Jaeger, pstest, the Elasticsearch stand-in,
# the gateway and the example stack's services; prints the failing job's trace, logs and exemplar.
demo: build jaeger debian-deps web ## the incident end to end on this machine, from a click in Chromium: Jaeger, Pub/Sub, Elasticsearch stand-in, gateways, agent
	$(GO) -C examples run ./demo

# Real Jaeger v2, from its own module (tools/jaeger) so its collector version stays apart.
jaeger: bin/jaeger ## build a real Jaeger v2 into bin/jaeger (its own module)

bin/jaeger: tools/jaeger/go.mod
	cd tools/jaeger && GOFLAGS=-mod=mod GONOSUMDB=$(GONOSUMDB),github.com/jaegertracing $(GO) build -o ../../bin/jaeger github.com/jaegertracing/jaeger/cmd/jaeger

# Real Filebeat 7.17 (the Beats most fleets run), from its own module (tools/filebeat): the
# beats receiver's tests ship through it.
filebeat: bin/filebeat ## build a real Filebeat 7.17 into bin/filebeat (its own module), for the tests

bin/filebeat: tools/filebeat/go.mod
	cd tools/filebeat && GOFLAGS=-mod=mod GONOSUMDB=$(GONOSUMDB),github.com/elastic $(GO) build -o ../../bin/filebeat github.com/elastic/beats/v7/filebeat

# A real Kubernetes API server over etcd, each from its own module, for the Kubernetes tier
# (tests/kubeapiserver_test.go): ~7 min for etcd and 15-30 min for kube-apiserver on 2 cold
# cores, seconds once Go's build cache is warm. The version variables are set as Kubernetes'
# own build sets them, or clients see v0.0.0-master.
KUBE_VERSION := v1.34.2
KUBE_LDFLAGS := $(foreach v,gitVersion=$(KUBE_VERSION) gitMajor=1 gitMinor=34,-X k8s.io/component-base/version.$(v))
kubernetes: bin/etcd bin/kube-apiserver ## build etcd and kube-apiserver into bin/ (their own modules), for the Kubernetes tier

bin/etcd: tools/etcd/go.mod
	cd tools/etcd && GOFLAGS=-mod=mod GONOSUMDB=$(GONOSUMDB),go.etcd.io $(GO) build -o ../../bin/etcd go.etcd.io/etcd/server/v3

bin/kube-apiserver: tools/kube-apiserver/go.mod
	cd tools/kube-apiserver && GOFLAGS=-mod=mod GONOSUMDB=$(GONOSUMDB),k8s.io $(GO) build -ldflags '$(KUBE_LDFLAGS)' -o ../../bin/kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver

# Helm, from its own module, to render the pinned upstream chart with deploy/helm's values.
helm: bin/helm ## build Helm into bin/helm (its own module)

# The chart version deploy/helm's values are written for, and its render with them kept in
# tests/testdata/helm (tests/helm_test.go holds it to deploy/kubernetes). HELM_CHART is a chart
# directory or .tgz (helm pull open-telemetry/opentelemetry-collector --version
# $(HELM_CHART_VERSION)), or the repository reference when `helm repo add` can reach it.
HELM_CHART_VERSION := 0.170.0
HELM_CHART ?= open-telemetry/opentelemetry-collector
helm-render: bin/helm ## render the pinned chart with deploy/helm's values into tests/testdata/helm
	@for r in agent gateway; do \
	  bin/helm template otelcol-mlops-$$r $(HELM_CHART) --version $(HELM_CHART_VERSION) -n observability \
	    -f deploy/helm/$$r-values.yaml > tests/testdata/helm/$$r.yaml || exit 1; \
	done

bin/helm: tools/helm/go.mod
	cd tools/helm && GOFLAGS=-mod=mod GONOSUMDB=$(GONOSUMDB),helm.sh $(GO) build -o ../../bin/helm helm.sh/helm/v3/cmd/helm

# Debian packages the tests run for real: Prometheus and promtool (deploy/prometheus).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
debian-deps: ## install Prometheus, promtool and Chromium with apt-get when missing
	@command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v chromium >/dev/null || \
	  (export DEBIAN_FRONTEND=noninteractive; $(SUDO) apt-get update -qq && \
	   $(SUDO) apt-get install -y -qq --no-install-recommends prometheus chromium)

# The libraries a service imports, as modules of their own, and the example service that shows
# what importing them costs (README, "Using the ID mapping in a service").
LIB_MODULES   := pkg/legacyid propagation/xtraceid examples/xtraceid-service
# Modules that use the distribution's module from this checkout and are never imported: the
# examples and the demo, the load benchmark, the end-to-end tests (README, "Modules").
CHECKOUT_MODULES := examples bench tests
MODULES       := . $(CHECKOUT_MODULES) $(LIB_MODULES)

# Unit, golden-file, integration and end-to-end tests (these build and start the binary,
# Jaeger and Prometheus, and run pstest and the Elasticsearch stand-in in process).
test: jaeger filebeat kubernetes debian-deps test-js web ## every test: unit, golden, integration, end to end (what CI runs, after lint)
	@for m in $(MODULES); do echo "test $$m"; (cd $$m && $(GO) test -race -count=1 -timeout 30m -tags e2e ./...) || exit 1; done
	$(MAKE) test-allocs

# The browser package (web/xtraceid): TypeScript compiled and run with node's test runner,
# npm dependencies exactly as the lockfile pins them.
test-js: ## the browser package's tests (npm ci, tsc, node --test)
	cd web/xtraceid && npm ci --no-audit --no-fund && npm test

# The example's training UI as a page (web/demo-page): the browser package built, the page bundled with
# the pinned esbuild; the demo and the browser tests serve web/demo-page/dist.
web: ## build the browser package and bundle the demo page into web/demo-page/dist
	cd web/xtraceid && npm ci --no-audit --no-fund && npm run build
	cd web/demo-page && npm ci --no-audit --no-fund && npm run build

# Zero-allocation guarantees of the hot paths, without -race (whose instrumentation allocates).
test-allocs: ## the zero-allocation guarantees of the hot paths, without -race
	$(GO) test -count=1 -run 'DoesNotAllocate' ./...
	cd pkg/legacyid && $(GO) test -count=1 -run 'DoesNotAllocate' ./...

# The fast inner loop: every package's own tests, without the binary, Jaeger or the
# end-to-end and reliability tests of tests/ (make test runs those too).
test-unit: ## the fast inner loop: every package except the end-to-end tests
	@for m in $(MODULES); do echo "test $$m"; (cd $$m && $(GO) test -race -count=1 ./...) || exit 1; done

bench: build ## Go benchmarks and the load benchmark of the shipped configs
	@rm -f bench.out; for m in . bench; do bash -o pipefail -c "cd $$m && $(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) ./... | tee -a $(CURDIR)/bench.out" || exit 1; done
	$(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da bench.out
	$(GO) -C bench run ./loadbench -duration 8s -rounds 3 -filelog-lines 100000

# Every fuzz target in the repository, found rather than listed so none is left out,
# FUZZ_TIME each (CI runs them briefly; run longer by hand). tools/fuzz.sh retries a run once
# when Go's coordinator ends it with its deadline race and no failing input (go.dev/issue/75804).
fuzz: ## every fuzz target for FUZZ_TIME each
	GO=$(GO) FUZZ_TIME=$(FUZZ_TIME) tools/fuzz.sh

# go.mod and go.sum as go mod tidy leaves them, in every module
# modules (-e: a few test-only modules of dependencies are missing from the proxy here; tidy
# still settles every requirement it can read). tools/ modules are built with -mod=mod.
check-tidy: ## fail when a module's go.mod or go.sum is not tidy
	@for m in $(MODULES); do (cd $$m && GOFLAGS=-mod=mod $(GO) mod tidy -e -diff >/dev/null 2>&1) || \
	  { echo "$$m: go.mod/go.sum not tidy: run go mod tidy -e there"; exit 1; }; done

lint: $(GOLANGCI_LINT) ## golangci-lint over every module
	@for m in $(MODULES); do echo "lint $$m"; (cd $$m && $(GOLANGCI_LINT) run ./...) || exit 1; done

fmt: ## gofmt the tracked Go files
	gofmt -w $$(git ls-files '*.go')

tools: $(OCB) $(GOLANGCI_LINT) ## install ocb and golangci-lint at their pinned versions

$(OCB):
	$(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

$(GOLANGCI_LINT):
	$(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(LINT_VERSION)

# ocb writes into a scratch folder; only its Go sources are kept (the root go.mod builds them).
generate: $(OCB) ## regenerate ocb's sources from builder-config.yaml
	@rm -rf .gen && mkdir -p .gen
	sed 's#output_path: ./cmd/otelcol-mlops#output_path: ./.gen#' builder-config.yaml > .gen/builder-config.yaml
	$(OCB) --config .gen/builder-config.yaml --skip-get-modules --skip-compilation
	cd .gen && gofmt -w $(GENERATED) && cp $(GENERATED) ../cmd/otelcol-mlops/
	@rm -rf .gen

# mdatagen from its own module (tools/mdatagen): v0.152.0 is not on the module proxy, v0.150.0
# is, and its output builds against v0.152.0. Each component's metadata.yaml → internal/metadata
# (type, stability) and the generated lifecycle and goleak tests.
MDATAGEN      := bin/mdatagen
METADATA_DIRS := receiver/pubsubtracereceiver receiver/beatsreceiver processor/traceidbridge processor/mlschema processor/ecsshape \
	connector/legacyspans connector/mlmetrics connector/inorder exporter/groupedlbexporter extension/backendcheckextension

$(MDATAGEN): tools/mdatagen/go.mod
	cd tools/mdatagen && GOFLAGS=-mod=mod $(GO) build -o ../../$(MDATAGEN) go.opentelemetry.io/collector/cmd/mdatagen

metadata: $(MDATAGEN) ## regenerate mdatagen's output from each component's metadata.yaml
	@for d in $(METADATA_DIRS); do (cd $$d && ../../$(MDATAGEN) metadata.yaml) || exit 1; done

check-generated: $(OCB) $(MDATAGEN) ## fail when generated code differs from what is committed
	@$(MAKE) --no-print-directory metadata
	@git diff --exit-code --stat -- $(addsuffix /internal/metadata,$(METADATA_DIRS)) $(addsuffix /README.md,$(METADATA_DIRS)) '*/generated_*_test.go' '*/documentation.md' \
		|| (echo "mdatagen output differs from what is committed: run make metadata"; exit 1)
	@rm -rf .gen && mkdir -p .gen
	@sed 's#output_path: ./cmd/otelcol-mlops#output_path: ./.gen#' builder-config.yaml > .gen/builder-config.yaml
	@$(OCB) --config .gen/builder-config.yaml --skip-get-modules --skip-compilation >/dev/null 2>&1
	@cd .gen && gofmt -w $(GENERATED)
	@for f in $(GENERATED); do \
		diff -u .gen/$$f cmd/otelcol-mlops/$$f || { echo "cmd/otelcol-mlops/$$f is stale: run make generate"; rm -rf .gen; exit 1; }; \
	done
	@rm -rf .gen
	@echo "generated sources match builder-config.yaml"

# The Elasticsearch index template is generated from pkg/schema (a test checks it is current).
es-template: ## write the Elasticsearch index template from pkg/schema
	$(GO) run ./internal/gen/estemplate configs/elasticsearch/ml-logs-index-template.json

# Install the ILM policy and index template on a real cluster:
#   make es-setup ES_URL=https://es.example:9200 ES_API_KEY=... [ES_CA_FILE=ca.pem]
ES_URL ?= https://127.0.0.1:9200
ES_CURL = curl -fsS $(if $(ES_CA_FILE),--cacert $(ES_CA_FILE)) $(if $(ES_API_KEY),-H "Authorization: ApiKey $(ES_API_KEY)") -H 'Content-Type: application/json'
es-setup: ## install the template and ILM policy into ES_ENDPOINT
	$(ES_CURL) -X PUT "$(ES_URL)/_ilm/policy/ml-logs-policy" -d @configs/elasticsearch/ml-logs-ilm-policy.json
	@echo
	$(ES_CURL) -X PUT "$(ES_URL)/_index_template/ml-logs" -d @configs/elasticsearch/ml-logs-index-template.json
	@echo

clean: ## remove build outputs
	rm -rf bin .gen data bench.out loadbench otelcol-mlops demo
