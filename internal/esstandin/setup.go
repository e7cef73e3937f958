// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package esstandin

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// The shipped Elasticsearch resources and the names `make es-setup` installs them under.
const (
	PolicyName   = "ml-logs-policy"
	TemplateName = "ml-logs"
	policyFile   = "ml-logs-ilm-policy.json"
	templateFile = "ml-logs-index-template.json"
)

// installShipped installs configs/elasticsearch's ILM policy and index template on the cluster
// at baseURL with the same requests `make es-setup` sends, so whatever indexes into it after
// this runs against the shipped mappings.
func installShipped(baseURL, configDir string) error {
	for _, put := range []struct{ path, file string }{
		{"/_ilm/policy/" + PolicyName, policyFile},
		{"/_index_template/" + TemplateName, templateFile},
	} {
		body, err := os.ReadFile(filepath.Join(configDir, put.file))
		if err != nil {
			return err
		}
		status, answer, err := Put(baseURL+put.path, body)
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("PUT %s: %d: %s", put.path, status, answer)
		}
	}
	return nil
}

// Put sends body as JSON to url with PUT (a template, a policy) and returns the status and
// the answer.
func Put(url string, body []byte) (int, string, error) {
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	answer, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(answer), err
}

// StartShipped starts a stand-in on addr with the shipped policy and template installed from
// configDir (the repository's configs/elasticsearch).
func StartShipped(addr, configDir string) (*Server, error) {
	s, err := Start(addr)
	if err != nil {
		return nil, err
	}
	if err := installShipped(s.URL(), configDir); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}
