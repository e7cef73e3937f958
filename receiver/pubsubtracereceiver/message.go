// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-mlops/otelcol-mlops/internal/jsontopdata"
	"github.com/otelcol-mlops/otelcol-mlops/internal/utf8prefix"
	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
	"github.com/otelcol-mlops/otelcol-mlops/receiver/pubsubtracereceiver/internal/metadata"
)

// Attribute keys: OTel messaging semantic conventions for gcp_pubsub, and ours.
const (
	attrMessagingSystem       = "messaging.system"
	attrOperationType         = "messaging.operation.type"
	attrOperationName         = "messaging.operation.name"
	attrDestinationName       = "messaging.destination.name"
	attrSubscriptionName      = "messaging.destination.subscription.name"
	attrMessageID             = "messaging.message.id"
	attrBodySize              = "messaging.message.body.size"
	attrOrderingKey           = "messaging.gcp_pubsub.message.ordering_key"
	attrDeliveryAttempt       = "messaging.gcp_pubsub.message.delivery_attempt"
	attrDeadLetterSource      = "messaging.gcp_pubsub.dead_letter.source_subscription"
	attrDecodeError           = "pubsub.payload.decode_error"
	keyGoogClientTraceparent  = "googclient_traceparent"
	keyTraceparent            = "traceparent"
	deadLetterSourceAttribute = "CloudPubSubDeadLetterSourceSubscription"
	messagingSystem           = "gcp_pubsub"
	jsonMaxDepth              = 32
)

// traceContext is where a message's receive span goes.
type traceContext struct {
	traceID pcommon.TraceID
	parent  pcommon.SpanID // empty: no publisher span
	legacy  string         // the legacy value, when the context came from a legacy key
	rule    legacyid.Rule
	found   bool
}

// extract reads the trace context a publisher left: googclient_traceparent (Google's clients
// with OTel tracing on), traceparent, then the legacy keys through the shared ID mapping.
func (r *pubsubReceiver) extract(attrs map[string]string) traceContext {
	for _, key := range r.contextKeys {
		value, ok := attrs[key]
		if !ok {
			continue
		}
		res, ok := r.mapper.Map(value)
		if !ok {
			continue
		}
		tc := traceContext{traceID: pcommon.TraceID(res.TraceID), rule: res.Rule, found: true}
		if res.HasSpanID() {
			tc.parent = pcommon.SpanID(res.SpanID)
		}
		if key != keyGoogClientTraceparent && key != keyTraceparent {
			tc.legacy = value
		}
		return tc
	}
	return traceContext{}
}

func newSpanID() pcommon.SpanID {
	var id pcommon.SpanID
	for id.IsEmpty() {
		v := rand.Uint64() //nolint:gosec // span IDs need uniqueness, not secrecy
		for i := range id {
			id[i] = byte(v >> (8 * i))
		}
	}
	return id
}

