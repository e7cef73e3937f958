package pubsubtracereceiver

import (
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsonpdata"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/timeparse"
)

// Cloud Logging LogEntry fields (https://cloud.google.com/logging/docs/reference/v2/rest/v2/LogEntry)
// as a Log Router sink publishes them to Pub/Sub: one JSON LogEntry per message.
const (
	entryJSONPayload      = "jsonPayload"
	entryTextPayload      = "textPayload"
	entryProtoPayload     = "protoPayload"
	entryTimestamp        = "timestamp"
	entryReceiveTimestamp = "receiveTimestamp"
	entrySeverity         = "severity"
	entryTrace            = "trace"
	entrySpanID           = "spanId"
	entryTraceSampled     = "traceSampled"
	entryInsertID         = "insertId"
	entryLogName          = "logName"
	entryLabels           = "labels"
	entryResource         = "resource"
	entryHTTPRequest      = "httpRequest"
	entrySourceLocation   = "sourceLocation"
)

// Attributes a decoded entry gets. Fields without a semantic-convention home keep their
// LogEntry name under attrEntryPrefix, so nothing an entry carries is lost.
const (
	attrEntryPrefix   = "gcp.log_entry."
	attrLogName       = "gcp.log_name"
	attrResourceType  = "gcp.resource_type"
	attrResourceLabel = "gcp.resource.label."
	attrRecordUID     = "log.record.uid"
	attrEntryTrace    = "gcp.log_entry.trace"
	// AttrMalformedFields lists the LogEntry fields that did not have their documented form;
	// each is kept as it came, under gcp.log_entry.<field>.
	AttrMalformedFields = "gcp.log_entry.malformed_fields"
	attrK8sPodLabel     = "k8s.pod.label."
	gkePodLabelPrefix   = "k8s-pod/"
	cloudTraceSeparator = "/traces/"
)

// k8sContainerLabels maps the k8s_container monitored resource's labels to semconv.
var k8sContainerLabels = map[string]string{
	"project_id":     "cloud.account.id",
	"location":       "cloud.availability_zone",
	"cluster_name":   "k8s.cluster.name",
	"namespace_name": "k8s.namespace.name",
	"pod_name":       "k8s.pod.name",
	"container_name": "k8s.container.name",
}

// httpRequestFields maps LogEntry.httpRequest to the HTTP semantic conventions.
var httpRequestFields = map[string]string{
	"requestMethod": "http.request.method",
	"requestUrl":    "url.full",
	"status":        "http.response.status_code",
	"userAgent":     "user_agent.original",
	"remoteIp":      "client.address",
	"serverIp":      "server.address",
	"protocol":      "network.protocol.name",
	"latency":       "gcp.http_request.latency",
}

// sourceLocationFields maps LogEntry.sourceLocation to the code semantic conventions.
var sourceLocationFields = map[string]string{
	"file":     "code.file.path",
	"line":     "code.line.number",
	"function": "code.function.name",
}

// Cloud Logging's LogSeverity names, as OTel severity numbers.
var cloudLoggingSeverity = map[string]plog.SeverityNumber{
	"DEFAULT":   plog.SeverityNumberUnspecified,
	"DEBUG":     plog.SeverityNumberDebug,
	"INFO":      plog.SeverityNumberInfo,
	"NOTICE":    plog.SeverityNumberInfo2,
	"WARNING":   plog.SeverityNumberWarn,
	"ERROR":     plog.SeverityNumberError,
	"CRITICAL":  plog.SeverityNumberFatal,
	"ALERT":     plog.SeverityNumberFatal2,
	"EMERGENCY": plog.SeverityNumberFatal4,
}

var errNotLogEntry = errors.New("not a Cloud Logging LogEntry: no jsonPayload, textPayload or protoPayload")

