package main

import (
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressDelay is how long a run lasts before it gets a progress bar:
// short runs stay quiet.
const progressDelay = time.Second

// A progress draws a bar on stderr for long runs, if stderr is a terminal.
type progress struct {
	a     *app
	desc  string
	unit  string // what is counted: entries unless set
	start time.Time
	bar   *progressbar.ProgressBar
}

// newProgress returns a progress, or nil when stderr is not a terminal.
func (a *app) newProgress(desc string) *progress {
	if !isTerminal(a.stderr) {
		return nil
	}
	return &progress{a: a, desc: desc, unit: "entries", start: time.Now()}
}

// counting sets what the progress counts.
func (p *progress) counting(unit string) *progress {
	if p != nil {
		p.unit = unit
	}
	return p
}

// update is a progress callback for feed.Verify, VerifyFile and Import;
// it is nil (no callback) for a nil progress.
func (p *progress) update() func(done, total int64) {
	if p == nil {
		return nil
	}
	return func(done, total int64) {
		if p.bar == nil {
			if time.Since(p.start) < progressDelay {
				return
			}
			p.bar = progressbar.NewOptions64(total,
				progressbar.OptionSetWriter(p.a.stderr),
				progressbar.OptionSetDescription(p.desc),
				progressbar.OptionShowCount(),
				progressbar.OptionSetItsString(p.unit),
				progressbar.OptionShowIts(),
				progressbar.OptionClearOnFinish(),
				progressbar.OptionThrottle(100*time.Millisecond))
		}
		if total != p.bar.GetMax64() {
			p.bar.ChangeMax64(total) // a sync's total grows as checkpoints arrive
		}
		p.bar.Set64(done)
	}
}

// finish removes the bar.
func (p *progress) finish() {
	if p != nil && p.bar != nil {
		p.bar.Finish()
	}
}
