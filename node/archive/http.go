package archive

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/steledb/stele/feed"
)

// HTTPPrefix is the path under which Handler serves archives.
const HTTPPrefix = "/archive/"

// Handler serves the files of archives over HTTP, as dat --http does:
//
//	GET /archive/ADDRESS/PATH?at=N
//
// serves the file at PATH in version N (default: the latest) with byte
// ranges, conditional requests and an ETag (the file's hash), reading
// only the chunks a range needs; symlinks are followed inside the
// archive; a directory is served as a plain-text listing, one name per
// line, directories with a trailing slash. The version served is in the
// X-Stele-Version header. open resolves an address (or local name) to an
// archive.
func Handler(open func(ctx context.Context, address string) (*Archive, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		status, err := serveArchive(w, r, open)
		if err != nil {
			http.Error(w, err.Error(), status)
		}
	})
}

func serveArchive(w http.ResponseWriter, r *http.Request, open func(context.Context, string) (*Archive, error)) (int, error) {
	rest, ok := strings.CutPrefix(r.URL.Path, HTTPPrefix)
	if !ok || rest == "" {
		return http.StatusNotFound, errors.New("want /archive/ADDRESS/PATH")
	}
	address, filePath, _ := strings.Cut(rest, "/")
	at := int64(0)
	if s := r.URL.Query().Get("at"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return http.StatusBadRequest, fmt.Errorf("at=%q: want a version number >= 1", s)
		}
		at = n
	}
	a, err := open(r.Context(), address)
	if errors.Is(err, feed.ErrNotFound) || errors.Is(err, ErrNotArchive) {
		return http.StatusNotFound, err
	}
	if err != nil {
		return http.StatusInternalServerError, err
	}
	snap, err := a.Snapshot(at)
	if err != nil {
		return http.StatusNotFound, err
	}
	w.Header().Set("X-Stele-Version", strconv.FormatInt(snap.Version, 10))
	f, ok := snap.Resolve(filePath)
	if !ok {
		return http.StatusNotFound, fmt.Errorf("no %q in version %d of %s", filePath, snap.Version, a.Address())
	}
	if f == nil || f.Kind == KindDir {
		dir := ""
		if f != nil {
			dir = f.Path
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, c := range snap.List(dir) {
			name := path.Base(c.Path)
			if c.Kind == KindDir {
				name += "/"
			}
			fmt.Fprintln(w, name)
		}
		return http.StatusOK, nil
	}
	rd, err := a.Open(r.Context(), f)
	if err != nil {
		return http.StatusInternalServerError, err
	}
	w.Header().Set("ETag", `"`+f.Hash.String()+`"`)
	http.ServeContent(w, r, path.Base(f.Path), f.Mtime, rd)
	return http.StatusOK, nil
}
