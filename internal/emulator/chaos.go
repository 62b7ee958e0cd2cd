package emulator

import (
	"fmt"
	"math/rand/v2"
)

// Chaos makes a share of API requests fail at random, for resilience tests: throttling (429)
// and unavailability (503), each with and without Retry-After, an upgrade in progress (556), a
// delay and a dropped connection, drawn with equal weight. Queued faults take precedence.
type Chaos struct {
	// Rate is the share of API requests that fail, from 0 to 1.
	Rate float64 `json:"rate"`
	// Seed makes the draw repeatable.
	Seed uint64 `json:"seed,omitempty"`
	// DelayMillis is the delay of delay faults (default 1500 ms), after which the request is
	// served normally.
	DelayMillis int `json:"delayMs,omitempty"`
	// RetryAfter is the Retry-After value sent with the faults that carry one (default "1").
	RetryAfter string `json:"retryAfter,omitempty"`
}

type chaosState struct {
	Chaos
	rng *rand.Rand
}

// SetChaos turns random faults on (or off, with nil).
func (e *Emulator) SetChaos(c *Chaos) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c == nil {
		e.chaos = nil
		return nil
	}
	if c.Rate < 0 || c.Rate > 1 {
		return fmt.Errorf("rate must be between 0 and 1, got %g", c.Rate)
	}
	if c.DelayMillis < 0 {
		return fmt.Errorf("delayMs must not be negative")
	}
	s := &chaosState{Chaos: *c, rng: rand.New(rand.NewPCG(c.Seed, 0xc4a05))} //nolint:gosec // repeatable test faults
	if s.DelayMillis == 0 {
		s.DelayMillis = 1500
	}
	if s.RetryAfter == "" {
		s.RetryAfter = "1"
	}
	e.chaos = s
	return nil
}

// draw returns a random fault, or nil for a request that goes through. Called with e.mu held.
func (s *chaosState) draw() *Fault {
	if s.rng.Float64() >= s.Rate {
		return nil
	}
	kinds := []Fault{
		{Status: 429}, {Status: 429, RetryAfter: s.RetryAfter},
		{Status: 503}, {Status: 503, RetryAfter: s.RetryAfter},
		{Status: 556},
		{DelayMillis: s.DelayMillis},
		{Drop: true},
	}
	f := kinds[s.rng.IntN(len(kinds))]
	f.Count = 1
	return &f
}
