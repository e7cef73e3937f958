// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Program otelcol-mlops is an OpenTelemetry Collector binary.
//
// This file is ours, written from the main.go ocb v0.152.0 generates (make generate leaves it
// alone; the other files of this folder are ocb's). It differs in two places, marked
// "otelcol-mlops:": the embedded configs/local.yaml is the configuration when no --config is
// given (the collector replaces preset URIs with the --config flags), the process exits
// within OTELCOL_MLOPS_SHUTDOWN_TIMEOUT of SIGTERM, and an unset environment variable without
// a default is an error naming it (requiredenv.go), and an export that shutdown interrupts is
// not logged as dropped when a persistent queue keeps it (shutdownlog.go), and feature gates
// the distribution's guarantees need are on by default (featuregates.go). ocb's main.go has
// no hook for these.
package main

import (
	"os"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	envprovider "go.opentelemetry.io/collector/confmap/provider/envprovider"
	fileprovider "go.opentelemetry.io/collector/confmap/provider/fileprovider"
	yamlprovider "go.opentelemetry.io/collector/confmap/provider/yamlprovider"
	"go.opentelemetry.io/collector/otelcol"

	"github.com/otelcol-mlops/otelcol-mlops/configs"
)

func main() {
	enableDefaultFeatureGates()
	set := collectorSettings()
	// otelcol-mlops: name every missing variable at once, before the collector names the first.
	if cmd := subcommand(os.Args); cmd == "" || cmd == "validate" {
		if missing := missingVariables(os.Args, os.LookupEnv, os.ReadFile); len(missing) > 0 {
			reportMissingVariables(os.Stderr, missing)
			os.Exit(1)
		}
	}
	if subcommand(os.Args) == "" {
		if !givesConfig(os.Args) {
			announceEmbeddedDefault(os.Stderr, os.Getenv(configs.DataDirEnv))
		}
		// otelcol-mlops: bound the time from SIGTERM to exit.
		enforceShutdownDeadline(os.Stderr, os.Getenv(shutdownTimeoutEnv))
		// otelcol-mlops: no "Dropping data" for what a persistent queue keeps across shutdown.
		set.LoggingOptions = append(set.LoggingOptions,
			keepInterruptedExportsTruthful(persistentQueueExporters(os.Args, set.ConfigProviderSettings.ResolverSettings)))
	}

	if err := run(set); err != nil {
		// The error message is logged by cobra, so we intentionally
		// avoid logging it again here to prevent duplicate output.
		os.Exit(1)
	}
}

func collectorSettings() otelcol.CollectorSettings {
	info := component.BuildInfo{
		Command:     "otelcol-mlops",
		Description: "OpenTelemetry Collector distribution for ML systems that speak legacy correlation IDs",
		Version:     "0.1.0",
	}

	set := otelcol.CollectorSettings{
		BuildInfo: info,
		Factories: components,
		ConfigProviderSettings: otelcol.ConfigProviderSettings{
			ResolverSettings: confmap.ResolverSettings{
				ProviderFactories: []confmap.ProviderFactory{
					// otelcol-mlops: an unset variable without a default is an error naming it.
					newRequiredEnvProviderFactory(),
					fileprovider.NewFactory(),
					yamlprovider.NewFactory(),
				},
			},
		},
		ProviderModules: map[string]string{
			envprovider.NewFactory().Create(confmap.ProviderSettings{}).Scheme():  "go.opentelemetry.io/collector/confmap/provider/envprovider v1.58.0",
			fileprovider.NewFactory().Create(confmap.ProviderSettings{}).Scheme(): "go.opentelemetry.io/collector/confmap/provider/fileprovider v1.58.0",
			yamlprovider.NewFactory().Create(confmap.ProviderSettings{}).Scheme(): "go.opentelemetry.io/collector/confmap/provider/yamlprovider v1.58.0",
		},
		ConverterModules: []string{},
	}
	// otelcol-mlops: run (or validate) the embedded default when no --config is given.
	set.ConfigProviderSettings.ResolverSettings.URIs = []string{embeddedDefaultURI()}
	return set
}

func runInteractive(params otelcol.CollectorSettings) error {
	cmd := otelcol.NewCommand(params)
	cmd.Long = helpText(configs.Files()) // otelcol-mlops: --help says what runs without --config
	if err := cmd.Execute(); err != nil {
		return err
	}

	return nil
}
