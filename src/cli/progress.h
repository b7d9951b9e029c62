// progress.h: the one progress display of every long command (train, eval, compare,
// search, render --train), in one format:
//
//   search: iteration 2/4 | candidates 3/8 | best 0.523 | 41k steps/s | ETA 12m30s
//   eval reorient_human.c: trainings 2/5 | 35k steps/s | ETA 4m10s
//
// A command plans units of work (trainings, each with a step budget), reports the steps
// of the running ones and says when each ends. On a terminal the line above is redrawn
// in place (at most 5 times a second) and notes print above it; when stderr is not a
// terminal, one line per finished unit ("... training 3/8 done: sample 02 fitness 0.41,
// ETA 9m05s") and the notes; with --quiet nothing at all.
//
// The ETA is the remaining budget divided by the measured throughput: steps still to
// simulate (planned budgets minus finished units' budgets minus the running units'
// steps) over the steps simulated so far per second of wall time since the first report.
#ifndef EUREKA_PROGRESS_H
#define EUREKA_PROGRESS_H

typedef struct progress progress;

// A display for command `what` ("search", "eval reorient_human.c") counting its units as
// `noun` ("trainings": "trainings 2/5"; NULL: no count, the context says it). quiet (or
// no memory) gives NULL, which every function accepts and ignores.
progress *progress_new(const char *what, const char *noun, int quiet);

// Clear the line and free.
void progress_free(progress *p);

// Plan n more units of steps_each steps (the total the ETA counts down).
void progress_plan(progress *p, int n, long steps_each);

// What the line names before its counts ("iteration 2/4"; "" for nothing).
void progress_context(progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Running unit `unit` (any id the command chooses) is at steps of total.
void progress_steps(progress *p, int unit, long steps, long total);

// Unit `unit` ended (ok or not); result is one short line ("sample 02 fitness 0.41").
void progress_done(progress *p, int unit, const char *result);

// The best fitness so far, shown on the line.
void progress_best(progress *p, double best);

// Take the line off the terminal (before someone else writes there); it comes back at
// the next update.
void progress_clear(progress *p);

// A line of its own (above the progress line on a terminal).
void progress_note(progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Formats an ETA or a duration: "45s", "12m30s", "2h05m".
void progress_duration(char *buf, int n, double seconds);

#endif
