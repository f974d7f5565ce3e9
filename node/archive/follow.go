package archive

import (
	"context"
)

// Follow keeps the clone in dir at the archive's latest version: it
// pulls whenever the metadata feed grows (as the local publisher appends,
// or as replication brings new versions), calling report after each pull,
// until ctx ends. Conflicts do not stop it: they are in the reports.
func (a *Archive) Follow(ctx context.Context, dir string, opts CloneOptions, report func(PullResult)) error {
	for {
		// Take the wake-up channel before reading the version, so a
		// version appended in between is not missed.
		changed := a.meta.Feed().Watch()
		meta := a.meta.Feed()
		if err := a.holder.Hold(ctx, meta, 0, meta.Len()); err != nil {
			return err
		}
		latest, err := a.Version()
		if err != nil {
			return err
		}
		state, err := ReadCloneState(dir)
		if err != nil {
			return err
		}
		if latest > state.Version {
			res, err := a.Pull(ctx, dir, latest, opts)
			if err != nil {
				return err
			}
			if report != nil {
				report(res)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
	}
}
