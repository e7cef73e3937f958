// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package peers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// FilebeatBinary returns bin/filebeat (Filebeat 7.17, the Beats most fleets run), building it
// from tools/filebeat when it is missing (make filebeat).
func FilebeatBinary(root string) (string, error) {
	bin := filepath.Join(root, "bin", "filebeat")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmd := exec.Command("go", "build", "-o", bin, "github.com/elastic/beats/v7/filebeat")
	cmd.Dir = filepath.Join(root, "tools", "filebeat")
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GONOSUMDB=go.opentelemetry.io,github.com/open-telemetry,github.com/elastic")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building filebeat: %w\n%s", err, out)
	}
	return bin, nil
}

// StartFilebeat runs Filebeat with config (a filebeat.yml's text) in home, which holds its
// registry: a Filebeat restarted on the same home resumes where it was acknowledged.
func StartFilebeat(root, home, config string) (*Process, error) {
	bin, err := FilebeatBinary(root)
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(home, "filebeat.yml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		return nil, err
	}
	// -e: log to stderr; strict.perms off: the tests' files belong to whoever runs them.
	return StartProcess(home, nil, bin, "-e", "--strict.perms=false", "-c", cfg, "--path.home", home)
}
