// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package processes

import (
	"os"
	"path/filepath"
)

// FilebeatBinary returns bin/filebeat (Filebeat 7.17, the Beats most fleets run), building it
// from tools/filebeat when it is missing (make filebeat).
func FilebeatBinary(root string) (string, error) {
	return toolBinary(root, "filebeat", "github.com/elastic/beats/v7/filebeat", "github.com/elastic")
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