func newTraceID() pcommon.TraceID {
	var id pcommon.TraceID
	for id.IsEmpty() {
		a, b := rand.Uint64(), rand.Uint64() //nolint:gosec // as above
		for i := range 8 {
			id[i], id[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
		}
	}
	return id
}

// messageTelemetry is what one message becomes.
type messageTelemetry struct {
	traces      ptrace.Traces
	hasTraces   bool
	logs        plog.Logs
	hasLogs     bool
	decodeError bool
}

// build turns one message into its receive span and, for log subscriptions, a log record.
func (r *pubsubReceiver) build(sub *subscription, msg *pubsub.Message, received time.Time) messageTelemetry {
	if sub.cfg.PayloadFormat == PayloadCloudLogging {
		return r.buildLogEntry(sub, msg, received)
	}
	tc := r.extract(msg.Attributes)
	if !tc.found {
		tc.traceID = newTraceID() // a message without context starts its own trace
	}
	var spanID pcommon.SpanID
	if tc.found && sub.owners.claim(tc.traceID, msg.ID) {
		spanID = pcommon.SpanID(legacyid.DeriveSpanID(tc.traceID, sub.receiveSpanName))
	} else {
		spanID = newSpanID()
	}
	if tc.legacy != "" && tc.parent.IsEmpty() && sub.cfg.PublisherService != "" {
		tc.parent = pcommon.SpanID(legacyid.DeriveSpanID(tc.traceID, sub.cfg.PublisherService))
	}
	start := msg.PublishTime
	if start.IsZero() || start.After(received) {
		start = received
	}

	out := messageTelemetry{traces: ptrace.NewTraces(), hasTraces: true}
	rs := out.traces.ResourceSpans().AppendEmpty()
	r.fillResource(rs.Resource().Attributes())
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(metadata.ScopeName)
	span := ss.Spans().AppendEmpty()
	span.SetTraceID(tc.traceID)
	span.SetSpanID(spanID)
	span.SetParentSpanID(tc.parent)
	span.SetName(sub.id + " receive")
	span.SetKind(ptrace.SpanKindConsumer)
	span.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	span.SetEndTimestamp(pcommon.NewTimestampFromTime(received))
	r.fillAttributes(span.Attributes(), sub, msg, tc)
	if sub.cfg.DeadLetter {
		span.Status().SetCode(ptrace.StatusCodeError)
		span.Status().SetMessage(deadLetterMessage(msg))
	}

	if sub.cfg.Logs {
		out.logs, out.decodeError = r.buildLog(sub, msg, tc.traceID, spanID, start, received)
		out.hasLogs = true
	}
	return out
}

func deadLetterMessage(msg *pubsub.Message) string {
	s := "message dead-lettered"
	if msg.DeliveryAttempt != nil {
		s += " after " + strconv.Itoa(*msg.DeliveryAttempt) + " delivery attempts"
	}
	if src := msg.Attributes[deadLetterSourceAttribute]; src != "" {
		s += " from " + src
	}
	return s
}

func (r *pubsubReceiver) buildLog(sub *subscription, msg *pubsub.Message, traceID pcommon.TraceID, spanID pcommon.SpanID,
	published, received time.Time,
) (plog.Logs, bool) {
	ld := plog.NewLogs()
	resource, rec := appendRecord(ld)
	r.fillResource(resource)
	rec.SetTraceID(traceID)
	rec.SetSpanID(spanID)
	rec.SetTimestamp(pcommon.NewTimestampFromTime(published))
	rec.SetObservedTimestamp(pcommon.NewTimestampFromTime(received))
	r.fillAttributes(rec.Attributes(), sub, msg, traceContext{})
	if sub.cfg.DeadLetter {
		rec.SetSeverityNumber(plog.SeverityNumberError)
		rec.SetSeverityText("ERROR")
	}
	decodeError := false
	if sub.cfg.PayloadFormat == PayloadText {
		rec.Body().SetStr(string(msg.Data))
	} else if _, err := jsontopdata.ParseObject(string(msg.Data), rec.Body().SetEmptyMap(), jsonMaxDepth); err != nil {
		decodeError = true
		rec.Body().SetStr(string(msg.Data))
		rec.Attributes().PutStr(attrDecodeError, err.Error())
	}
	return ld, decodeError
}

// buildLogEntry decodes a Log Router sink's message: the entry is the telemetry, the message
// only its transport, so no receive span is made. A payload that is not a LogEntry is kept as
// text and tagged (on_decode_error: keep), or nacked or acked without it as configured.
func (r *pubsubReceiver) buildLogEntry(sub *subscription, msg *pubsub.Message, received time.Time) messageTelemetry {
	out := messageTelemetry{logs: plog.NewLogs(), hasLogs: true}
	err := decodeLogEntry(msg.Data, out.logs)
	if err == nil {
		return out
	}
	out.decodeError = true
	resource, rec := appendRecord(out.logs)
	r.fillResource(resource)
	rec.SetTimestamp(pcommon.NewTimestampFromTime(msg.PublishTime))
	rec.SetObservedTimestamp(pcommon.NewTimestampFromTime(received))
	rec.Body().SetStr(string(msg.Data))
	rec.Attributes().PutStr(attrDecodeError, err.Error())
	rec.Attributes().PutStr(attrSubscriptionName, sub.id)
	rec.Attributes().PutStr(attrMessageID, msg.ID)
	return out
}

// appendRecord adds a resource with this receiver's scope and one record to ld.
func appendRecord(ld plog.Logs) (pcommon.Map, plog.LogRecord) {
	rl := ld.ResourceLogs().AppendEmpty()
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(metadata.ScopeName)
	return rl.Resource().Attributes(), sl.LogRecords().AppendEmpty()
}

func (r *pubsubReceiver) fillResource(attrs pcommon.Map) {
	attrs.PutStr("service.name", r.cfg.ServiceName)
	attrs.PutStr("cloud.provider", "gcp")
	attrs.PutStr("cloud.account.id", r.cfg.Project)
}

// fillAttributes writes the semconv attributes and the message's own attributes, filtered.
func (r *pubsubReceiver) fillAttributes(attrs pcommon.Map, sub *subscription, msg *pubsub.Message, tc traceContext) {
	attrs.PutStr(attrMessagingSystem, messagingSystem)
	attrs.PutStr(attrOperationType, "receive")
	attrs.PutStr(attrOperationName, "receive")
	if sub.topic != "" {
		attrs.PutStr(attrDestinationName, sub.topic)
	}
	attrs.PutStr(attrSubscriptionName, sub.id)
	attrs.PutStr(attrMessageID, msg.ID)
	attrs.PutInt(attrBodySize, int64(len(msg.Data)))
	if msg.OrderingKey != "" {
		attrs.PutStr(attrOrderingKey, msg.OrderingKey)
	}
	if msg.DeliveryAttempt != nil {
		attrs.PutInt(attrDeliveryAttempt, int64(*msg.DeliveryAttempt))
	}
	if src := msg.Attributes[deadLetterSourceAttribute]; src != "" && sub.cfg.DeadLetter {
		attrs.PutStr(attrDeadLetterSource, src)
	}
	if tc.legacy != "" {
		attrs.PutStr(legacyid.AttrTraceID, tc.legacy)
		attrs.PutStr(legacyid.AttrFormat, tc.rule.String())
	}
	r.copyMessageAttributes(attrs, msg.Attributes)
}

func (r *pubsubReceiver) copyMessageAttributes(attrs pcommon.Map, msgAttrs map[string]string) {
	cfg := &r.cfg.Attributes
	if cfg.MaxCount == 0 {
		return
	}
	keys := slices.Sorted(maps.Keys(msgAttrs)) // deterministic choice when the cap bites
	copied := 0
	for _, k := range keys {
		if !r.attributeAllowed(k) {
			continue
		}
		if copied == cfg.MaxCount {
			break
		}
		v := msgAttrs[k]
		if len(v) > cfg.MaxValueLength {
			v = utf8prefix.Cut(v, cfg.MaxValueLength)
		}
		attrs.PutStr(cfg.Prefix+k, v)
		copied++
	}
}

func (r *pubsubReceiver) attributeAllowed(key string) bool {
	if _, denied := r.exclude[key]; denied {
		return false
	}
	if len(r.include) > 0 {
		_, ok := r.include[key]
		return ok
	}
	return true
}