// decodeLogEntry turns one exported LogEntry into a log record in ld. The record keeps the
// entry's trace context (trace, spanId) as its own; a legacy ID inside the payload is left for
// trace_id_bridge, whose precedence rule then decides and keeps both. An error means the
// payload is not a LogEntry; ld is then untouched.
func decodeLogEntry(data []byte, ld plog.Logs) error {
	entry := pcommon.NewMap()
	if _, err := jsonpdata.ParseObject(string(data), entry, jsonMaxDepth); err != nil {
		return err
	}
	payload, ok := entryPayload(entry)
	if !ok {
		return errNotLogEntry
	}
	resource, rec := appendRecord(ld)
	payload.MoveTo(rec.Body())
	attrs := rec.Attributes()

	var malformed []string
	entry.Range(func(field string, v pcommon.Value) bool {
		if !decodeEntryField(field, v, rec, resource) {
			malformed = append(malformed, field)
		}
		return true
	})
	if len(malformed) > 0 {
		list := attrs.PutEmptySlice(AttrMalformedFields)
		for _, field := range malformed {
			list.AppendEmpty().SetStr(field)
		}
	}
	setServiceName(resource)
	return nil
}

// entryPayload returns the entry's payload, which becomes the record's body.
func entryPayload(entry pcommon.Map) (pcommon.Value, bool) {
	for _, key := range []string{entryJSONPayload, entryTextPayload, entryProtoPayload} {
		if v, ok := entry.Get(key); ok {
			return v, true
		}
	}
	return pcommon.Value{}, false
}

// decodeEntryField puts one LogEntry field where OTel has it, moving values out of the scratch
// entry rather than copying them. A field without its documented
// form is kept under gcp.log_entry.<field> and reported (false).
func decodeEntryField(field string, v pcommon.Value, rec plog.LogRecord, resource pcommon.Map) bool {
	attrs := rec.Attributes()
	ok := true
	switch field {
	case entryJSONPayload, entryTextPayload, entryProtoPayload:
		// moved to the body (an entry has only one)
	case entryTimestamp, entryReceiveTimestamp:
		var ts pcommon.Timestamp
		if ts, ok = parseEntryTime(v); ok && field == entryTimestamp {
			rec.SetTimestamp(ts)
		} else if ok {
			rec.SetObservedTimestamp(ts)
		}
	case entrySeverity:
		var number plog.SeverityNumber
		number, ok = cloudLoggingSeverity[v.AsString()]
		rec.SetSeverityText(v.AsString())
		rec.SetSeverityNumber(number)
	case entryTrace:
		var id pcommon.TraceID
		if id, ok = cloudTraceID(v.AsString()); ok {
			rec.SetTraceID(id)
		}
	case entrySpanID:
		var id pcommon.SpanID
		if id, ok = hexSpanID(v.AsString()); ok {
			rec.SetSpanID(id)
		}
	case entryTraceSampled:
		ok = v.Type() == pcommon.ValueTypeBool
		if ok && v.Bool() {
			rec.SetFlags(plog.DefaultLogRecordFlags.WithIsSampled(true))
		}
	case entryInsertID:
		attrs.PutStr(attrRecordUID, v.AsString())
	case entryLogName:
		attrs.PutStr(attrLogName, v.AsString())
	case entryLabels:
		ok = copyEntryLabels(v, attrs, resource)
	case entryResource:
		ok = decodeMonitoredResource(v, resource)
	case entryHTTPRequest:
		ok = copyMapped(v, httpRequestFields, attrs, attrEntryPrefix+field+".")
	case entrySourceLocation:
		ok = copyMapped(v, sourceLocationFields, attrs, attrEntryPrefix+field+".")
	default:
		v.MoveTo(attrs.PutEmpty(attrEntryPrefix + field))
	}
	if !ok {
		v.MoveTo(attrs.PutEmpty(attrEntryPrefix + field))
	}
	return ok
}

