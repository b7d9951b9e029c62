// rt.h: every host function that generated reward code can reach.
//
// Rewards are compiled with -nostdlib: a name resolves only if rcomp hands its address
// to libtcc. Two kinds exist: the prelude's functions (term() and allow-listed libm),
// bound by the name the prelude declares, and the helpers libtcc's code generator calls
// on its own (struct copies, unsigned 64-bit <-> floating conversions). The helpers are
// ours, compiled by gcc, so no compile ever reads libtcc1.a (or any other file).
#ifndef EUREKA_RT_H
#define EUREKA_RT_H

#include <stddef.h>

typedef struct rt_sym {
    const char *name;
    const void *addr;
} rt_sym;

// The host function the prelude may declare as name[0..len); NULL if none is bound.
const rt_sym *rt_prelude_sym(const char *name, size_t len);

// The code generator's helpers; *n gets their count.
const rt_sym *rt_helpers(int *n);

#endif
