//go:build !stele_hostile

package node

import "github.com/steledb/stele/swarm/repl"

// Failpoints are compiled in only with the stele_hostile build tag (the
// testnet's hostile peers); in every other build these are no-ops.

func wrapStream(s repl.Stream) repl.Stream { return s }

func wrapNetwork(n repl.Network) repl.Network { return n }
