//go:build !race

package legacyid

const raceEnabled = false
