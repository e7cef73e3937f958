// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package pubsubtracereceiver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"
	"go.uber.org/zap"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/otelcol-mlops/otelcol-mlops/pkg/legacyid"
)

// pubsubReceiver is shared by the traces and logs pipelines that name the same component, so
// a subscription is pulled once and a message is acked only when all its telemetry is in.
type pubsubReceiver struct {
	cfg         *Config
	set         receiver.Settings
	mapper      *legacyid.Mapper
	contextKeys []string
	include     map[string]struct{}
	exclude     map[string]struct{}
	tel         *telemetry
	// obsrecv reports the standard accepted/refused counts for both signals.
	obsrecv *receiverhelper.ObsReport

	mu      sync.Mutex
	traces  consumer.Traces
	logs    consumer.Logs
	starts  int
	client  *pubsub.Client
	cancel  context.CancelFunc
	running sync.WaitGroup
	subs    []*subscription
}

type subscription struct {
	cfg    SubscriptionConfig
	id     string
	topic  string
	attrs  subscriptionAttrs
	owners *hopOwners
	// receiveSpanName is what the derived span ID of a trace's first message is derived from.
	receiveSpanName string
}

func newReceiver(set receiver.Settings, cfg *Config) (*pubsubReceiver, error) {
	tel, err := newTelemetry(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	obs, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{ReceiverID: set.ID, Transport: "grpc", ReceiverCreateSettings: set})
	if err != nil {
		return nil, err
	}
	r := &pubsubReceiver{
		cfg:         cfg,
		set:         set,
		mapper:      cfg.TraceContext.Mapper(),
		contextKeys: contextKeys(cfg.TraceContext.Keys),
		include:     toSet(cfg.Attributes.Include),
		exclude:     toSet(cfg.Attributes.Exclude),
		tel:         tel,
		obsrecv:     obs,
	}
	return r, nil
}

