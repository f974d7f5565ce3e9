package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const readmePath = "../../README.md"

// tourDir is the directory the README's tour works in; the test maps it
// to a temporary one.
const tourDir = "/tmp/stele-tour"

// A readmeStep is one command of the README's console block and the
// output shown under it.
type readmeStep struct {
	command string
	output  string
}

func readmeSteps(t *testing.T) []readmeStep {
	t.Helper()
	readme := readFile(t, readmePath)
	_, block, ok := strings.Cut(readme, "```console\n")
	if !ok {
		t.Fatal("README.md has no ```console block")
	}
	block, _, _ = strings.Cut(block, "```")
	var steps []readmeStep
	for line := range strings.Lines(block) {
		if cmd, ok := strings.CutPrefix(line, "$ "); ok {
			steps = append(steps, readmeStep{command: strings.TrimSuffix(cmd, "\n")})
		} else if len(steps) > 0 {
			steps[len(steps)-1].output += line
		}
	}
	return steps
}

// volatile matches what differs from run to run: keys, hashes, times.
var volatile = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`k51[0-9a-z]{59}`), "<address>"},
	{regexp.MustCompile(`12D3KooW[1-9A-HJ-NP-Za-km-z]+`), "<peer-id>"},
	{regexp.MustCompile(`bafkrei[a-z2-7]{52}`), "<discovery-id>"},
	{regexp.MustCompile(`[A-Za-z0-9+/]{43}=`), "<hash>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`), "<time>"},
}

func normalize(s string) string {
	for _, v := range volatile {
		s = v.re.ReplaceAllString(s, v.repl)
	}
	return strings.TrimRight(s, "\n")
}

// TestReadmeTour runs the README's commands as a user would, in a shell,
// and compares their output with what the README shows.
func TestReadmeTour(t *testing.T) {
	steps := readmeSteps(t)
	if len(steps) < 10 {
		t.Fatalf("README tour has only %d commands", len(steps))
	}
	dir := t.TempDir()
	env := []string{"HOME=" + dir, "PATH=" + filepath.Dir(steleBin) + ":" + os.Getenv("PATH")}
	for _, step := range steps {
		command := strings.ReplaceAll(step.command, tourDir, dir)
		if kv, ok := strings.CutPrefix(command, "export "); ok {
			env = append(env, kv)
			continue
		}
		cmd := exec.Command("bash", "-c", command)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		got := normalize(strings.ReplaceAll(out.String(), dir, tourDir))
		want := normalize(step.output)
		if got != want {
			t.Errorf("$ %s\ngot:\n%s\nREADME shows:\n%s", step.command, got, want)
		}
		if wantFail := strings.HasPrefix(step.output, "stele: "); (err != nil) != wantFail {
			t.Errorf("$ %s: exit error %v, README shows a failure: %v", step.command, err, wantFail)
		}
	}
}

// TestReadmeFreshMachine checks the README's two commands for a fresh
// machine, and that .ci/run runs that same test command.
func TestReadmeFreshMachine(t *testing.T) {
	readme := readFile(t, readmePath)
	for _, want := range []string{
		"go run ./cmd/stele demo         # the main job",
		"go test -short ./...            # the tests",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md lacks %q", want)
		}
	}
	ci := readFile(t, "../../.ci/run")
	for _, want := range []string{"set -euo pipefail\n", "\ngo test -short ./...\n", "\ngo vet ./...\n"} {
		if !strings.Contains(ci, want) {
			t.Errorf(".ci/run lacks %q", want)
		}
	}
	if fi, err := os.Stat("../../.ci/run"); err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Errorf(".ci/run is not executable: %v", err)
	}

	// The main job, as the README says to run it (with the binary TestMain
	// built from the same source, rather than building it again).
	cmd := exec.Command(steleBin, "demo", t.TempDir())
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	for _, want := range []string{"carol$ stele verify", "verified: 5 entries (0:5)", "carol$ stele clone", "version 3 into", "M rain.csv", "What happened"} {
		if err != nil || !strings.Contains(string(out), want) {
			t.Fatalf("%v: %v: output lacks %q\n%s", cmd.Args, err, want, out)
		}
	}
	cmd = exec.Command(steleBin, "quickstart", t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "ok: feed file") {
		t.Errorf("%v: %v\n%s", cmd.Args, err, out)
	}
}

// TestReadmeShowsDefaultConfig keeps the README's config.json true.
func TestReadmeShowsDefaultConfig(t *testing.T) {
	s := initSandbox(t)
	config := readFile(t, filepath.Join(s.repo, "config.json"))
	if !strings.Contains(readFile(t, readmePath), "```json\n"+config+"```") {
		t.Errorf("README.md does not show the config.json that init writes:\n%s", config)
	}
}
