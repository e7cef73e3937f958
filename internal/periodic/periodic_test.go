// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package periodic

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTicksUntilStopped(t *testing.T) {
	var ticks atomic.Int32
	l := Start(time.Millisecond, func() { ticks.Add(1) })
	require.Eventually(t, func() bool { return ticks.Load() >= 3 }, 5*time.Second, time.Millisecond)
	require.NoError(t, l.Stop(context.Background()))
	after := ticks.Load()
	runtime.Gosched()
	assert.Equal(t, after, ticks.Load(), "Stop returned after the loop's goroutine ended: no tick after it")
	assert.NoError(t, l.Stop(context.Background()), "a second Stop is harmless")
}

func TestStopWithoutStart(t *testing.T) {
	var l *Loop
	assert.NoError(t, l.Stop(context.Background()))
}

// A tick that does not end makes Stop give up at the caller's deadline, not hang Shutdown.
func TestStopHonoursTheDeadline(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	l := Start(time.Millisecond, func() {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
	})
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, l.Stop(ctx), context.DeadlineExceeded)
	close(release)
	assert.NoError(t, l.Stop(context.Background()))
}
