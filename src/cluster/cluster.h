// cluster.h: one search over many machines: MPI ranks as training slots.
//
// Under mpirun or srun, rank 0 is the driver: it runs the command as usual (LLM calls,
// prompts, the run directory, reflection, progress) and installs a judge runner
// (judge_set_runner) that sends every job to a free trainer rank instead of a local
// worker. Ranks 1..R-1 are trainers: they never reach the command line; each serves one
// job at a time through the local judge (the same sandboxed worker and verification as
// on one machine) and sends the verdict back (cluster/wire.h). The driver does not train
// itself: it stays free for the LLM, the files and a responsive progress line.
//
// Messages: JOB (driver -> trainer; one at a time per trainer), VERDICT (trainer ->
// driver; exactly one per JOB, also for a stopped one), PROGRESS (trainer -> driver,
// every second while busy: progress and heartbeat), STOP (driver -> trainer: end the
// job now), SHUTDOWN (driver -> trainer: leave). A busy trainer silent for longer than
// the timeout (EUREKA_MPI_TIMEOUT seconds, default 60) is taken as dead: the batch ends
// as an interruption (everything received is already saved) and cluster_failure()
// says which rank on which host; the caller then ends the job with cluster_abort.
//
// Without a launcher (none of OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK set, no --mpi)
// MPI is never initialised and nothing changes; with one rank the local pool stays.
#ifndef EUREKA_CLUSTER_H
#define EUREKA_CLUSTER_H

#include "util/err.h"

// Start MPI when launched under it (or force is set): initialise, learn every rank's
// host, and in the driver install the runner when there are trainers. ERR_RUNTIME when
// MPI cannot start (then end the job with cluster_abort).
int cluster_start(int *argc, char ***argv, int force, err_info *e);

// This process's rank (0 without MPI) and the number of ranks (1 without MPI).
int cluster_rank(void);
int cluster_size(void);

// A trainer rank's life: serve jobs until the driver says SHUTDOWN. Returns the exit
// status. Never returns to the command line.
int cluster_serve(void);

// The driver is done: wait for the trainers' last verdicts, send SHUTDOWN, finalise.
// ERR_OK (also without MPI), or ERR_RUNTIME when the cluster failed: cluster_failure()
// says why and only cluster_abort can end the job.
int cluster_stop(void);

// The one-line reason the cluster failed ("MPI rank 2 on host n07 ..."), or NULL.
const char *cluster_failure(void);

// End every rank now (after a failure): MPI_Abort with status.
void cluster_abort(int status);

#endif
