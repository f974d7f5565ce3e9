// Command stele is the stele node and its command-line interface: it
// creates a repo, authors and replicates feeds, and verifies them.
// Run "stele --help" for the commands, or "stele quickstart" for a tour.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