func hexSpanID(s string) (pcommon.SpanID, bool) {
	var id pcommon.SpanID
	if len(s) != 2*len(id) {
		return id, false
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil || id.IsEmpty() {
		return pcommon.SpanID{}, false
	}
	return id, true
}

// parseEntryTime reads a LogEntry timestamp: RFC 3339 with a zone, through the project's one
// timestamp reader (and its bounds: what pdata can hold).
func parseEntryTime(v pcommon.Value) (pcommon.Timestamp, bool) {
	if v.Type() != pcommon.ValueTypeStr {
		return 0, false
	}
	t, zoned, err := timeparse.String(v.Str(), time.UTC)
	if err != nil || !zoned {
		return 0, false
	}
	return pcommon.NewTimestampFromTime(t), true
}

// cloudTraceID reads projects/<project>/traces/<32 hex>, the form Cloud Logging stores. Cloud
// Trace IDs are W3C trace IDs, so the hex is used as it is.
func cloudTraceID(s string) (pcommon.TraceID, bool) {
	var id pcommon.TraceID
	i := strings.LastIndex(s, cloudTraceSeparator)
	if i < 0 || !strings.HasPrefix(s, "projects/") {
		return id, false
	}
	hexID := s[i+len(cloudTraceSeparator):]
	if len(hexID) != 2*len(id) {
		return id, false
	}
	if _, err := hex.Decode(id[:], []byte(hexID)); err != nil || id.IsEmpty() {
		return pcommon.TraceID{}, false
	}
	return id, true
}

// copyEntryLabels keeps the entry's labels. GKE's k8s-pod/<label> ones describe the pod, so
// they become the resource's k8s.pod.label.<label>, where k8s_attributes and the agent put a
// pod's labels: one place for rules and queries, whichever route a record took.
func copyEntryLabels(v pcommon.Value, attrs, resource pcommon.Map) bool {
	if v.Type() != pcommon.ValueTypeMap {
		return false
	}
	v.Map().Range(func(k string, label pcommon.Value) bool {
		if pod, ok := strings.CutPrefix(k, gkePodLabelPrefix); ok {
			resource.PutStr(attrK8sPodLabel+pod, label.AsString())
		} else {
			attrs.PutStr(attrEntryPrefix+entryLabels+"."+k, label.AsString())
		}
		return true
	})
	return true
}

// decodeMonitoredResource turns the entry's monitored resource into resource attributes.
func decodeMonitoredResource(v pcommon.Value, resource pcommon.Map) bool {
	resource.PutStr("cloud.provider", "gcp")
	if v.Type() != pcommon.ValueTypeMap {
		return false
	}
	typ := ""
	if t, ok := v.Map().Get("type"); ok {
		typ = t.AsString()
		resource.PutStr(attrResourceType, typ)
	}
	if typ == "k8s_container" || typ == "k8s_pod" {
		resource.PutStr("cloud.platform", "gcp_kubernetes_engine")
	}
	labels, ok := v.Map().Get("labels")
	if !ok {
		return true
	}
	if labels.Type() != pcommon.ValueTypeMap {
		return false
	}
	labels.Map().Range(func(k string, label pcommon.Value) bool {
		semconv, known := k8sContainerLabels[k]
		switch {
		case known && k == "location" && strings.Count(label.AsString(), "-") < 2:
			resource.PutStr("cloud.region", label.AsString()) // a regional cluster: us-central1
		case known && strings.HasPrefix(typ, "k8s_"):
			resource.PutStr(semconv, label.AsString())
		case k == "service_name" && typ == "cloud_run_revision":
			resource.PutStr("service.name", label.AsString()) // Cloud Run's K_SERVICE
			resource.PutStr("cloud.platform", "gcp_cloud_run")
		default:
			resource.PutStr(attrResourceLabel+k, label.AsString())
		}
		return true
	})
	return true
}

// copyMapped copies a map's fields under their semconv names, the rest under prefix.
func copyMapped(v pcommon.Value, names map[string]string, attrs pcommon.Map, prefix string) bool {
	if v.Type() != pcommon.ValueTypeMap {
		return false
	}
	v.Map().Range(func(k string, field pcommon.Value) bool {
		if name, ok := names[k]; ok {
			field.MoveTo(attrs.PutEmpty(name))
		} else {
			field.MoveTo(attrs.PutEmpty(prefix + k))
		}
		return true
	})
	return true
}

// serviceNameLabels are the pod labels that name a service, best first; GKE writes
// app.kubernetes.io/name with its dots turned into underscores.
var serviceNameLabels = []string{"app.kubernetes.io/name", "app_kubernetes_io/name", "app"}

// setServiceName names the entry's service as the semantic conventions suggest for a pod:
// its app.kubernetes.io/name (or app) label, else its container's name. The legacy_spans
// connector and the derived span IDs group a trace's records by service.name.
func setServiceName(resource pcommon.Map) {
	if _, ok := resource.Get("service.name"); ok {
		return
	}
	for _, label := range serviceNameLabels {
		if v, ok := resource.Get(attrK8sPodLabel + label); ok && v.Str() != "" {
			resource.PutStr("service.name", v.Str())
			return
		}
	}
	if v, ok := resource.Get("k8s.container.name"); ok && v.Str() != "" {
		resource.PutStr("service.name", v.Str())
	}
}
