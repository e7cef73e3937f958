// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package inorder

import (
	"context"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-mlops/otelcol-mlops/connector/inorder/internal/metadata"
)

type inOrder struct {
	component.StartFunc
	component.ShutdownFunc

	stages []consumer.Logs
	tel    *metadata.TelemetryBuilder
}

func newConnector(set connector.Settings, cfg *Config, router connector.LogsRouterAndConsumer) (*inOrder, error) {
	tel, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	c := &inOrder{tel: tel}
	for _, id := range cfg.Pipelines {
		stage, err := router.Consumer(id)
		if err != nil {
			return nil, fmt.Errorf("pipelines: %q: %w (it must list in_order among its receivers)", id, err)
		}
		c.stages = append(c.stages, stage)
	}
	c.ShutdownFunc = func(context.Context) error {
		tel.Shutdown()
		return nil
	}
	return c, nil
}

// Capabilities says the batch may be changed: the pipelines see it one after another, each
// as the one before it left it, and none of them must own it alone.
func (*inOrder) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

// ConsumeLogs passes ld to each pipeline in turn and stops at the first refusal, returning it
// unchanged (retryable or permanent, whole or partial, as that pipeline said) so the sender
// decides; the later pipelines never see a batch an earlier one refused.
func (c *inOrder) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	for i, stage := range c.stages {
		if err := stage.ConsumeLogs(ctx, ld); err != nil {
			if i < len(c.stages)-1 {
				c.tel.ConnectorInOrderWithheld.Add(ctx, int64(ld.LogRecordCount()))
			}
			return err
		}
	}
	return nil
}
