// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package configs

import (
	"embed"
	"regexp"
	"slices"
	"strings"
)

//go:embed *.yaml
var shipped embed.FS

// File is one shipped configuration, as its header describes it.
type File struct {
	Name string
	// Summary is the header's first sentence.
	Summary string
	// Overlay reports whether the file is merged over another (--config base --config overlay).
	Overlay bool
	// Required lists the environment variables the header marks "(required)".
	Required []string
}

// Files describes every shipped configuration, from the headers that document it.
func Files() []File {
	entries, _ := shipped.ReadDir(".")
	var files []File
	for _, e := range entries {
		text, _ := shipped.ReadFile(e.Name())
		files = append(files, Describe(e.Name(), string(text)))
	}
	return files
}

// Text returns a shipped configuration's content.
func Text(name string) (string, error) {
	b, err := shipped.ReadFile(name)
	return string(b), err
}

var requiredLine = regexp.MustCompile(`^#\s+([A-Z][A-Z0-9_]*)\s+\(required\)`)

// Describe reads a configuration's header: its first sentence, whether it is an overlay
// ("# Overlay: ..."), and the variables marked "(required)" in lines of the form
// "#   NAME   (required)   what it is". Any configuration written that way can be described.
func Describe(name, text string) File {
	f := File{Name: name}
	var summary []string
	inFirstParagraph := true
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "#") {
			break
		}
		body := strings.TrimSpace(strings.TrimPrefix(line, "#"))
		if body == "" {
			inFirstParagraph = false
		} else if inFirstParagraph {
			summary = append(summary, body)
		}
		if m := requiredLine.FindStringSubmatch(line); m != nil && !slices.Contains(f.Required, m[1]) {
			f.Required = append(f.Required, m[1])
		}
	}
	s := strings.Join(summary, " ")
	s, f.Overlay = strings.CutPrefix(s, "Overlay: ")
	if end := strings.Index(s, ". "); end >= 0 {
		s = s[:end]
	}
	f.Summary = strings.TrimPrefix(strings.TrimSuffix(s, "."), "otelcol-mlops ")
	return f
}

// envReference is ${env:NAME} or ${env:NAME:-default} outside comments.
var envReference = regexp.MustCompile(`\$\{env:([A-Za-z_][A-Za-z0-9_]*)(:-)?`)

// ReferencesWithoutDefault lists the variables text uses as ${env:NAME} with no default, in
// lines that are not comments: what the collector cannot start without.
func ReferencesWithoutDefault(text string) []string {
	var names []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, m := range envReference.FindAllStringSubmatch(line, -1) {
			if m[2] == "" && !slices.Contains(names, m[1]) {
				names = append(names, m[1])
			}
		}
	}
	return names
}
