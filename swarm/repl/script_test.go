package repl

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/swarm/wire"
)

var update = flag.Bool("update", false, "rewrite the expected output of testdata/*.script")

// TestScripts runs the Machine scripts in testdata, in the manner of
// etcd raft's interaction tests: each block is a command, "----", and the
// actions (or error) it produces; blocks are separated by blank lines.
//
//	local latest=N [held=R,...] [forked]   LocalChanged
//	want [lo:hi] [live] | want none        SetWant
//	add ID latest=N [held=R,...] [unheld] [told=N] [toldheld=R,...]   AddPeer
//	remove ID | bad ID REASON...           RemovePeer | Misbehaved
//	checkpoint ID N [unheld] [resync]      PeerCheckpoint (and Resync)
//	have ID R...                           PeerHave
//	arrive ID REQ [BYTES]                  DataArrived (bytes default 10000)
//	data ID REQ COUNT [BYTES]              DataApplied (bytes default 100 per entry)
//	error ID REQ CODE                      ErrorReceived
//	tick DURATION                          advance the clock and Tick
//	status                                 print the machine's state
//
// Run with -update to rewrite the outputs after an intended change.
func TestScripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.script")
	if len(files) == 0 {
		t.Fatal("no scripts in testdata")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runScript(t, file) })
	}
}

func runScript(t *testing.T, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(strings.TrimSpace(string(data)), "\n\n")
	r := &scriptRunner{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	r.m = NewMachine(MachineConfig{InitialBlock: 100, RequestTimeout: 10 * time.Second, StallTimeout: 30 * time.Second}, Local{})
	var out strings.Builder
	for _, block := range blocks {
		cmd, want, _ := strings.Cut(block, "\n----")
		want = strings.TrimPrefix(want, "\n")
		var comments []string
		lines := strings.Split(cmd, "\n")
		for len(lines) > 1 && strings.HasPrefix(lines[0], "#") {
			comments = append(comments, lines[0])
			lines = lines[1:]
		}
		cmd = strings.Join(lines, "\n")
		if strings.HasPrefix(cmd, "#") { // a block of comments only
			fmt.Fprintf(&out, "%s\n\n", block)
			continue
		}
		got := r.exec(t, cmd)
		if got != want && !*update {
			t.Errorf("%s: %s\n got:\n%s\nwant:\n%s", file, cmd, got, want)
		}
		for _, c := range comments {
			out.WriteString(c + "\n")
		}
		fmt.Fprintf(&out, "%s\n----\n%s\n\n", cmd, got)
	}
	if *update {
		if err := os.WriteFile(file, []byte(strings.TrimSpace(out.String())+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type scriptRunner struct {
	m     *Machine
	now   time.Time
	local Local
}

func (r *scriptRunner) exec(t *testing.T, cmd string) string {
	f := strings.Fields(cmd)
	args := map[string]string{}
	var pos []string
	for _, a := range f[1:] {
		if k, v, ok := strings.Cut(a, "="); ok {
			args[k] = v
		} else {
			pos = append(pos, a)
		}
	}
	flagged := func(name string) bool {
		for _, p := range pos {
			if p == name {
				return true
			}
		}
		return false
	}
	var err error
	switch f[0] {
	case "local":
		r.local = Local{Latest: num(t, args["latest"]), Held: rangeSet(t, args["held"]), Forked: flagged("forked")}
		r.m.LocalChanged(r.now, r.local)
	case "want":
		var w *Want
		if len(pos) == 0 || pos[0] != "none" {
			w = &Want{All: true, Live: flagged("live")}
			if len(pos) > 0 && strings.Contains(pos[0], ":") {
				w.All, w.Ranges = false, feed.RangeSet{}
				for _, part := range strings.Split(pos[0], ",") {
					rg, err := feed.ParseRange(part)
					if err != nil {
						t.Fatal(err)
					}
					w.Ranges = w.Ranges.Add(rg.Lo, rg.Hi)
				}
			}
		}
		r.m.SetWant(r.now, w)
	case "add":
		told := r.local.Latest
		if v, ok := args["told"]; ok {
			told = num(t, v)
		}
		toldHeld := r.local.Held
		if v, ok := args["toldheld"]; ok {
			toldHeld = rangeSet(t, v)
		}
		r.m.AddPeer(r.now, PeerID(pos[0]), PeerState{Latest: num(t, args["latest"]), LatestHeld: !flagged("unheld"),
			Ranges: rangeSet(t, args["held"]), ToldLatest: told, ToldRanges: toldHeld})
	case "remove":
		r.m.RemovePeer(r.now, PeerID(pos[0]))
	case "bad":
		r.m.Misbehaved(r.now, PeerID(pos[0]), strings.Join(pos[1:], " "))
	case "checkpoint":
		err = r.m.PeerCheckpoint(r.now, PeerID(pos[0]), num(t, pos[1]), !flagged("unheld"))
		if err == nil && flagged("resync") {
			r.m.Resync(r.now, PeerID(pos[0]))
		}
	case "have":
		var rs []feed.Range
		for _, s := range pos[1:] {
			rs = append(rs, rangeSet(t, s)...)
		}
		err = r.m.PeerHave(r.now, PeerID(pos[0]), rs)
	case "data":
		id, count := uint64(num(t, pos[1])), num(t, pos[2])
		bytes := count * 100
		if len(pos) > 3 {
			bytes = num(t, pos[3])
		}
		req, ok := r.m.Expect(PeerID(pos[0]), id)
		if !ok {
			return "unexpected data"
		}
		r.local.Held = r.local.Held.Add(req.Lo, req.Lo+count)
		r.m.DataApplied(r.now, PeerID(pos[0]), id, count, bytes)
	case "arrive":
		bytes := int64(10000)
		if len(pos) > 2 {
			bytes = num(t, pos[2])
		}
		r.m.DataArrived(r.now, PeerID(pos[0]), uint64(num(t, pos[1])), bytes)
	case "error":
		err = r.m.ErrorReceived(r.now, PeerID(pos[0]), uint64(num(t, pos[1])), wire.ErrorCode(num(t, pos[2])))
	case "tick":
		d, perr := time.ParseDuration(pos[0])
		if perr != nil {
			t.Fatal(perr)
		}
		r.now = r.now.Add(d)
		r.m.Tick(r.now)
	case "status":
		return r.status()
	default:
		t.Fatalf("unknown command %q", cmd)
	}
	var lines []string
	for _, a := range r.m.Ready() {
		lines = append(lines, a.String())
	}
	if err != nil {
		lines = append(lines, "error: "+err.Error())
	}
	if len(lines) == 0 {
		return "ok"
	}
	return strings.Join(lines, "\n")
}

func (r *scriptRunner) status() string {
	st := r.m.Status()
	var b strings.Builder
	fmt.Fprintf(&b, "latest %d held %q caught-up %v block %d", st.Latest, st.Held, st.CaughtUp, st.Block)
	for _, p := range st.Peers {
		fmt.Fprintf(&b, "\n%s latest %d held %q in-flight %d window %d down %d", p.ID, p.Latest, p.Ranges, p.InFlight, p.Window, p.EntriesDown)
	}
	return b.String()
}

func num(t *testing.T, s string) int64 {
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func rangeSet(t *testing.T, s string) feed.RangeSet {
	var rs feed.RangeSet
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		r, err := feed.ParseRange(part)
		if err != nil {
			t.Fatal(err)
		}
		rs = rs.Add(r.Lo, r.Hi)
	}
	return rs
}
