// cmd_analyze.c: `eureka analyze`: the motor synergies of a trained policy (rl/synergy.h).
//
// Rolls the policy out on the task's held-out episodes, as its fitness is measured, and
// prints the principal components of its actions and of its joint (actuator)
// velocities (and, on a task with muscles, of the muscles' activations): the share of
// variance each component explains and how many components make 80, 90 and 95% of it,
// with the energy the policy spends.
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "rl/policy.h"
#include "rl/synergy.h"
#include "search/run.h"

static cJSON *spectrum_json(const synergy_spectrum *sp) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "dims", sp->dims);
    cJSON_AddNumberToObject(o, "total_variance", sp->total);
    cJSON_AddItemToObject(o, "explained", cJSON_CreateDoubleArray(sp->explained, sp->dims));
    cJSON_AddNumberToObject(o, "k80", sp->k80);
    cJSON_AddNumberToObject(o, "k90", sp->k90);
    cJSON_AddNumberToObject(o, "k95", sp->k95);
    return o;
}

static void spectrum_row(const char *label, const synergy_spectrum *sp) {
    printf("%-16s %3d  %3d %3d %3d   ", label, sp->dims, sp->k80, sp->k90, sp->k95);
    for (int i = 0; i < sp->dims && i < 8; i++) printf(" %.3f", sp->explained[i]);
    printf("%s\n", sp->dims > 8 ? " ..." : "");
}

int cmd_analyze(int argc, char **argv) {
    const char *task = NULL, *pol = NULL;
    int episodes = 0, json = 0, help = 0;
    cli_flag flags[] = {
        {"--task", CLI_STR, &task, "task name (default: the policy's)", 0, 0},
        {"--policy", CLI_STR, &pol, "RUN (its best policy), RUN/iterNN/sampleKK, DIR with train.json, or a train.json", 0, 0},
        {"--episodes", CLI_INT, &episodes, "held-out episodes to roll out (default: the task's evaluation set)", 1, 100000},
        {"--json", CLI_BOOL, &json, "print the analysis as JSON", 0, 0},
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, NULL, 0, NULL, &help, &e)) return cli_fail("analyze", &e);
    if (help) {
        cli_usage("analyze", "--policy RUN|DIR|train.json [--task T] [--episodes N] [--json]", flags, nf);
        return 0;
    }
    if (!pol) {
        err_set(&e, ERR_USAGE, "give --policy RUN|DIR|train.json");
        return cli_fail("analyze", &e);
    }
    const task_def *t = task ? cli_task(task, &e) : NULL;
    if (task && !t) return cli_fail("analyze", &e);
    char dir[RUN_PATH_MAX] = ".";
    cJSON *tr = cli_policy_json(pol, dir, sizeof dir, &e);
    policy *p = NULL;
    if (!tr || !(t = cli_policy_task(t, tr, &e)) || policy_from_json(t, tr, &p, &e)) {
        cJSON_Delete(tr);
        return cli_fail("analyze", &e);
    }
    synergy_data d;
    synergy_spectrum act, vel, mus;
    int rc = synergy_rollout(p, episodes, &d, &e);
    if (!rc) rc = synergy_pca(d.actions, d.steps, d.ad, &act, &e);
    if (!rc) rc = synergy_pca(d.velocities, d.steps, d.nu, &vel, &e);
    if (!rc && d.nm) rc = synergy_pca(d.activations, d.steps, d.nm, &mus, &e);
    if (rc) {
        policy_free(p);
        cJSON_Delete(tr);
        return cli_fail("analyze", &e);
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "task", t->name);
        cJSON_AddStringToObject(o, "policy", dir);
        const char *ex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tr, "exploration"));
        if (ex) cJSON_AddStringToObject(o, "exploration", ex);
        cJSON_AddNumberToObject(o, "episodes", d.episodes);
        cJSON_AddNumberToObject(o, "steps", (double)d.steps);
        cJSON_AddNumberToObject(o, "fitness", d.fitness);
        cJSON_AddNumberToObject(o, "energy", d.energy);
        cJSON_AddNumberToObject(o, "action_sq", d.action_sq);
        if (d.nm) cJSON_AddNumberToObject(o, "activation_sq", d.activation_sq);
        cJSON_AddItemToObject(o, "actions", spectrum_json(&act));
        cJSON_AddItemToObject(o, "joint_velocities", spectrum_json(&vel));
        if (d.nm) cJSON_AddItemToObject(o, "muscle_activations", spectrum_json(&mus));
        cli_json_print(o);
        cJSON_Delete(o);
    } else {
        printf("policy %s (task %s): %d held-out episodes, %ld control steps, fitness %.3f\n", dir,
               t->name, d.episodes, d.steps, d.fitness);
        printf("energy per episode: %.4g (sum of |actuator force x velocity| over steps), "
               "sum of a^2 %.4g\n", d.energy, d.action_sq);
        if (d.nm) printf("muscle energy per episode: %.4g (sum of muscle activation^2 over steps)\n", d.activation_sq);
        printf("\n");
        printf("%-16s %3s  %3s %3s %3s    %s\n", "principal comp.", "dim", "80%", "90%", "95%",
               "variance explained by components 1, 2, ...");
        spectrum_row("actions", &act);
        spectrum_row("joint velocities", &vel);
        if (d.nm) spectrum_row("muscle activ.", &mus);
    }
    synergy_data_free(&d);
    policy_free(p);
    cJSON_Delete(tr);
    return 0;
}
