package feed

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// The crash test re-runs the test binary as a child that appends until it
// is killed; this variable tells the child where its store is.
const crashChildEnv = "STELE_FEED_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashChild appends batches from two goroutines and reports each batch
// on stdout, as "lo hi writer seq", only after Append has returned.
func crashChild(dir string) {
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f, err := s.Lookup("crash")
	if err != nil {
		f, err = s.Create("crash")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var out sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(g)))
			for seq := 0; ; seq++ {
				batch := crashBatch(g, seq, 1+rng.IntN(300))
				a, err := f.Append(batch...)
				if err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
				out.Lock()
				fmt.Fprintf(w, "%d %d %d %d\n", a.Lo, a.Hi, g, seq)
				w.Flush()
				out.Unlock()
			}
		}()
	}
	wg.Wait()
}

// crashBatch is batch seq of writer g. Every third batch has entries of
// 1 to 3 KiB, so its chunks go to blob segments; the others stay inline.
func crashBatch(g, seq, n int) [][]byte {
	b := make([][]byte, n)
	for i := range b {
		e := fmt.Sprintf("writer %d batch %d entry %d of %d", g, seq, i, n)
		if seq%3 == 0 {
			e += strings.Repeat(fmt.Sprintf(" %d", seq), 300+(seq%7)*100)
		}
		b[i] = []byte(e)
	}
	return b
}

// TestCrashSafety kills an appending child with SIGKILL at random moments,
// then reopens the store: it must verify, and hold every batch whose
// Append had returned, at the position Append reported.
func TestCrashSafety(t *testing.T) {
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	var acked []string // "lo hi g seq" lines from all rounds
	for round := range rounds {
		acked = append(acked, runCrashChild(t, dir, 1+rng.IntN(40))...)
		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		f, err := s.Lookup("crash")
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if err := f.Verify(nil); err != nil {
			t.Fatalf("round %d: verify after SIGKILL: %v", round, err)
		}
		checkAcked(t, f, acked)
		t.Logf("round %d: %d entries, %d acknowledged batches all present", round, f.Len(), len(acked))
		s.Close()
	}
}

// runCrashChild starts a child, lets it acknowledge `acks` batches, kills
// it with SIGKILL while it is appending more, and returns its lines.
func runCrashChild(t *testing.T, dir string, acks int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var lines []string
	for len(lines) < acks && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// Lines already written before the kill were acknowledged too.
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	cmd.Wait()
	if len(lines) == 0 {
		t.Fatal("child acknowledged nothing")
	}
	return lines
}

func checkAcked(t *testing.T, f *Feed, acked []string) {
	t.Helper()
	for _, line := range acked {
		var lo, hi int64
		var g, seq int
		if _, err := fmt.Sscanf(line, "%d %d %d %d", &lo, &hi, &g, &seq); err != nil {
			t.Fatalf("child line %q: %v", line, err)
		}
		if hi > f.Len() {
			t.Fatalf("acknowledged batch %d:%d lost: feed length %d", lo, hi, f.Len())
		}
		got, err := f.GetRange(lo, hi)
		if err != nil {
			t.Fatal(err)
		}
		want := crashBatch(g, seq, int(hi-lo))
		for i := range got {
			if string(got[i]) != string(want[i]) {
				t.Fatalf("entry %d = %q, want %q", lo+int64(i), got[i], want[i])
			}
		}
	}
	// Entries beyond the acknowledged ones (committed but not yet
	// reported when the kill came) must be whole batches too.
	if err := f.Scan(0, f.Len(), func(i int64, data []byte) error {
		if !strings.HasPrefix(string(data), "writer ") {
			return fmt.Errorf("entry %d is torn: %q", i, data)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
