// wire.h: judge jobs and verdicts as bytes, for the trip between MPI ranks.
//
// The cluster (cluster.h) sends a job from the driver rank to a trainer rank and the
// verdict back. Each message is a JSON header, a NUL, then raw bytes that JSON would
// have to escape: the job carries the saved training to continue; the verdict carries
// the result (train.json, JSON text) and the new saved training:
//   job      {"seq","task","mode","reward","cfg","check_calls","robust_cases","timeout_s",
//             "iteration","sample","state_len"} \0 state
//   verdict  {"seq","status","message","signal","syscall_nr","syscall_name","seconds",
//             "result_len","state_len"} \0 result \0 state
// No MPI here: what is encoded and what a decoder accepts is tested on its own
// (tests/test_wire.c). A verdict comes from another machine's worker: its result is
// parsed again under the same cap and sanitiser as a local worker's
// (sandbox_parse_untrusted) and the state under the judge's cap.
#ifndef EUREKA_WIRE_H
#define EUREKA_WIRE_H

#include <stddef.h>

#include "judge/judge.h"

// Largest message either way: a training's result and saved state at the judge's caps.
#define WIRE_MAX ((size_t)JUDGE_STATE_MAX + ((size_t)32 << 20))

// A job as a message (owned by the caller, *len bytes), labelled seq. NULL without memory.
char *wire_job_encode(const judge_job *j, const task_def *t, unsigned seq, size_t *len);

// A decoded job: its fields point into the message and into buffers owned here.
typedef struct wire_job {
    judge_job job;              // reward_src and state borrowed from this struct
    const task_def *task;
    unsigned seq;
    char *reward;               // owned
} wire_job;

// Decode a job message; ERR_PARSE naming what is wrong (unknown task, bad field, ...).
int wire_job_decode(const char *msg, size_t len, wire_job *out, err_info *e);

void wire_job_free(wire_job *w);

// A verdict as a message (owned by the caller), labelled seq. NULL without memory.
char *wire_verdict_encode(const judge_verdict *v, unsigned seq, size_t *len);

// Decode a verdict message into *v (owned by the caller: judge_verdict_free) and its
// label; ERR_PARSE when the message is malformed or over a cap.
int wire_verdict_decode(const char *msg, size_t len, judge_verdict *v, unsigned *seq, err_info *e);

#endif
