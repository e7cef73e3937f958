// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

// This file is ours, not ocb's: the distribution's env provider.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/confmap"
	envprovider "go.opentelemetry.io/collector/confmap/provider/envprovider"

	"github.com/otelcol-mlops/otelcol-mlops/configs"
)

// requiredEnvProvider resolves ${env:NAME} as the collector's env provider does, with one
// difference: a variable that is unset and has no default (${env:NAME:-default}) is an error
// that names it. The upstream provider substitutes an empty string and logs a warning before
// logging is set up, so a forgotten CLOUD_LOGGING_SUBSCRIPTION surfaced as
// "subscriptions[0].name: must not be empty" from a component that cannot know which variable
// fed it. A configuration that wants "empty when unset" writes ${env:NAME:-}.
type requiredEnvProvider struct {
	confmap.Provider
}

func newRequiredEnvProviderFactory() confmap.ProviderFactory {
	return confmap.NewProviderFactory(func(set confmap.ProviderSettings) confmap.Provider {
		return requiredEnvProvider{Provider: envprovider.NewFactory().Create(set)}
	})
}

func (p requiredEnvProvider) Retrieve(ctx context.Context, uri string, watcher confmap.WatcherFunc) (*confmap.Retrieved, error) {
	name, ok := strings.CutPrefix(uri, p.Scheme()+":")
	if ok && !strings.Contains(name, ":-") {
		if _, set := os.LookupEnv(name); !set {
			return nil, fmt.Errorf("environment variable %s is not set and the configuration gives it no default: set it "+
				"(each config file's header lists what it needs; otelcol-mlops --help lists the shipped files), "+
				"or write ${env:%s:-} in the configuration for an empty value", name, name)
		}
	}
	return p.Provider.Retrieve(ctx, uri, watcher)
}

// missingVariable is a variable a configuration file needs and the environment lacks.
type missingVariable struct {
	name, file string
}

// missingVariables lists, for the configuration files on the command line (--config path or
// file:path), every variable marked "(required)" in a file's header or referenced without a
// default, that is not set. The collector's resolver stops at the first; a user deploying an
// overlay wants all of them at once.
func missingVariables(args []string, lookup func(string) (string, bool), read func(string) ([]byte, error)) []missingVariable {
	var missing []missingVariable
	for _, path := range configFiles(args) {
		text, err := read(path)
		if err != nil {
			continue // the collector reports an unreadable file itself
		}
		needed := configs.Describe(path, string(text)).Required
		for _, name := range configs.ReferencesWithoutDefault(string(text)) {
			if !slices.Contains(needed, name) {
				needed = append(needed, name)
			}
		}
		for _, name := range needed {
			if _, set := lookup(name); !set {
				missing = append(missing, missingVariable{name: name, file: path})
			}
		}
	}
	return missing
}

// configFiles returns the file paths of the --config flags.
func configFiles(args []string) []string {
	var files []string
	for i := 1; i < len(args); i++ {
		value, ok := strings.CutPrefix(args[i], "--config=")
		if args[i] == "--config" && i+1 < len(args) {
			value, ok = args[i+1], true
			i++
		}
		if !ok {
			continue
		}
		if path, isFile := strings.CutPrefix(value, "file:"); isFile {
			files = append(files, path)
		} else if !strings.Contains(value, ":") || filepath.VolumeName(value) != "" {
			files = append(files, value)
		}
	}
	return files
}

func reportMissingVariables(w io.Writer, missing []missingVariable) {
	_, _ = fmt.Fprintln(w, "Error: the configuration needs environment variables that are not set:")
	for _, m := range missing {
		_, _ = fmt.Fprintf(w, "  %-30s (%s)\n", m.name, m.file)
	}
	_, _ = fmt.Fprintln(w, "Each file's header says what they are; otelcol-mlops --help lists the shipped configurations.")
}
