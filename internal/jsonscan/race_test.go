//go:build race

package jsonscan

// raceEnabled: the race detector allocates, so allocation counts mean nothing under it
// (make test runs the allocation tests again without it).
const raceEnabled = true
