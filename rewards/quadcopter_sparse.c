// quadcopter, sparse reward: the fitness itself. Minus the distance to the target
// (capped at MAX_DIST) at every step and, when a crash or flying off ends the episode
// early, MAX_DIST for each step left, as the fitness counts them.
double compute_reward(const env_state *s, reward_terms *t) {
    double dist = vec3_dist(s->pos, s->target_pos);
    int ended = s->pos[2] < CRASH_HEIGHT || dist > MAX_DIST;
    double r = 0.0;
    r += term(t, "neg_distance", -fmin(dist, MAX_DIST));
    r += term(t, "rest_of_episode", ended ? -MAX_DIST * (249 - s->step) : 0.0);
    return r;
}
