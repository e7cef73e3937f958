// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package processes

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"time"
)

// PubSubEmulator is Google's official Pub/Sub emulator (a Java server; the Debian package
// google-cloud-cli-pubsub-emulator), on a free loopback port. Unlike pstest it enforces ack
// deadlines and dead-letter policies as Pub/Sub does.
//
// Its quirk: when a client closes a streaming pull, it keeps sending to the closed stream
// (logging NoSuchMethodError ... asRuntimeException), so a later subscriber on that
// subscription gets nothing. Give each collector start a subscription of its own.
type PubSubEmulator struct {
	*Process
	Addr string // host:port, gRPC and REST
}

// ErrNoPubSubEmulator says the emulator is not installed on this machine.
var ErrNoPubSubEmulator = errors.New("the Pub/Sub emulator (Google's) is not installed (Debian package google-cloud-cli-pubsub-emulator, " +
	"with a Java runtime; it is in the machine image and cannot be installed with apt-get from the mirrors here)")

// emulatorLaunchers are where the package puts its launcher.
var emulatorLaunchers = []string{
	"/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator",
	"/usr/share/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator",
}

// PubSubEmulatorLauncher finds the emulator's launcher, or returns ErrNoPubSubEmulator.
func PubSubEmulatorLauncher() (string, error) {
	if p, err := exec.LookPath("cloud-pubsub-emulator"); err == nil {
		return p, nil
	}
	for _, p := range emulatorLaunchers {
		if _, err := os.Stat(p); err == nil {
			if _, err := exec.LookPath("java"); err != nil {
				return "", ErrNoPubSubEmulator
			}
			return p, nil
		}
	}
	return "", ErrNoPubSubEmulator
}

// StartPubSubEmulator starts the emulator with its data in dataDir and waits until it answers
// (5–15 s).
func StartPubSubEmulator(dataDir string) (*PubSubEmulator, error) {
	launcher, err := PubSubEmulatorLauncher()
	if err != nil {
		return nil, err
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	host, port, _ := net.SplitHostPort(addr)
	p, err := StartProcess(dataDir, nil, launcher, "--host="+host, "--port="+port, "--data-dir="+dataDir)
	if err != nil {
		return nil, err
	}
	if err := p.WaitHTTP("http://"+addr+"/", 90*time.Second); err != nil {
		p.Kill()
		return nil, errors.Join(err, errors.New(p.Output()))
	}
	return &PubSubEmulator{Process: p, Addr: addr}, nil
}
