// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontopdata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/podservice"
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
	attrK8sPodLabel     = podservice.LabelPrefix
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
	"referer":       "http.request.header.referer",
	"requestSize":   "http.request.size",
	"responseSize":  "http.response.size",
	"latency":       "gcp.http_request.latency",
}

// httpRequestInts are the httpRequest fields the conventions type as integers (LogEntry's
// JSON writes the sizes, int64, as strings).
var httpRequestInts = map[string]bool{"status": true, "requestSize": true, "responseSize": true}

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

var errNotLogEntry = errors.New("not a Cloud Logging LogEntry: no jsonPayload, textPayload, protoPayload, httpRequest or logName")

// decodeLogEntry turns one exported LogEntry into a log record in ld. The record keeps the
// entry's trace context (trace, spanId) as its own; a legacy ID inside the payload is left for
// trace_id_bridge, whose precedence rule then decides and keeps both. An error means the
// payload is not a LogEntry; ld is then untouched.
func decodeLogEntry(data []byte, ld plog.Logs) error {
	entry := pcommon.NewMap()
	if _, err := jsontopdata.ParseObject(string(data), entry, jsonMaxDepth); err != nil {
		return err
	}
	payload, hasPayload := entryPayload(entry)
	_, isRequest := entry.Get(entryHTTPRequest)
	_, hasLogName := entry.Get(entryLogName)
	if !hasPayload && !isRequest && !hasLogName {
		return errNotLogEntry
	}
	resource, rec := appendRecord(ld)
	if hasPayload {
		payload.MoveTo(rec.Body())
	} else if summary := requestSummary(entry); summary != "" {
		// A request log (Cloud Run, App Engine, a load balancer) has no payload: its body is
		// the request line Cloud Logging shows for it.
		rec.Body().SetStr(summary)
	}
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
	podservice.SetServiceName(resource)
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
		if ok {
			intAttributes(attrs, httpRequestFields, httpRequestInts)
		}
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

// monitoredResource says where a monitored resource type's labels go, which platform it is
// and which label names the service.
type monitoredResource struct {
	platform     string
	serviceLabel string
	labels       map[string]string
}

// monitoredResources are the types Google documents for Kubernetes and serverless workloads
// (https://cloud.google.com/logging/docs/api/v2/resource-list); other types keep their labels
// under gcp.resource.label.<label>.
var monitoredResources = map[string]monitoredResource{
	"k8s_container": {platform: "gcp_kubernetes_engine", labels: k8sContainerLabels},
	"k8s_pod":       {platform: "gcp_kubernetes_engine", labels: k8sContainerLabels},
	"cloud_run_revision": {platform: "gcp_cloud_run", serviceLabel: "service_name", labels: map[string]string{
		"project_id": "cloud.account.id", "location": "cloud.region", "service_name": "faas.name", "revision_name": "faas.version"}},
	"cloud_run_job": {platform: "gcp_cloud_run", serviceLabel: "job_name", labels: map[string]string{
		"project_id": "cloud.account.id", "location": "cloud.region", "job_name": "faas.name"}},
	"cloud_function": {platform: "gcp_cloud_functions", serviceLabel: "function_name", labels: map[string]string{
		"project_id": "cloud.account.id", "region": "cloud.region", "function_name": "faas.name"}},
	"gae_app": {platform: "gcp_app_engine", serviceLabel: "module_id", labels: map[string]string{
		"project_id": "cloud.account.id", "zone": "cloud.availability_zone", "version_id": "service.version"}},
	"gce_instance": {platform: "gcp_compute_engine", labels: map[string]string{
		"project_id": "cloud.account.id", "zone": "cloud.availability_zone", "instance_id": "host.id"}},
}

// decodeMonitoredResource turns the entry's monitored resource into resource attributes: the
// platform, semantic-convention homes for its labels, and service.name from the label that
// names the service (a Cloud Run service or job, a Cloud Function, an App Engine module).
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
	known := monitoredResources[typ]
	if known.platform != "" {
		resource.PutStr("cloud.platform", known.platform)
	}
	labels, ok := v.Map().Get("labels")
	if !ok {
		return true
	}
	if labels.Type() != pcommon.ValueTypeMap {
		return false
	}
	labels.Map().Range(func(k string, label pcommon.Value) bool {
		if k == known.serviceLabel {
			resource.PutStr("service.name", label.AsString())
		}
		semconv, mapped := known.labels[k]
		switch {
		case mapped && k == "location" && known.platform == "gcp_kubernetes_engine" && strings.Count(label.AsString(), "-") < 2:
			resource.PutStr("cloud.region", label.AsString()) // a regional cluster: us-central1
		case mapped:
			resource.PutStr(semconv, label.AsString())
		case k != known.serviceLabel:
			resource.PutStr(attrResourceLabel+k, label.AsString())
		}
		return true
	})
	return true
}

// requestSummary is a request log's line as Cloud Logging shows it: method, status, URL.
func requestSummary(entry pcommon.Map) string {
	req, ok := entry.Get(entryHTTPRequest)
	if !ok || req.Type() != pcommon.ValueTypeMap {
		return ""
	}
	var parts []string
	for _, k := range []string{"requestMethod", "status", "requestUrl"} {
		if v, ok := req.Map().Get(k); ok && v.AsString() != "" {
			parts = append(parts, v.AsString())
		}
	}
	return strings.Join(parts, " ")
}

// intAttributes turns the named attributes that hold an integer as a string into integers.
func intAttributes(attrs pcommon.Map, names map[string]string, ints map[string]bool) {
	for field := range ints {
		v, ok := attrs.Get(names[field])
		if !ok || v.Type() != pcommon.ValueTypeStr {
			continue
		}
		if n, err := strconv.ParseInt(v.Str(), 10, 64); err == nil {
			v.SetInt(n)
		}
	}
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
