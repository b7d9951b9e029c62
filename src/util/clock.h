// clock.h: the one clock every timer, deadline and ETA reads.
#ifndef EUREKA_CLOCK_H
#define EUREKA_CLOCK_H

// Seconds on the monotonic clock (never steps back when the wall clock is set).
double now_s(void);

#endif
