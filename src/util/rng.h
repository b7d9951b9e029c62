// rng.h: small deterministic random numbers (xoshiro256**, seeded by splitmix64).
//
// Every source of randomness in eureka (resets, goals, exploration noise, minibatch
// order, the offline mutator) takes an explicit rng so a seed reproduces a run.
#ifndef EUREKA_RNG_H
#define EUREKA_RNG_H

#include <stdint.h>

typedef struct rng { uint64_t s[4]; } rng;

// Seed from a 64-bit seed and a stream id (e.g. environment index).
void rng_seed(rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(rng *r);
// Uniform in [0, 1).
double rng_uniform(rng *r);
// Uniform in [lo, hi).
double rng_range(rng *r, double lo, double hi);
// Standard normal (Box-Muller).
double rng_normal(rng *r);
// Uniform integer in [0, n).
uint64_t rng_below(rng *r, uint64_t n);

#endif
