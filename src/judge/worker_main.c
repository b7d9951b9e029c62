// worker_main.c: the eureka-worker binary: one job on one candidate reward (worker.h).
#include "judge/jobs.h"

int main(void) { worker_main(judge_modes, judge_n_modes); }
