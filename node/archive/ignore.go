package archive

import (
	"bufio"
	"bytes"
	"path"
	"strings"
)

// IgnoreRules are the patterns of one .steleignore file, in the syntax of
// gitignore(5):
//
//   - blank lines and lines starting with # are skipped (\# is a literal #);
//     trailing spaces are dropped unless escaped with a backslash;
//   - a leading ! re-includes what an earlier pattern excluded (\! is a
//     literal !); the last pattern that matches a path decides;
//   - a trailing / matches directories only;
//   - a pattern with a / at its start or in its middle is relative to the
//     directory of the .steleignore file; one without matches a name at any
//     depth below it;
//   - * matches anything but /, ? one character but /, [a-z] and [!a-z]
//     a class; ** matches any number of directories in "**/x", "x/**/y"
//     and everything inside in "x/**".
//
// As in git, a path inside an excluded directory cannot be re-included:
// Publish does not look inside excluded directories at all.
type IgnoreRules struct {
	rules []ignoreRule
}

type ignoreRule struct {
	negate  bool
	dirOnly bool
	segs    []string // "**" matches any number of segments
}

// ParseIgnore reads the patterns of a .steleignore file.
func ParseIgnore(data []byte) *IgnoreRules {
	r := &IgnoreRules{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if rule, ok := parseIgnoreLine(sc.Text()); ok {
			r.rules = append(r.rules, rule)
		}
	}
	return r
}

func parseIgnoreLine(line string) (ignoreRule, bool) {
	line = strings.TrimSuffix(line, "\r")
	line = trimUnescapedSpaces(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return ignoreRule{}, false
	}
	var rule ignoreRule
	if strings.HasPrefix(line, "!") {
		rule.negate, line = true, line[1:]
	} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		rule.dirOnly, line = true, strings.TrimRight(line, "/")
	}
	if line == "" {
		return ignoreRule{}, false
	}
	anchored := strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	for _, seg := range strings.Split(line, "/") {
		switch {
		case seg == "":
			continue // "a//b" is "a/b"
		case seg == "**":
		case strings.Contains(seg, "**"):
			seg = collapseStars(seg) // other runs of stars are single stars
		}
		rule.segs = append(rule.segs, toMatchSyntax(seg))
	}
	if !anchored {
		rule.segs = append([]string{"**"}, rule.segs...)
	}
	return rule, len(rule.segs) > 0
}

// trimUnescapedSpaces drops trailing spaces that no backslash escapes.
func trimUnescapedSpaces(s string) string {
	end := len(s)
	for end > 0 && s[end-1] == ' ' {
		if end >= 2 && s[end-2] == '\\' {
			return s[:end-2] + " "
		}
		end--
	}
	return s[:end]
}

func collapseStars(seg string) string {
	for strings.Contains(seg, "**") {
		seg = strings.ReplaceAll(seg, "**", "*")
	}
	return seg
}

// toMatchSyntax turns fnmatch's [!...] into path.Match's [^...].
func toMatchSyntax(seg string) string {
	return strings.ReplaceAll(seg, "[!", "[^")
}

// Match reports whether rel (a slash-separated path relative to the
// directory of the .steleignore file) matches a pattern, and if so
// whether the last matching pattern excludes it.
func (r *IgnoreRules) Match(rel string, isDir bool) (matched, excluded bool) {
	if r == nil {
		return false, false
	}
	names := strings.Split(rel, "/")
	for i := len(r.rules) - 1; i >= 0; i-- {
		rule := r.rules[i]
		if rule.dirOnly && !isDir {
			continue
		}
		if matchSegments(rule.segs, names) {
			return true, !rule.negate
		}
	}
	return false, false
}

// matchSegments matches path segments against pattern segments, where
// "**" stands for any number of segments (at least one when it ends the
// pattern: "x/**" matches inside x, not x itself).
func matchSegments(pat, names []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			if len(pat) == 1 {
				return len(names) > 0
			}
			for i := 0; i <= len(names); i++ {
				if matchSegments(pat[1:], names[i:]) {
					return true
				}
			}
			return false
		}
		if len(names) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], names[0]); err != nil || !ok {
			return false
		}
		pat, names = pat[1:], names[1:]
	}
	return len(names) == 0
}

// An ignorer applies the .steleignore files of a directory tree: each
// file's patterns to the paths below its directory, deeper files taking
// precedence.
type ignorer struct {
	levels []ignoreLevel // outermost first
}

type ignoreLevel struct {
	dir   string // relative to the tree's root, "" for the root
	rules *IgnoreRules
}

// enter adds the rules of directory dir; it drops the levels of
// directories that are not dir's ancestors, so a depth-first walk keeps
// exactly the levels that apply.
func (g *ignorer) enter(dir string, rules *IgnoreRules) {
	g.trim(dir)
	if rules != nil {
		g.levels = append(g.levels, ignoreLevel{dir, rules})
	}
}

func (g *ignorer) trim(p string) {
	for len(g.levels) > 0 && !isInside(p, g.levels[len(g.levels)-1].dir) {
		g.levels = g.levels[:len(g.levels)-1]
	}
}

// excluded reports whether path p (relative to the root) is excluded.
func (g *ignorer) excluded(p string, isDir bool) bool {
	if p == CloneStateFile {
		return true
	}
	g.trim(p)
	excluded := false
	for _, l := range g.levels {
		if l.dir == p {
			continue // a directory's own patterns apply below it
		}
		rel := p
		if l.dir != "" {
			rel = p[len(l.dir)+1:]
		}
		if matched, ex := l.rules.Match(rel, isDir); matched {
			excluded = ex
		}
	}
	return excluded
}

// isInside reports whether p is dir or below it ("" is the root).
func isInside(p, dir string) bool {
	return dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
}
