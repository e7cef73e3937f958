// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

// Package periodic runs a function on an interval in its own goroutine until stopped: the
// flush loops of the legacy_spans and ml_metrics connectors and the grouped_loadbalancing
// exporter's DNS re-resolution.
package periodic

import (
	"context"
	"sync"
	"time"
)

// Loop is a running periodic function.
type Loop struct {
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// Start calls tick every interval, in a new goroutine, until Stop.
func Start(interval time.Duration, tick func()) *Loop {
	l := &Loop{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
				tick()
			}
		}
	}()
	return l
}

// Stop ends the loop and waits for a tick in progress to finish, or for ctx. It may be called
// more than once, and on a nil Loop (a component shut down without having started).
func (l *Loop) Stop(ctx context.Context) error {
	if l == nil {
		return nil
	}
	l.stopOnce.Do(func() { close(l.stop) })
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
