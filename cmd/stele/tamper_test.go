package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestTamperedFeedFileFails flips single bytes all over an exported feed
// file (magic, address, checkpoint notes and signatures, consistency and
// range proofs, entries, checksum) and checks that "stele verify" fails
// every time, naming where and what failed.
func TestTamperedFeedFileFails(t *testing.T) {
	s := initSandbox(t)
	s.newFeed("notes", "a", "b", "c", "d")
	s.ok("e\nf\ng\n", "feed", "append", "notes")
	s.ok("h\ni\nj\nk\n", "feed", "append", "notes")
	// Two ranges from the middle, so that pieces carry left and right
	// range proofs; older checkpoints carry consistency proofs.
	s.ok("", "feed", "export", "notes", "--range", "1:3", "--range", "5:9", "-o", "good.stele")
	good := []byte(readFile(t, s.path("good.stele")))
	s.ok("", "verify", "./good.stele")

	// Every line is one "stele: verify FILE: feed file, byte N[, entry
	// I][, checkpoint of size S]: reason".
	failure := regexp.MustCompile(`^stele: verify \./bad\.stele: feed file, byte \d+(, entry \d+)?(, checkpoint of size \d+)?: \S.*\n$`)
	const samples = 200
	kinds := map[string]int{}
	for k := range samples {
		pos := k * len(good) / samples
		if k == samples-1 {
			pos = len(good) - 1
		}
		bad := append([]byte(nil), good...)
		bad[pos] ^= 1 << (k % 8)
		if err := os.WriteFile(s.path("bad.stele"), bad, 0o600); err != nil {
			t.Fatal(err)
		}
		r := s.run("", []string{"verify", "./bad.stele"}, "STELE_PATH=/nonexistent")
		if r.code != 1 || !failure.MatchString(r.stderr) {
			t.Errorf("byte %d of %d flipped (bit %d): want exit 1 and one line naming the failure, got %s", pos, len(good), k%8, r)
			continue
		}
		switch {
		case strings.Contains(r.stderr, ", entry "):
			kinds["entry"]++
		case strings.Contains(r.stderr, ", checkpoint of size"), strings.Contains(r.stderr, ": checkpoint: "):
			kinds["checkpoint"]++
		case strings.Contains(r.stderr, "checksum"):
			kinds["checksum"]++
		default:
			kinds["structure"]++
		}
	}
	t.Logf("%d-byte file, %d flips: failures by kind %v", len(good), samples, kinds)
	for _, kind := range []string{"entry", "checkpoint"} {
		if kinds[kind] == 0 {
			t.Errorf("no flip was reported as a bad %s: the sample misses part of the file", kind)
		}
	}
}
