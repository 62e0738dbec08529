package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
)

// minRSABits is the smallest RSA modulus accepted for verification keys.
// Shorter keys can be factored with public resources.
const minRSABits = 2048

// verificationKey is a key that checks token signatures, with the signing
// algorithms it may check. Tying algorithms to the key type is what stops
// algorithm confusion: an RSA public key is never used as an HMAC secret.
type verificationKey struct {
	key  any // *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey or []byte
	algs []string
	kid  string // key id from a JWKS, empty for configured keys
}

func (k verificationKey) allows(alg string) bool { return slices.Contains(k.algs, alg) }

// parseVerificationKey reads a configured key: a PEM public key or
// certificate, or else an HMAC secret. A PEM block that fails to parse is an
// error, never a secret, so a broken public key cannot turn into a shared
// secret that anyone holding the public key could sign with.
func parseVerificationKey(text string) (verificationKey, error) {
	trimmed := strings.TrimSpace(text)
	if !strings.HasPrefix(trimmed, "-----BEGIN") {
		if text == "" {
			return verificationKey{}, errors.New("the key is empty")
		}
		return verificationKey{key: []byte(text), algs: []string{"HS256", "HS384", "HS512"}}, nil
	}
	// Keys passed through one-line environment variables often carry "\n"
	// escapes in place of line breaks.
	if !strings.Contains(trimmed, "\n") {
		trimmed = strings.ReplaceAll(trimmed, `\n`, "\n")
	}
	block, rest := pem.Decode([]byte(trimmed))
	if block == nil {
		return verificationKey{}, errors.New("the key starts like PEM but is not valid PEM")
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return verificationKey{}, errors.New(
			"the key contains more than one PEM block: give one key per value")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		cert, err = x509.ParseCertificate(block.Bytes)
		if err == nil {
			pub = cert.PublicKey
		}
	default:
		if strings.Contains(block.Type, "PRIVATE KEY") {
			return verificationKey{}, fmt.Errorf(
				"the key is a %s: give the matching public key instead",
				strings.ToLower(block.Type))
		}
		return verificationKey{}, fmt.Errorf(
			"unsupported PEM block %q: use PUBLIC KEY or CERTIFICATE", block.Type)
	}
	if err != nil {
		return verificationKey{}, fmt.Errorf("parse %s: %w", strings.ToLower(block.Type), err)
	}
	return publicVerificationKey(pub, "")
}

// publicVerificationKey returns pub with the algorithms its type supports.
func publicVerificationKey(pub any, kid string) (verificationKey, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return verificationKey{}, fmt.Errorf("the RSA key has %d bits: use at least %d",
				k.N.BitLen(), minRSABits)
		}
		return verificationKey{key: k, kid: kid,
			algs: []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}}, nil
	case *ecdsa.PublicKey:
		curve := k.Curve.Params().Name
		alg, ok := map[string]string{"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}[curve]
		if !ok {
			return verificationKey{}, fmt.Errorf("unsupported elliptic curve %s", curve)
		}
		return verificationKey{key: k, kid: kid, algs: []string{alg}}, nil
	case ed25519.PublicKey:
		return verificationKey{key: k, kid: kid, algs: []string{"EdDSA"}}, nil
	}
	return verificationKey{}, fmt.Errorf("unsupported public key type %T", pub)
}

// jsonWebKey is the part of an RFC 7517 key that verification needs.
type jsonWebKey struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	K   string `json:"k"`
}

// loadJWKSFile reads a JSON Web Key Set file. Keys that cannot verify
// signatures (encryption keys, unsupported types, malformed values) are
// skipped and described in skipped, so one odd key does not stop the server.
// A file without a single usable key is an error.
func loadJWKSFile(path string) (keys []verificationKey, skipped []string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read JWKS file: %w", err)
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, nil, fmt.Errorf("parse JWKS file %s: %w", path, err)
	}
	for i, raw := range set.Keys {
		var jwk jsonWebKey
		if err := json.Unmarshal(raw, &jwk); err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		key, err := jwk.verificationKey()
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d (kid %q): %v", i, jwk.Kid, err))
			continue
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, skipped, fmt.Errorf("JWKS file %s contains no usable signing key", path)
	}
	return keys, skipped, nil
}

