package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/steledb/stele/feed"
	"github.com/steledb/stele/node/repo"
)

// Appends are batched: each batch is one Append, one synced write and one
// signed checkpoint, so a large stream neither pays an fsync per line nor
// sits in memory whole.
const (
	batchEntries = 1000
	batchBytes   = 64 << 20
)

func newFeedAppendCmd(a *app) *cobra.Command {
	var asJSON, forceRestored bool
	cmd := &cobra.Command{
		Use:   "append FEED [FILE...]",
		Short: "Append entries: each line of standard input, or each FILE",
		Long: `Append entries to a feed this node authors and print the new checkpoint
size. Without FILE, each line of standard input is one entry (the line
without its "\n"; empty lines are empty entries), appended in batches of
up to 1,000 lines, each batch durable and signed before the next. With
FILEs, each file's whole content is one entry.

After "stele key import" the feed is marked restored: appending could sign
a fork if the author appended elsewhere after the backup. Once the feed's
latest checkpoint is fetched from peers, appends are allowed again;
--force-restored asserts that this copy is already the latest.`,
		Example: `  echo "hello" | stele feed append notes
  stele feed append notes photo.jpg notes.txt
  seq 1000000 | stele feed append k51qzi5uqu5dhnwe629wdlncpql6frppdpwnz4wtlcw816aysd5wwlk63g4wmh`,
		Args: minArgs(1, "FEED and optional FILEs"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return a.withRepo(func(r *repo.Repo) error {
				f, err := a.lookupFeed(r, args[0])
				if err != nil {
					return err
				}
				ap := &appender{a: a, f: f, forceRestored: forceRestored, limit: r.Config.Feeds.EntryLimit, lo: -1}
				if len(args) > 1 {
					err = ap.appendFiles(args[1:])
				} else {
					err = ap.appendLines(a.stdin)
				}
				if err != nil {
					return ap.failed(err)
				}
				return ap.report(asJSON)
			})
		}),
	}
	cmd.Flags().BoolVar(&forceRestored, "force-restored", false, "append to a feed whose key was restored from a backup, asserting that this copy holds its latest checkpoint")
	addJSONFlag(cmd, &asJSON)
	return cmd
}

// An appender batches entries into Appends.
type appender struct {
	a             *app
	f             *feed.Feed
	forceRestored bool
	limit         int

	batch [][]byte
	bytes int
	lo    int64         // first index appended, -1 before any
	last  feed.Appended // result of the last Append
	n     int64         // entries appended
}

func (ap *appender) add(entry []byte) error {
	ap.batch = append(ap.batch, entry)
	ap.bytes += len(entry)
	if len(ap.batch) >= batchEntries || ap.bytes >= batchBytes {
		return ap.flush()
	}
	return nil
}

func (ap *appender) flush() error {
	if len(ap.batch) == 0 {
		return nil
	}
	res, err := ap.f.Append(ap.batch...)
	if errors.Is(err, feed.ErrRestoredKey) {
		if err := ap.confirmRestored(err); err != nil {
			return err
		}
		res, err = ap.f.Append(ap.batch...)
	}
	if err != nil {
		return err
	}
	if ap.lo < 0 {
		ap.lo = res.Lo
	}
	ap.last, ap.n = res, ap.n+int64(len(ap.batch))
	ap.batch, ap.bytes = ap.batch[:0], 0
	return nil
}

// confirmRestored lets a restored feed append again, if the user said so.
func (ap *appender) confirmRestored(cause error) error {
	if !ap.forceRestored {
		return fmt.Errorf("%w; if you are sure this copy holds its latest checkpoint (size %d), append with --force-restored", cause, ap.f.Len())
	}
	ap.a.warnf("warning: treating the restored feed %s as up to date at size %d: if its author appended elsewhere after the backup, this append forks the feed", label(ap.f), ap.f.Len())
	return ap.f.ConfirmLatest()
}

// appendFiles appends each file's content as one entry.
func (ap *appender) appendFiles(paths []string) error {
	for _, path := range paths {
		fi, err := os.Stat(ap.a.abs(path))
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", path)
		}
		if fi.Size() > int64(ap.limit) {
			return fmt.Errorf("%s is %d bytes, more than the entry limit of %d bytes (feeds.entry_limit in config.json): %w", path, fi.Size(), ap.limit, feed.ErrTooLarge)
		}
		data, err := os.ReadFile(ap.a.abs(path))
		if err != nil {
			return err
		}
		if err := ap.add(data); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return ap.flush()
}

// appendLines appends each line of r as one entry. On a terminal, what
// has been typed is appended whenever the input pauses.
func (ap *appender) appendLines(r io.Reader) error {
	interactive := isTerminal(r)
	if interactive {
		fmt.Fprintln(ap.a.stderr, "reading entries from standard input, one per line; end with Ctrl-D")
	}
	br := bufio.NewReaderSize(r, 1<<20)
	for line := int64(1); ; line++ {
		if interactive && br.Buffered() == 0 {
			if err := ap.flush(); err != nil {
				return err
			}
		}
		entry, err := readLine(br, ap.limit)
		if errors.Is(err, io.EOF) {
			return ap.flush()
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if err := ap.add(entry); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
}

// readLine reads one line without its "\n" (the last line may lack it),
// refusing one longer than limit bytes before reading it all. It returns
// io.EOF only when there is no line left.
func readLine(r *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		content := len(line)
		if err == nil {
			content-- // the "\n"
		}
		if content > limit {
			return nil, fmt.Errorf("longer than the entry limit of %d bytes (feeds.entry_limit in config.json): %w", limit, feed.ErrTooLarge)
		}
		switch {
		case err == nil:
			return line[:content], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return line, nil
		default:
			return nil, err
		}
	}
}

// failed adds to err what was appended before it.
func (ap *appender) failed(err error) error {
	if ap.n == 0 {
		return fmt.Errorf("append to %s: %w", label(ap.f), err)
	}
	return fmt.Errorf("append to %s: %w (the %d entries before it were appended: %d:%d, checkpoint size %d)",
		label(ap.f), err, ap.n, ap.lo, ap.last.Hi, ap.last.Checkpoint.Size)
}

type appendJSON struct {
	Address  string         `json:"address"`
	Appended int64          `json:"appended"`
	Lo       int64          `json:"lo"`
	Hi       int64          `json:"hi"`
	Size     int64          `json:"size"`
	Latest   checkpointJSON `json:"checkpoint"`
}

func (ap *appender) report(asJSON bool) error {
	latest, _ := ap.f.Latest()
	lo, hi := ap.lo, ap.last.Hi
	if ap.n == 0 {
		lo, hi = latest.Size, latest.Size
		fmt.Fprintln(ap.a.stderr, "nothing to append: the input was empty")
	}
	if asJSON {
		return writeJSON(ap.a.stdout, appendJSON{Address: ap.f.Address(), Appended: ap.n, Lo: lo, Hi: hi, Size: latest.Size, Latest: toCheckpointJSON(latest)})
	}
	if ap.n > 0 {
		fmt.Fprintf(ap.a.stdout, "appended %d entr%s (%d:%d): checkpoint size %d\n", ap.n, ies(ap.n), lo, hi, latest.Size)
	}
	return nil
}

func ies(n int64) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}
