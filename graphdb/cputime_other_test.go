//go:build !unix

package graphdb

import "time"

func processCPU() time.Duration { return 0 }