// contextKeys are the W3C keys first (Google's client's, then the standard one), then the
// legacy keys, each once.
func contextKeys(legacy []string) []string {
	keys := []string{keyGoogClientTraceparent, keyTraceparent}
	for _, k := range legacy {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

func toSet(keys []string) map[string]struct{} {
	s := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		s[k] = struct{}{}
	}
	return s
}

// Start creates the client and starts pulling in the background: the collector's start-up never
// waits for Pub/Sub (a subscription that cannot be reached is logged and retried by pull).
// The second pipeline's Start only counts.
func (r *pubsubReceiver) Start(_ context.Context, _ component.Host) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.starts++
	if r.starts > 1 {
		return nil
	}
	for _, s := range r.cfg.Subscriptions {
		if s.PayloadFormat == PayloadCloudLogging && r.logs == nil {
			return fmt.Errorf("subscription %q carries Cloud Logging entries but %s is in no logs pipeline: its messages would be acked with no telemetry", s.Name, r.set.ID)
		}
		if s.PayloadFormat != PayloadCloudLogging && r.traces == nil && (!s.Logs || r.logs == nil) {
			return fmt.Errorf("subscription %q yields spans but %s is in no traces pipeline (and logs are off for it): its messages would be acked with no telemetry", s.Name, r.set.ID)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	client, err := pubsub.NewClient(ctx, r.cfg.Project, r.clientOptions()...)
	if err != nil {
		cancel()
		return fmt.Errorf("pubsub client for project %q: %w (on Google Cloud it needs Application Default Credentials "+
			"or credentials_file; for an emulator set endpoint and insecure: true)", r.cfg.Project, err)
	}
	r.client, r.cancel = client, cancel
	r.subs = r.subs[:0]
	for _, sc := range r.cfg.Subscriptions {
		sub := &subscription{cfg: sc, id: subscriptionID(sc.Name), topic: sc.Topic, attrs: newSubscriptionAttrs(subscriptionID(sc.Name)), owners: newHopOwners(maxHopOwners),
			receiveSpanName: legacyid.ReceiveSpanName(sc.Name)}
		r.subs = append(r.subs, sub)
		r.running.Add(1)
		go r.pull(ctx, client, sub)
	}
	return nil
}

func (r *pubsubReceiver) clientOptions() []option.ClientOption {
	var opts []option.ClientOption
	if r.cfg.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(r.cfg.Endpoint))
	}
	if r.cfg.Insecure {
		opts = append(opts, option.WithoutAuthentication(),
			option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	} else if r.cfg.CredentialsFile != "" {
		opts = append(opts, option.WithAuthCredentialsFile(option.ServiceAccount, r.cfg.CredentialsFile))
	}
	return opts
}

// lookupTopic reads the subscription's topic for messaging.destination.name; a receiver
// allowed to pull but not to read subscriptions still works, without that attribute.
func (r *pubsubReceiver) lookupTopic(ctx context.Context, client *pubsub.Client, name string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s, err := client.SubscriptionAdminClient.GetSubscription(ctx, &pubsubpb.GetSubscriptionRequest{Subscription: r.fullName(name)})
	if err != nil {
		r.set.Logger.Warn("cannot read the subscription's topic; set subscriptions[].topic to name it", zap.String("subscription", name), zap.Error(err))
		return ""
	}
	return subscriptionID(s.GetTopic())
}

func (r *pubsubReceiver) fullName(name string) string {
	if subscriptionID(name) != name {
		return name
	}
	return "projects/" + r.cfg.Project + "/subscriptions/" + name
}

// pull runs the streaming pull until shutdown, restarting it with backoff when it fails
// (a subscription deleted and recreated, a network outage).
func (r *pubsubReceiver) pull(ctx context.Context, client *pubsub.Client, sub *subscription) {
	defer r.running.Done()
	if sub.topic == "" {
		sub.topic = r.lookupTopic(ctx, client, sub.cfg.Name)
	}
	s := client.Subscriber(r.fullName(sub.cfg.Name))
	s.ReceiveSettings.MaxOutstandingMessages = r.cfg.FlowControl.MaxOutstandingMessages
	s.ReceiveSettings.MaxOutstandingBytes = r.cfg.FlowControl.MaxOutstandingBytes
	s.ReceiveSettings.NumGoroutines = r.cfg.FlowControl.NumGoroutines
	// Graceful: stop pulling, let the handlers finish, flush their acks and nacks, for at most
	// drain_timeout. (Unbounded, a Pub/Sub that cannot be reached kept Shutdown waiting
	// forever: the collector gives Shutdown no deadline. What is not acked is redelivered.)
	s.ReceiveSettings.ShutdownOptions = &pubsub.ShutdownOptions{Behavior: pubsub.ShutdownBehaviorWaitForProcessing, Timeout: r.cfg.DrainTimeout}
	backoff := time.Second
	for {
		err := s.Receive(ctx, func(ctx context.Context, msg *pubsub.Message) { r.handle(ctx, sub, msg) })
		if ctx.Err() != nil {
			return
		}
		r.set.Logger.Error("streaming pull stopped; retrying", zap.String("subscription", sub.id), zap.Duration("backoff", backoff), zap.Error(err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// handle turns one message into telemetry and acks it only once the pipeline accepted all of
// it. In-flight work is finished on shutdown: the pipeline calls do not inherit the pull's
// cancellation.
func (r *pubsubReceiver) handle(pullCtx context.Context, sub *subscription, msg *pubsub.Message) {
	received := time.Now()
	ctx := context.WithoutCancel(pullCtx)
	r.tel.ReceiverPubsubTraceReceived.Add(ctx, 1, sub.attrs.sub)
	r.tel.ReceiverPubsubTraceQueueLatency.Record(ctx, float64(received.Sub(msg.PublishTime).Microseconds())/1000, sub.attrs.sub)

	out := r.build(sub, msg, received)
	if out.decodeError {
		r.tel.ReceiverPubsubTraceDecodeErrors.Add(ctx, 1, sub.attrs.sub)
		switch r.cfg.OnDecodeError {
		case ActionNack:
			r.tel.nack(ctx, sub.attrs, reasonDecodeError)
			msg.Nack()
			return
		case ActionAck:
			out.hasLogs = false // the span still goes out; the undecodable payload does not
			r.tel.drop(ctx, sub.attrs, reasonDecodeError)
		}
	}

	err := r.consume(ctx, out)
	switch {
	case err == nil:
		r.tel.ReceiverPubsubTraceAcked.Add(ctx, 1, sub.attrs.sub)
		msg.Ack()
	case consumererror.IsPermanent(err) && r.cfg.OnPermanentError == ActionAck:
		r.set.Logger.Warn("pipeline refused a message permanently; acked as configured", zap.String("subscription", sub.id), zap.String("message_id", msg.ID), zap.Error(err))
		r.tel.drop(ctx, sub.attrs, reasonPermanentError)
		msg.Ack()
	default:
		reason := reasonPipelineError
		if consumererror.IsPermanent(err) {
			reason = reasonPermanentError
		}
		r.set.Logger.Debug("pipeline refused a message; nacked for redelivery", zap.String("subscription", sub.id), zap.String("message_id", msg.ID), zap.Error(err))
		r.tel.nack(ctx, sub.attrs, reason)
		msg.Nack()
	}
}

func (r *pubsubReceiver) consume(ctx context.Context, out messageTelemetry) error {
	r.mu.Lock()
	traces, logs := r.traces, r.logs
	r.mu.Unlock()
	var errs []error
	if out.hasTraces && traces != nil {
		ctx := r.obsrecv.StartTracesOp(ctx)
		err := traces.ConsumeTraces(ctx, out.traces)
		r.obsrecv.EndTracesOp(ctx, "pubsub", 1, err)
		errs = append(errs, err)
	}
	if out.hasLogs && logs != nil {
		ctx := r.obsrecv.StartLogsOp(ctx)
		err := logs.ConsumeLogs(ctx, out.logs)
		r.obsrecv.EndLogsOp(ctx, "pubsub", 1, err)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Shutdown stops pulling, lets in-flight messages finish and their acks and nacks go out,
// then closes the client. The last pipeline's Shutdown does it.
func (r *pubsubReceiver) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	if r.starts > 0 { // a Shutdown without its Start (a pipeline that failed to start) counts nothing
		r.starts--
	}
	if r.starts > 0 {
		r.mu.Unlock()
		return nil
	}
	forget(r)
	if r.cancel == nil {
		r.mu.Unlock()
		return nil
	}
	cancel, client := r.cancel, r.client
	r.cancel, r.client = nil, nil
	r.mu.Unlock()

	cancel()
	done := make(chan struct{})
	go func() { r.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("pubsub_trace: in-flight messages not finished before shutdown deadline: %w", ctx.Err())
	}
	return client.Close()
}
