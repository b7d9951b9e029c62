// cmd_tasks.c: `eureka tasks [--json]`: what each task is, its sizes, episode length and
// how its fitness is measured: the facts a user needs to pick a task and read a result.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mujoco/mujoco.h>
#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "rl/explore.h"
#include "rl/train_cfg.h"
#include "task/task.h"

// Control period in seconds: frame_skip physics steps of the model's timestep (the
// model is loaded to read it: a few milliseconds per task).
static int control_dt(const task_def *t, double *dt, err_info *e) {
    char path[4096], lerr[512] = "";
    if (task_file(t, "model.xml", path, sizeof path, e)) return e ? e->code : ERR_LIMIT;
    mjModel *m = mj_loadXML(path, NULL, lerr, sizeof lerr);
    if (!m) return err_set(e, ERR_PHYSICS, "%s: %s", path, lerr);
    *dt = t->frame_skip * m->opt.timestep;
    mj_deleteModel(m);
    return ERR_OK;
}

static cJSON *task_json(const task_def *t, double dt) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", t->name);
    cJSON_AddStringToObject(o, "summary", t->summary);
    cJSON_AddNumberToObject(o, "obs_dim", t->obs_dim);
    cJSON_AddNumberToObject(o, "act_dim", t->act_dim);
    cJSON_AddNumberToObject(o, "episode_steps", t->episode_steps);
    cJSON_AddNumberToObject(o, "control_hz", 1.0 / dt);
    cJSON_AddNumberToObject(o, "episode_seconds", t->episode_steps * dt);
    cJSON_AddNumberToObject(o, "n_eval", t->n_eval);
    cJSON_AddNumberToObject(o, "fitness_max", t->fitness_max);
    cJSON_AddStringToObject(o, "fitness", t->fitness_doc);
    cJSON_AddNumberToObject(o, "train_steps", (double)t->defaults.train_steps);
    // What --curriculum's level scales; null: the task has no knob.
    if (t->curriculum_doc) cJSON_AddStringToObject(o, "curriculum", t->curriculum_doc);
    else cJSON_AddNullToObject(o, "curriculum");
    // The default trainer: what `eureka train` runs with no --set, as train.json's
    // "config" records it, less the seed (per run). Scripts that cache trainings compare
    // it to see that a default changed.
    train_cfg cfg = {0};
    train_cfg_defaults(&cfg, t);
    cJSON *tr = train_cfg_record(&cfg);
    cJSON_DeleteItemFromObjectCaseSensitive(tr, "seed");
    cJSON_AddItemToObject(o, "trainer", tr);
    // What --exploration X changes in that default (ant's gSDE starts at another noise
    // scale, DEP brings its rule's settings): a cache of such cells is current only if
    // these are too.
    cJSON *ex = cJSON_AddObjectToObject(o, "explorations");
    for (int k = EXPLORE_GSDE; k <= EXPLORE_DEP; k++) {
        train_cfg xc = {.exploration = k};
        train_cfg_defaults(&xc, t);
        cJSON *rec = train_cfg_record(&xc), *delta = cJSON_AddObjectToObject(ex, explore_name(k));
        for (cJSON *it = rec->child; it; it = it->next) {
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(tr, it->string);
            if (strcmp(it->string, "exploration") && strcmp(it->string, "seed") && !cJSON_Compare(g, it, 1))
                cJSON_AddItemToObject(delta, it->string, cJSON_Duplicate(it, 1));
        }
        cJSON_Delete(rec);
    }
    return o;
}

int cmd_tasks(int argc, char **argv) {
    int json = 0, help = 0, n_pos = 0;
    const char *pos[1];
    cli_flag flags[] = {
        {"--json", CLI_BOOL, &json, "print a JSON array, one object per task", 0, 0},
    };
    int nf = (int)(sizeof flags / sizeof flags[0]);
    err_info e = {0};
    if (cli_parse(argc, argv, flags, nf, pos, 1, &n_pos, &help, &e)) return cli_fail("tasks", &e);
    if (help) {
        cli_usage("tasks", "[NAME]", flags, nf);
        return 0;
    }
    int n;
    const task_def *const *all = task_all(&n);
    const task_def *only = NULL;
    if (n_pos == 1) {
        if (!(only = cli_task(pos[0], &e))) return cli_fail("tasks", &e);
    }
    if (json) {
        cJSON *arr = cJSON_CreateArray();
        for (int i = 0; i < n; i++) {
            double dt;
            if (only && all[i] != only) continue;
            if (control_dt(all[i], &dt, &e)) { cJSON_Delete(arr); return cli_fail("tasks", &e); }
            cJSON_AddItemToArray(arr, task_json(all[i], dt));
        }
        cli_json_print(arr);
        cJSON_Delete(arr);
        return 0;
    }
    printf("%-15s %4s %4s %18s  %s\n", "task", "obs", "act", "episode", "description");
    for (int i = 0; i < n; i++) {
        const task_def *t = all[i];
        if (only && t != only) continue;
        double dt;
        if (control_dt(t, &dt, &e)) return cli_fail("tasks", &e);
        char ep[32];
        snprintf(ep, sizeof ep, "%d x %.0f Hz = %.0f s", t->episode_steps, 1.0 / dt,
                 t->episode_steps * dt);
        printf("%-15s %4d %4d %18s  %s\n", t->name, t->obs_dim, t->act_dim, ep, t->summary);
        printf("%-15s %4s %4s %18s  fitness: %s\n", "", "", "", "", t->fitness_doc);
        if (t->curriculum_doc)
            printf("%-15s %4s %4s %18s  --curriculum: %s\n", "", "", "", "", t->curriculum_doc);
    }
    return 0;
}
