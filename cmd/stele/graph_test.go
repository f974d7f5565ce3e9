package main

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"
)

const peopleSchema = `[{:db/ident :person/name :db/valueType :db.type/string :db/unique :db.unique/identity}
 {:db/ident :person/age :db/valueType :db.type/long}
 {:db/ident :person/friend :db/valueType :db.type/ref :db/cardinality :db.cardinality/many}]`

func TestTransactHistoryDiff(t *testing.T) {
	s := initSandbox(t)
	s.ok("", "feed", "new", "people")
	if out := s.ok(peopleSchema, "transact", "people"); !strings.HasPrefix(out, "transaction 0: ") {
		t.Fatalf("schema transaction: %q", out)
	}
	out := s.ok(`[{:db/id "ann" :person/name "Ann" :person/age 41 :person/friend "bob"} {:db/id "bob" :person/name "Bob"}]`, "transact", "people", "--json")
	if !strings.Contains(out, `"tx": 1`) || !strings.Contains(out, `"\"ann\"": 1`) || !strings.Contains(out, `"\"bob\"": 2`) {
		t.Fatalf("transact --json: %s", out)
	}
	s.ok(`[[:db/add [:person/name "Ann"] :person/age 42]]`, "transact", "people")

	hist := s.ok("", "history", "people", `[:person/name "Ann"]`)
	for _, want := range []string{":person/age   41   42", ":person/friend  -    2"} {
		if !strings.Contains(strings.Join(strings.Fields(hist), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("history lacks %q:\n%s", want, hist)
		}
	}
	if out := s.ok("", "history", "people", "1", "--json"); !strings.Contains(out, `"old": [`) || !strings.Contains(out, `"attribute": ":person/age"`) {
		t.Errorf("history --json: %s", out)
	}
	diff := s.ok("", "diff", "people", "2", "3")
	if !strings.Contains(diff, "- [1 :person/age 41 2]") || !strings.Contains(diff, "+ [1 :person/age 42 2]") {
		t.Errorf("diff 2 3:\n%s", diff)
	}

	// Bad transactions are refused before anything is appended.
	for _, tt := range []struct{ tx, want string }{
		{`[[:db/add [:person/name "Zed"] :person/age 1]]`, "matches no entity"},
		{`[{:person/age "old"}]`, "type mismatch"},
		{`[{:person/name "Ann" :person/age 1]`, "edn"},
		{`[{:person/name "Bob"} {:person/name "Bob" :db/id "x" :person/age [1 2]}]`, "cardinality"},
	} {
		s.fail(1, tt.want, tt.tx, "transact", "people")
	}
	if out := s.ok("", "feed", "info", "people", "--json"); !strings.Contains(out, `"length": 3`) {
		t.Errorf("refused transactions changed the feed: %s", out)
	}
	// Schema changes to declared attributes are explicit, checked migrations.
	s.fail(1, "pass --migrate", `[{:db/id :person/age :db/unique :db.unique/value}]`, "transact", "people")
	s.fail(1, ":person/age", `[{:db/id :person/age :db/valueType :db.type/string}]`, "transact", "people", "--migrate")
	s.ok(`[{:db/id :person/age :db/unique :db.unique/value}]`, "transact", "people", "--migrate")
	s.fail(2, "want 0 <= V1 <= V2", "", "diff", "people", "3", "1")
	s.fail(1, "past the database's latest version", "", "diff", "people", "0", "9")
	s.fail(1, "not found", "", "history", "people", `[:person/name "Nobody"]`)

	// The same commands through a daemon.
	s2 := newSandbox(t)
	s2.ok("", "init", "--profile", "local")
	s2.startDaemon()
	s2.ok("", "feed", "new", "people")
	s2.ok(peopleSchema, "transact", "people")
	s2.ok(`[{:person/name "Cy"}]`, "transact", "people")
	if out := s2.ok("", "history", "people", `[:person/name "Cy"]`); !strings.Contains(out, `"Cy"`) {
		t.Errorf("history through the daemon: %s", out)
	}
}

func TestQueryPull(t *testing.T) {
	s := initSandbox(t)
	s.ok("", "feed", "new", "people")
	s.ok(peopleSchema, "transact", "people")
	s.ok(`[{:db/id "a" :person/name "Ann" :person/age 41 :person/friend "b"} {:db/id "b" :person/name "Bob" :person/age 30}]`, "transact", "people")
	s.ok(`[[:db/add [:person/name "Ann"] :person/age 42]]`, "transact", "people")
	q := `[:find ?n ?a :where [?e :person/name ?n] [?e :person/age ?a]]`
	if out := s.ok("", "query", "people", q); out != "#{[\"Ann\" 42] [\"Bob\" 30]}\n" {
		t.Errorf("query = %q", out)
	}
	if out := s.ok("", "query", "people", q, "--as-of", "2"); !strings.Contains(out, `["Ann" 41]`) {
		t.Errorf("query --as-of 2 = %q", out)
	}
	if out := s.ok("", "query", "people", `[:find ?e . :in $ ?n :where [?e :person/name ?n]]`, `"Bob"`); out != "2\n" {
		t.Errorf("query with an input = %q", out)
	}
	if out := s.ok("", "query", "people", `[:find ?a ?added :where [?e :person/age ?a _ ?added]]`, "--history", "--json"); !strings.Contains(strings.Join(strings.Fields(out), ""), `[41,false]`) {
		t.Errorf("query --history --json = %s", out)
	}
	if out := s.ok("", "pull", "people", `[:person/name {:person/friend [:person/name]}]`, `[:person/name "Ann"]`); out != "{:person/name \"Ann\", :person/friend [{:person/name \"Bob\"}]}\n" {
		t.Errorf("pull = %q", out)
	}
	s.fail(2, "cannot parse clause", "", "query", "people", `[:find ?x :where ?x]`)
	s.fail(2, "input 1", "", "query", "people", `[:find ?e :in $ ?n :where [?e :person/name ?n]]`, `"unterminated`)
	s.fail(1, "past the database's latest version", "", "query", "people", q, "--as-of", "9")
	s.fail(1, "not found", "", "pull", "people", "[*]", `[:person/name "Zed"]`)
}

// TestWatch: a live query prints its result, then the rows each new
// transaction adds and removes, through the daemon.
func TestWatch(t *testing.T) {
	s := newSandbox(t)
	s.ok("", "init", "--profile", "local")
	s.startDaemon()
	s.ok("", "feed", "new", "people")
	s.ok(peopleSchema, "transact", "people")
	s.ok(`[{:person/name "Ann" :person/age 41}]`, "transact", "people")
	cmd := exec.Command(steleBin, "watch", "people", `[:find ?n ?a :where [?e :person/name ?n] [?e :person/age ?a]]`)
	cmd.Env, cmd.Dir = s.env, s.dir
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	lines := bufio.NewScanner(out)
	next := func() string {
		if !lines.Scan() {
			t.Fatal("watch ended early")
		}
		return lines.Text()
	}
	if got := next(); got != `#{["Ann" 41]}` {
		t.Fatalf("initial result %q", got)
	}
	s.ok(`[{:person/name "Bob" :person/age 30}]`, "transact", "people")
	if got := next(); got != `+ ["Bob" 30]` {
		t.Fatalf("after adding Bob: %q", got)
	}
	s.ok(`[[:db/add [:person/name "Ann"] :person/age 42]]`, "transact", "people")
	if a, b := next(), next(); a != `- ["Ann" 41]` || b != `+ ["Ann" 42]` {
		t.Fatalf("after Ann's birthday: %q %q", a, b)
	}
}
