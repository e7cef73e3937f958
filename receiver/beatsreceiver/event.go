// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package beatsreceiver

import (
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontopdata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/podservice"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/schema"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/timeparse"
)

// Attributes a Filebeat event's fields become (ECS names where the semantic conventions have
// none of their own; docs: README.md, "What an event becomes").
const (
	attrFilePath    = "log.file.path"
	attrFileOffset  = "log.offset"
	attrIOStream    = "log.iostream"
	attrInputType   = "input.type"
	attrFields      = "fields"
	attrTags        = "tags"
	AttrDecodeError = "beats.decode_error"
	jsonMaxDepth    = 64
)

// kubernetesFields maps the kubernetes.* metadata of add_kubernetes_metadata (and of the
// container input's autodiscovery) to the resource attributes k8s_attributes writes.
var kubernetesFields = map[string]string{
	"pod.name": "k8s.pod.name", "pod.uid": "k8s.pod.uid", "namespace": "k8s.namespace.name",
	"node.name": "k8s.node.name", "container.name": "k8s.container.name",
	"deployment.name": "k8s.deployment.name", "replicaset.name": "k8s.replicaset.name",
	"statefulset.name": "k8s.statefulset.name", "daemonset.name": "k8s.daemonset.name",
	"job.name": "k8s.job.name", "cronjob.name": "k8s.cronjob.name",
}

// resourceObjects are the event's objects that describe where it came from; their leaves
// become resource attributes under their ECS names (host.*, container.*, cloud.*, agent.*),
// which are also the semantic conventions' names for most of them.
var resourceObjects = map[string]bool{"host": true, "container": true, "cloud": true, "agent": true}

// dropped are Beats' own bookkeeping fields, which Logstash does not index either.
var dropped = map[string]bool{"@metadata": true, "ecs": true}

// decodeEvent turns one Filebeat event (its JSON, as shipped) into a log record of ld,
// under a resource shared with the previous event when they come from the same place.
func decodeEvent(raw []byte, ld plog.Logs, observed pcommon.Timestamp) error {
	ev := pcommon.NewMap()
	if _, err := jsontopdata.ParseObject(string(raw), ev, jsonMaxDepth); err != nil {
		return err
	}
	resource := pcommon.NewMap()
	rec := plog.NewLogRecord()
	rec.SetObservedTimestamp(observed)
	attrs := rec.Attributes()
	app := pcommon.NewMap() // the application's own fields: JSON Filebeat decoded under root
	var message pcommon.Value
	hasMessage := false
	ev.Range(func(k string, v pcommon.Value) bool {
		switch {
		case dropped[k]:
		case k == "@timestamp":
			if t, _, err := timeparse.String(v.AsString(), time.UTC); err == nil {
				rec.SetTimestamp(pcommon.NewTimestampFromTime(t))
			} else {
				v.MoveTo(attrs.PutEmpty("beats.@timestamp"))
			}
		case k == "message":
			message, hasMessage = v, true
		case k == "json" && v.Type() == pcommon.ValueTypeMap: // keys_under_root: false
			v.Map().MoveTo(app)
		case k == "log" && v.Type() == pcommon.ValueTypeMap:
			decodeLog(v.Map(), attrs)
		case k == "kubernetes" && v.Type() == pcommon.ValueTypeMap:
			decodeKubernetes(v.Map(), resource)
		case resourceObjects[k] && v.Type() == pcommon.ValueTypeMap:
			flatten(k, v.Map(), resource)
		case k == "input" && v.Type() == pcommon.ValueTypeMap:
			if t, ok := v.Map().Get("type"); ok {
				attrs.PutStr(attrInputType, t.AsString())
			}
		case k == "stream":
			attrs.PutStr(attrIOStream, v.AsString())
		case k == "fields", k == "tags", k == "event":
			v.MoveTo(attrs.PutEmpty(k))
		case k == "error" && v.Type() == pcommon.ValueTypeMap:
			// json.add_error_key: the line was not the JSON the input expected
			msg, _ := v.Map().Get("message")
			attrs.PutStr(AttrDecodeError, msg.AsString())
		default:
			v.MoveTo(app.PutEmpty(k))
		}
		return true
	})
	switch {
	case app.Len() == 0 && hasMessage:
		message.MoveTo(rec.Body())
	case app.Len() > 0:
		if _, ok := app.Get("message"); !ok && hasMessage {
			message.MoveTo(app.PutEmpty("message"))
		}
		app.MoveTo(rec.Body().SetEmptyMap())
	}
	podservice.SetServiceName(resource)
	if _, named := resource.Get("service.name"); !named {
		// No pod or container says who wrote the line: the line itself may (the ML log
		// schema's service field), as it does for a line read by the agent.
		if rec.Body().Type() == pcommon.ValueTypeMap {
			if svc, ok := rec.Body().Map().Get(schema.FieldService); ok && svc.Type() == pcommon.ValueTypeStr && svc.Str() != "" {
				resource.PutStr("service.name", svc.Str())
			}
		}
	}
	appendRecord(ld, resource, rec)
	return nil
}

func decodeLog(log pcommon.Map, attrs pcommon.Map) {
	log.Range(func(k string, v pcommon.Value) bool {
		switch {
		case k == "file" && v.Type() == pcommon.ValueTypeMap:
			if p, ok := v.Map().Get("path"); ok {
				attrs.PutStr(attrFilePath, p.AsString())
			}
		case k == "offset":
			v.MoveTo(attrs.PutEmpty(attrFileOffset))
		default:
			v.MoveTo(attrs.PutEmpty("log." + k))
		}
		return true
	})
}

func decodeKubernetes(k8s pcommon.Map, resource pcommon.Map) {
	flat := pcommon.NewMap()
	flatten("", k8s, flat)
	flat.Range(func(k string, v pcommon.Value) bool {
		if name, ok := kubernetesFields[k]; ok {
			resource.PutStr(name, v.AsString())
		} else if label, ok := strings.CutPrefix(k, "labels."); ok {
			resource.PutStr(podservice.LabelPrefix+label, v.AsString())
		} else if annotation, ok := strings.CutPrefix(k, "annotations."); ok {
			resource.PutStr("k8s.pod.annotation."+annotation, v.AsString())
		} else {
			v.CopyTo(resource.PutEmpty("kubernetes." + k))
		}
		return true
	})
}

// flatten puts m's leaves into dst under prefix.key.path; lists stay lists.
func flatten(prefix string, m pcommon.Map, dst pcommon.Map) {
	m.Range(func(k string, v pcommon.Value) bool {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if v.Type() == pcommon.ValueTypeMap {
			flatten(key, v.Map(), dst)
		} else {
			v.CopyTo(dst.PutEmpty(key))
		}
		return true
	})
}

// appendRecord adds rec under resource, reusing the last resource of ld when it is the same.
func appendRecord(ld plog.Logs, resource pcommon.Map, rec plog.LogRecord) {
	rls := ld.ResourceLogs()
	var sl plog.ScopeLogs
	if n := rls.Len(); n > 0 && rls.At(n-1).Resource().Attributes().Equal(resource) {
		sl = rls.At(n - 1).ScopeLogs().At(0)
	} else {
		rl := rls.AppendEmpty()
		resource.MoveTo(rl.Resource().Attributes())
		sl = rl.ScopeLogs().AppendEmpty()
		sl.Scope().SetName(scopeName)
	}
	rec.MoveTo(sl.LogRecords().AppendEmpty())
}
