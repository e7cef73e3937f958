// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package main

// This file is ours, not ocb's: the log line of an export interrupted by shutdown, told truly.

import (
	"context"
	"strings"

	"go.opentelemetry.io/collector/confmap"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// exporterhelper (v0.152.0, internal/queue_sender.go) logs every export that ends in an error
// as "Exporting failed. Dropping data." at error level with a stack trace, including one
// interrupted by shutdown ("interrupted due to shutdown: ..."). A persistent queue does not
// drop such a request: it leaves it in storage and sends it after the next start
// (queue/persistent_queue.go, onDone). A memory queue does drop it, so only the lines of
// exporters with a persistent queue are rewritten.
const (
	droppingDataMessage    = "Exporting failed. Dropping data."
	shutdownErrorPrefix    = "interrupted due to shutdown"
	interruptedKeptMessage = "Export interrupted by shutdown; the request stays in the persistent queue and is sent after the next start."
	componentIDKey         = "otelcol.component.id"
)

// persistentQueueExporters resolves the configuration the command line names (the embedded
// default without --config) and returns the IDs of the exporters whose sending queue has a
// storage. An unresolvable configuration gives none: the collector reports it.
func persistentQueueExporters(args []string, resolver confmap.ResolverSettings) map[string]bool {
	resolver.URIs = configURIs(args, resolver.URIs)
	resolver.DefaultScheme = "env"
	r, err := confmap.NewResolver(resolver)
	if err != nil {
		return nil
	}
	conf, err := r.Resolve(context.Background())
	if err != nil {
		return nil
	}
	exporters, _ := conf.ToStringMap()["exporters"].(map[string]any)
	persistent := map[string]bool{}
	for id, cfg := range exporters {
		m, _ := cfg.(map[string]any)
		queue, _ := m["sending_queue"].(map[string]any)
		storage, _ := queue["storage"].(string)
		if storage != "" && !isFalse(queue["enabled"]) {
			persistent[id] = true
		}
	}
	return persistent
}

func isFalse(v any) bool {
	switch b := v.(type) {
	case bool:
		return !b
	case string:
		return strings.EqualFold(b, "false")
	}
	return false
}

// configURIs returns the --config values, or defaults when there are none.
func configURIs(args, defaults []string) []string {
	var uris []string
	for i := 1; i < len(args); i++ {
		if value, ok := strings.CutPrefix(args[i], "--config="); ok {
			uris = append(uris, value)
		} else if args[i] == "--config" && i+1 < len(args) {
			uris = append(uris, args[i+1])
			i++
		}
	}
	if len(uris) == 0 {
		return defaults
	}
	return uris
}

// interruptedExportCore rewrites exporterhelper's "Dropping data" line for an export that a
// shutdown interrupted in an exporter whose persistent queue keeps the request.
type interruptedExportCore struct {
	zapcore.Core
	persistent  map[string]bool
	componentID string
}

func keepInterruptedExportsTruthful(persistent map[string]bool) zap.Option {
	return zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return interruptedExportCore{Core: c, persistent: persistent}
	})
}

func (c interruptedExportCore) With(fields []zapcore.Field) zapcore.Core {
	id := c.componentID
	for _, f := range fields {
		if v, ok := componentIDOf(f); ok {
			id = v
		}
	}
	return interruptedExportCore{Core: c.Core.With(fields), persistent: c.persistent, componentID: id}
}

// componentIDOf finds the component ID in a field: the collector passes a component's
// attributes to its logger as one inline object field.
func componentIDOf(f zapcore.Field) (string, bool) {
	if f.Key == componentIDKey && f.Type == zapcore.StringType {
		return f.String, true
	}
	if f.Type != zapcore.InlineMarshalerType {
		return "", false
	}
	m, ok := f.Interface.(zapcore.ObjectMarshaler)
	if !ok {
		return "", false
	}
	enc := zapcore.NewMapObjectEncoder()
	if m.MarshalLogObject(enc) != nil {
		return "", false
	}
	id, ok := enc.Fields[componentIDKey].(string)
	return id, ok
}

func (c interruptedExportCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c interruptedExportCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	if c.persistent[c.componentID] && e.Message == droppingDataMessage && interruptedByShutdown(fields) {
		e.Message, e.Level, e.Stack = interruptedKeptMessage, zapcore.InfoLevel, ""
		fields = keptItems(fields)
	}
	return c.Core.Write(e, fields)
}

func interruptedByShutdown(fields []zapcore.Field) bool {
	for _, f := range fields {
		if err, ok := f.Interface.(error); ok && f.Type == zapcore.ErrorType && strings.HasPrefix(err.Error(), shutdownErrorPrefix) {
			return true
		}
	}
	return false
}

// keptItems renames dropped_items: the items are kept.
func keptItems(fields []zapcore.Field) []zapcore.Field {
	out := make([]zapcore.Field, len(fields))
	copy(out, fields)
	for i := range out {
		if out[i].Key == "dropped_items" {
			out[i].Key = "kept_items"
		}
	}
	return out
}
