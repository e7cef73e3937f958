// Copyright The otelcol-mlops Authors
// SPDX-License-Identifier: Apache-2.0

package testutil

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// PKI is a throwaway certificate authority with a server certificate for 127.0.0.1 and a
// client certificate, written as PEM files in one directory.
type PKI struct {
	CAFile, ServerCert, ServerKey, ClientCert, ClientKey string
	// Roots trusts the CA; Client is the client certificate, loaded.
	Roots  *x509.CertPool
	Client tls.Certificate
}

// WritePKI writes a PKI into dir.
func WritePKI(t testing.TB, dir string) PKI {
	t.Helper()
	caKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	ca, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	p := PKI{CAFile: filepath.Join(dir, "ca.crt"), Roots: x509.NewCertPool()}
	p.Roots.AddCert(ca)
	writePEM(t, p.CAFile, "CERTIFICATE", caDER)
	p.ServerCert, p.ServerKey = writeLeaf(t, dir, "server", ca, caKey, true)
	p.ClientCert, p.ClientKey = writeLeaf(t, dir, "client", ca, caKey, false)
	p.Client, err = tls.LoadX509KeyPair(p.ClientCert, p.ClientKey)
	require.NoError(t, err)
	return p
}

func writeLeaf(t testing.TB, dir, name string, ca *x509.Certificate, caKey *rsa.PrivateKey, server bool) (certFile, keyFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	if server {
		tmpl.ExtKeyUsage, tmpl.IPAddresses, tmpl.DNSNames = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, []net.IP{net.ParseIP("127.0.0.1")}, []string{"localhost"}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	require.NoError(t, err)
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key))
	return certFile, keyFile
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600))
}
