package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"golang.org/x/term"
)

// passphrase returns the passphrase for a key file: from --passphrase-file,
// else from $STELE_PASSPHRASE, else typed on the terminal without echo
// (twice when confirm is set). what names the key file in the prompt.
func (a *app) passphrase(file, what string, confirm bool) ([]byte, error) {
	if file != "" {
		return readPassphraseFile(a.abs(file))
	}
	if p := a.env("STELE_PASSPHRASE"); p != "" {
		return []byte(p), nil
	}
	in, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(in.Fd())) {
		return nil, errNoPassphrase
	}
	p, err := a.prompt(in, fmt.Sprintf("passphrase for %s: ", what))
	if err != nil || !confirm {
		return p, err
	}
	again, err := a.prompt(in, "the same passphrase again: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(p, again) {
		return nil, errors.New("the two passphrases differ")
	}
	return p, nil
}

var errNoPassphrase = errors.New("no passphrase: give --passphrase-file FILE, set STELE_PASSPHRASE, or run on a terminal to type it")

func (a *app) prompt(in *os.File, text string) ([]byte, error) {
	fmt.Fprint(a.stderr, text)
	p, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(a.stderr)
	if err != nil {
		return nil, fmt.Errorf("read passphrase: %w", err)
	}
	if len(p) == 0 {
		return nil, errors.New("empty passphrase")
	}
	return p, nil
}

// readPassphraseFile reads a passphrase: the file's first line.
func readPassphraseFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("passphrase file: %w", err)
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return nil, fmt.Errorf("passphrase file %s: the first line is empty", path)
	}
	return line, nil
}