// verificationKey converts the JWK. A key that names an algorithm is limited
// to it.
func (j jsonWebKey) verificationKey() (verificationKey, error) {
	if j.Use != "" && j.Use != "sig" {
		return verificationKey{}, fmt.Errorf("use %q is not \"sig\"", j.Use)
	}
	var key verificationKey
	var err error
	switch j.Kty {
	case "RSA":
		key, err = j.rsaKey()
	case "EC":
		key, err = j.ecKey()
	case "OKP":
		key, err = j.okpKey()
	case "oct":
		var secret []byte
		secret, err = decodeBase64URL("k", j.K)
		if err == nil && len(secret) == 0 {
			err = errors.New("empty \"k\"")
		}
		key = verificationKey{key: secret, kid: j.Kid, algs: []string{"HS256", "HS384", "HS512"}}
	default:
		err = fmt.Errorf("unsupported key type %q", j.Kty)
	}
	if err != nil {
		return verificationKey{}, err
	}
	if j.Alg != "" {
		if !key.allows(j.Alg) {
			return verificationKey{}, fmt.Errorf("alg %q does not fit key type %q", j.Alg, j.Kty)
		}
		key.algs = []string{j.Alg}
	}
	return key, nil
}

func (j jsonWebKey) rsaKey() (verificationKey, error) {
	n, err := decodeBase64URL("n", j.N)
	if err != nil {
		return verificationKey{}, err
	}
	e, err := decodeBase64URL("e", j.E)
	if err != nil {
		return verificationKey{}, err
	}
	exponent := new(big.Int).SetBytes(e)
	if len(n) == 0 || !exponent.IsInt64() || exponent.Int64() < 3 || exponent.Int64() > 1<<31-1 {
		return verificationKey{}, errors.New("invalid RSA modulus or exponent")
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exponent.Int64())}
	return publicVerificationKey(pub, j.Kid)
}

func (j jsonWebKey) ecKey() (verificationKey, error) {
	curves := map[string]elliptic.Curve{
		"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521(),
	}
	curve, ok := curves[j.Crv]
	if !ok {
		return verificationKey{}, fmt.Errorf("unsupported curve %q", j.Crv)
	}
	x, err := decodeBase64URL("x", j.X)
	if err != nil {
		return verificationKey{}, err
	}
	y, err := decodeBase64URL("y", j.Y)
	if err != nil {
		return verificationKey{}, err
	}
	size := (curve.Params().BitSize + 7) / 8
	if len(x) != size || len(y) != size {
		return verificationKey{}, fmt.Errorf("coordinates of a %s key must be %d bytes",
			j.Crv, size)
	}
	point := append(append([]byte{4}, x...), y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return verificationKey{}, fmt.Errorf("invalid %s point: %w", j.Crv, err)
	}
	return publicVerificationKey(pub, j.Kid)
}

func (j jsonWebKey) okpKey() (verificationKey, error) {
	if j.Crv != "Ed25519" {
		return verificationKey{}, fmt.Errorf("unsupported curve %q", j.Crv)
	}
	x, err := decodeBase64URL("x", j.X)
	if err != nil {
		return verificationKey{}, err
	}
	if len(x) != ed25519.PublicKeySize {
		return verificationKey{}, fmt.Errorf("an Ed25519 key must be %d bytes",
			ed25519.PublicKeySize)
	}
	return publicVerificationKey(ed25519.PublicKey(x), j.Kid)
}

// decodeBase64URL decodes a base64url member of a JWK, with or without
// padding.
func decodeBase64URL(member, s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("member %q is not base64url: %w", member, err)
	}
	return b, nil
}
